// SPDX-License-Identifier: MIT
#include <fstream>
#include <slope/optim/run.hpp>

#include "tracker.hpp"

namespace slope::optim {

std::string to_string(StopReason r) {
  switch (r) {
    case StopReason::max_iterations:
      return "max_iterations";
    case StopReason::gradient_tolerance:
      return "gradient_tolerance";
    case StopReason::loss_stalled:
      return "loss_stalled";
    case StopReason::time_budget:
      return "time_budget";
    case StopReason::callback:
      return "callback";
    case StopReason::diverged:
      return "diverged";
    case StopReason::line_search_failed:
      return "line_search_failed";
  }
  return "unknown";
}

std::string Result::csv() const {
  std::string out = "iteration,loss,gradient_norm,step";
  const std::size_t n = history.empty() ? 0 : history.front().x.size();
  for (std::size_t i = 0; i < n; ++i) out += ",x" + std::to_string(i);
  out += '\n';
  for (const Record& r : history) {
    out += std::to_string(r.iteration) + ',' + core::number(r.loss) + ',' +
           core::number(r.gradient_norm) + ',' + core::number(r.step);
    for (double v : r.x) out += ',' + core::number(v);
    out += '\n';
  }
  return out;
}

void Result::write_csv(const std::string& path) const {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw Error("slope::optim::Result::write_csv: cannot open '" + path + "' for writing");
  f << csv();
  if (!f.flush()) throw Error("slope::optim::Result::write_csv: cannot write '" + path + "'");
}

}  // namespace slope::optim
