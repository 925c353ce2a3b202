// SPDX-License-Identifier: MIT
#include "train_output.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "numbers.hpp"
#include "progress.hpp"

using namespace slope;

optim::Callback table(std::ostream& out, const std::vector<std::string>& names, std::size_t every,
                      ToRaw to_raw, Progress& bar) {
  const bool wide = names.size() > 8;
  const std::size_t width = std::max<std::size_t>(
      12, 2 + std::max_element(names.begin(), names.end(), [](const auto& a, const auto& b) {
                return a.size() < b.size();
              })->size());
  return [&out, &bar, names, every, wide, width, to_raw = std::move(to_raw),
          header = true](const optim::State& s) mutable {
    if (s.iteration > 6 && (every == 0 || s.iteration % every != 0)) return false;
    std::string line;
    if (header) {
      line = fmt::format("iteration{}", right("loss", 16));
      if (wide)
        line += right("gradient norm", 16);
      else
        for (const std::string& n : names) line += right(n, width);
      line += '\n';
      header = false;
    }
    line += right(std::to_string(s.iteration), 9) + right(fixed_or_sci(s.loss, 5), 16);
    if (wide)
      line += right(general(s.gradient_norm, 4), 16);
    else
      for (double v : to_raw(s.x)) line += right(fixed_or_sci(v, 5), width);
    bar.clear();
    out << line << '\n' << std::flush;
    bar.redraw();
    return false;
  };
}

namespace {
void print_parameters(std::ostream& out, const std::vector<std::string>& names,
                      const std::vector<double>& p, const std::string& tail) {
  const std::size_t shown = std::min<std::size_t>(p.size(), 12);
  for (std::size_t i = 0; i < shown; ++i)
    out << names[i] << " = " << fixed_or_sci(p[i], 6) << (i + 1 < shown ? ", " : "");
  if (shown < p.size()) out << ", … (" << p.size() << " parameters; --json has all)";
  out << tail << "\n";
}
}  // namespace

void print_summary(std::ostream& out, const optim::Result& r, const std::string& unit,
                   double tolerance, const std::vector<std::string>& names,
                   const std::vector<double>& raw, const std::vector<double>* standardized) {
  out << "stopped: " << optim::to_string(r.reason) << " after " << r.iterations << " " << unit
      << (r.iterations == 1 ? "" : "s");
  // L-BFGS ends this way at an optimum whose gradient is as small as rounding lets it get.
  if (r.reason == optim::StopReason::line_search_failed)
    out << (r.gradient_norm <= 1e3 * tolerance
                ? " (at the optimum to rounding: the loss cannot decrease further)"
                : " (away from the optimum: try --standardize or another --optimizer)");
  out << "\nloss: " << fixed_or_sci(r.value, 6) << "\n";
  print_parameters(out, names, raw, standardized ? " (raw features)" : "");
  if (standardized) {
    out << "standardized: ";
    print_parameters(out, names, *standardized, "");
  }
  out << "gradient norm: " << general(r.gradient_norm, 3)
      << "\ntime: " << fmt::format("{:.3f}", r.seconds) << " s\n";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q(1, '"');
  for (char c : s) {
    q += c;
    if (c == '"') q += c;  // a quote inside is doubled
  }
  q += '"';
  return q;
}

std::string history_csv(const optim::Result& r, const std::vector<std::string>& names,
                        const ToRaw& to_raw, bool standardized) {
  std::string out = "iteration,loss,gradient_norm,step";
  // The optimizer keeps no parameters in its history past 16 of them.
  const bool params = !r.history.empty() && !r.history.front().x.empty();
  if (params)
    for (const std::string& n : names) out += fmt::format(",{}", csv_field(n));
  if (params && standardized)
    for (const std::string& n : names) out += fmt::format(",{}", csv_field(n + " (standardized)"));
  out += '\n';
  for (const optim::Record& rec : r.history) {
    out += fmt::format("{},{},{},{}", rec.iteration, rec.loss, rec.gradient_norm, rec.step);
    for (double v : to_raw(rec.x)) out += fmt::format(",{}", v);
    if (standardized)
      for (double v : rec.x) out += fmt::format(",{}", v);
    out += '\n';
  }
  return out;
}
