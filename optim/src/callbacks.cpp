// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <slope/optim/callbacks.hpp>
#include <ostream>
#include <string>

namespace slope::optim {

namespace {

std::string cell(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%14.6g", v);
  return buf;
}

}  // namespace

Callback print_table(std::ostream& out, std::size_t every) {
  const std::size_t k = std::max<std::size_t>(every, 1);
  return [&out, k, header = true](const State& s) mutable {
    const bool params = s.x.size() <= 4;
    if (header) {
      out << "iteration          loss        |grad|          step";
      if (params)
        for (std::size_t i = 0; i < s.x.size(); ++i) out << "            x" << i;
      out << '\n';
      header = false;
    }
    if (s.iteration % k != 0) return false;
    char it[16];
    std::snprintf(it, sizeof it, "%9zu", s.iteration);
    out << it << cell(s.loss) << cell(s.gradient_norm) << cell(s.step);
    if (params)
      for (double v : s.x) out << cell(v);
    out << '\n';
    return false;
  };
}

Callback progress_bar(std::size_t total, std::FILE* out) {
  if (out == nullptr || total == 0 || isatty(fileno(out)) == 0)
    return [](const State&) { return false; };
  return [out, total, shown = std::numeric_limits<std::size_t>::max()](const State& s) mutable {
    const std::size_t done = std::min(s.iteration, total);
    const std::size_t percent = done * 100 / total;
    if (percent == shown && done != total) return false;  // redraw only when the bar moves
    shown = percent;
    constexpr std::size_t width = 30;
    const std::size_t filled = done * width / total;
    std::fprintf(out, "\r[%s%s] %3zu%%  iteration %zu/%zu  loss %.6g",
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                 percent, done, total, s.loss);
    if (done == total) std::fputc('\n', out);
    std::fflush(out);
    return false;
  };
}

Callback early_stopping(std::size_t patience, double min_delta) {
  return [patience, min_delta, best = std::numeric_limits<double>::infinity(),
          waited = std::size_t{0}](const State& s) mutable {
    if (s.loss < best - min_delta) {
      best = s.loss;
      waited = 0;
      return false;
    }
    return ++waited >= patience;
  };
}

}  // namespace slope::optim
