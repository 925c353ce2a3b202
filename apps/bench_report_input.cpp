// SPDX-License-Identifier: MIT
// What `slope bench report` reads: the suite's JSON files, scaling.dat and, for --compare, an
// earlier report.json.

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench_report.hpp"
#include "usage_error.hpp"

namespace bench_report {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<double> Workload::time(const std::string& m) const {
  for (const auto& r : methods)
    if (r.method == m && std::isfinite(r.seconds)) return r.seconds;
  return std::nullopt;
}

std::optional<double> Workload::ratio(const std::string& a, const std::string& b) const {
  const auto x = time(a), y = time(b);
  if (!x || !y || *y <= 0) return std::nullopt;
  return *x / *y;
}

namespace {

// nlohmann's messages open with "[json.exception.parse_error.101] ", which tells a user nothing.
std::string without_exception_id(const std::string& what) {
  const auto end = what.find("] ");
  return what.rfind("[json.exception.", 0) == 0 && end != std::string::npos ? what.substr(end + 2)
                                                                            : what;
}

// The parsed file, or a UsageError naming it as `who` does ("bench report: --compare F").
json parse_file(const std::string& file, const std::string& who) {
  std::ifstream in(file);
  if (!in) throw UsageError(who + ": cannot read it");
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw UsageError(who + " is not valid JSON: " + without_exception_id(e.what()));
  }
}

// The suite writes null for what it could not measure; anything but a number counts as that.
std::optional<double> number(const json& object, const char* key) {
  const auto it = object.find(key);  // end() as well when `object` is not an object
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Workload read_workload(const fs::path& file) {
  const std::string name = file.string();
  const json t = parse_file(name, "bench report: " + name);
  if (!t.is_object()) throw UsageError("bench report: " + name + " is not a JSON object");
  Workload w;
  w.id = text(t, "workload");
  if (w.id.empty()) throw UsageError("bench report: " + name + " has no \"workload\"");
  w.what = text(t, "what");
  if (const auto p = t.find("parameters"); p != t.end()) {
    if (!p->is_number_unsigned())
      throw UsageError("bench report: " + name + ": \"parameters\" is not a count");
    w.parameters = p->get<std::size_t>();
  }
  w.peak_rss_bytes = number(t, "peak_rss_bytes").value_or(kUnmeasured);
  w.tape_bytes_per_op = number(t, "tape_bytes_per_op").value_or(kUnmeasured);
  if (const auto s = t.find("replay_stats"); s != t.end()) {
    w.replay_bytes_per_node = number(*s, "bytes_per_node").value_or(kUnmeasured);
    w.replay_format_bytes_per_node = number(*s, "replay_bytes_per_node").value_or(kUnmeasured);
  }
  if (const auto ms = t.find("methods"); ms != t.end() && ms->is_array())
    for (const json& row : *ms)
      w.methods.push_back({text(row, "method"), number(row, "seconds").value_or(kUnmeasured),
                           number(row, "max_abs_diff")});
  return w;
}

std::optional<Scaling> read_scaling(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  Scaling s;
  double n;
  std::array<double, 4> t{};
  while (in >> n >> t[0] >> t[1] >> t[2] >> t[3]) {
    s.n.push_back(n);
    s.t.push_back(t);
  }
  if (s.n.size() < 2) return std::nullopt;
  return s;
}

double loglog_slope(const Scaling& s, int column) {
  const double k = static_cast<double>(s.n.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < s.n.size(); ++i) {
    mx += std::log(s.n[i]) / k;
    my += std::log(s.t[i][column]) / k;
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < s.n.size(); ++i) {
    sxy += (std::log(s.n[i]) - mx) * (std::log(s.t[i][column]) - my);
    sxx += (std::log(s.n[i]) - mx) * (std::log(s.n[i]) - mx);
  }
  return sxy / sxx;
}

std::map<std::string, double> old_ratios(const std::string& file) {
  const json t = parse_file(file, "bench report: --compare " + file);
  std::map<std::string, double> out;
  if (const auto ws = t.find("workloads"); ws != t.end() && ws->is_array())
    for (const json& w : *ws)
      if (const auto ms = w.find("methods"); ms != w.end() && ms->is_array())
        for (const json& m : *ms)
          if (const auto r = number(m, "per_function"))
            out[text(w, "workload") + "/" + text(m, "method")] = *r;
  if (out.empty()) throw UsageError("bench report: --compare " + file + " holds no ratios");
  return out;
}

}  // namespace bench_report
