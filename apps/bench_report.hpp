// SPDX-License-Identifier: MIT
#pragma once

// The pieces of `slope bench report` (apps/bench_report*.cpp): the suite's results as read,
// and the report built from them.
//   Report rep;
//   rep.workloads.push_back(read_workload("bench/results/W1-small.json"));
//   write_file("REPORT.md", report_markdown(rep), "bench report");

#include <array>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bench_report {

/// What the suite could not time or measure.
inline constexpr double kUnmeasured = std::numeric_limits<double>::quiet_NaN();

struct MethodResult {
  std::string method;
  double seconds = kUnmeasured;
  std::optional<double> max_abs_diff;
};

struct Workload {
  std::string id, what;
  std::size_t parameters = 0;
  double peak_rss_bytes = kUnmeasured, tape_bytes_per_op = kUnmeasured,
         replay_bytes_per_node = kUnmeasured, replay_format_bytes_per_node = kUnmeasured;
  std::vector<MethodResult> methods;

  /// Seconds of method `m`, when it ran and was timed.
  std::optional<double> time(const std::string& m) const;
  /// time(a) / time(b), when both exist and time(b) > 0.
  std::optional<double> ratio(const std::string& a, const std::string& b) const;
};

/// Extended Rosenbrock timed at growing n (bench/scaling_bench's scaling.dat).
struct Scaling {
  std::vector<double> n;
  std::vector<std::array<double, 4>> t;  // function, record grad, replay grad, replay HVP
};

struct Report {
  std::string date, machine;
  std::vector<Workload> workloads;  // sorted by id
  std::optional<Scaling> scaling;
  std::map<std::string, double> before;  // --compare: old per-function ratios, "workload/method"
};

/// One suite (or peers-) JSON file; a UsageError naming the file when it is not valid JSON or
/// has no "workload".
Workload read_workload(const std::filesystem::path& file);

/// scaling.dat (rows "n t0 t1 t2 t3"); nothing when it is missing or has fewer than two rows.
std::optional<Scaling> read_scaling(const std::filesystem::path& file);

/// The per-function ratios of an earlier report.json, by "workload/method"; a UsageError when it
/// is not valid JSON or holds none.
std::map<std::string, double> old_ratios(const std::string& file);

/// Least-squares slope of log t[column] against log n (1 = linear cost).
double loglog_slope(const Scaling& s, int column);

/// REPORT.md.
std::string report_markdown(const Report& r);

/// report.json: the same numbers, for --compare and for tools.
std::string report_json(const Report& r);

}  // namespace bench_report
