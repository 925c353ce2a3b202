// SPDX-License-Identifier: MIT
// report.json of `slope bench report`: REPORT.md's numbers for --compare and for tools.

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "bench_report.hpp"

namespace bench_report {

namespace {

// A number with the digits `f` keeps, null when there is none. Rounded because report.json is
// compared and read by people, who want 2.15186, not 2.1518612345678; an integral value is
// written as an integer (2, not 2.0), as the report always wrote it.
nlohmann::ordered_json rounded(std::optional<double> v, fmt::format_string<double> f) {
  if (!v || !std::isfinite(*v)) return nullptr;
  const std::string s = fmt::vformat(f, fmt::make_format_args(*v));
  double x = 0;
  std::from_chars(s.data(), s.data() + s.size(), x);
  if (x == std::trunc(x) && std::fabs(x) < 0x1p53) return static_cast<std::int64_t>(x);
  return x;
}

}  // namespace

std::string report_json(const Report& r) {
  nlohmann::ordered_json js = {{"date", r.date}, {"machine", r.machine}};
  auto& workloads = js["workloads"] = nlohmann::ordered_json::array();
  for (const Workload& w : r.workloads) {
    nlohmann::ordered_json methods = nlohmann::ordered_json::array();
    for (const MethodResult& m : w.methods)
      methods.push_back(
          {{"method", m.method},
           {"seconds", rounded(w.time(m.method), "{:.6g}")},
           {"per_function", rounded(w.ratio(m.method, "function"), "{:.6g}")},
           {"per_hand_gradient", rounded(w.ratio(m.method, "hand_gradient"), "{:.6g}")},
           {"max_abs_diff", rounded(m.max_abs_diff, "{:.3g}")}});
    workloads.push_back({{"workload", w.id},
                         {"what", w.what},
                         {"parameters", w.parameters},
                         {"peak_rss_bytes", rounded(w.peak_rss_bytes, "{:.0f}")},
                         {"tape_bytes_per_op", rounded(w.tape_bytes_per_op, "{:.2f}")},
                         {"methods", std::move(methods)}});
  }
  if (r.scaling) {
    const auto slope = [&](int column) {
      return rounded(loglog_slope(*r.scaling, column), "{:.4f}");
    };
    js["scaling_slopes"] = {{"function", slope(0)},
                            {"record_gradient", slope(1)},
                            {"replay_gradient", slope(2)},
                            {"replay_hvp", slope(3)}};
  }
  // Replace, not throw, on bytes that are not UTF-8: /proc/cpuinfo's model name is not ours.
  return js.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace bench_report
