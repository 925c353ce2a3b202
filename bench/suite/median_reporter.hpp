// SPDX-License-Identifier: MIT
#pragma once

// What the suite and the peers binaries share: Google Benchmark's console output plus the
// median of each benchmark's repetitions, and numbers for their JSON files.
//   MedianReporter r(MedianReporter::OO_None);
//   benchmark::RunSpecifiedBenchmarks(&r);   // r.medians["W2-small/replay_gradient"], seconds

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace suite {

class MedianReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      if (!r.error_occurred && r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
        medians[r.run_name.function_name] =
            r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> medians;
};

/// A JSON number with 6 significant digits; null for a missing or non-finite value.
inline std::string json_number(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", *v);
  return buf;
}

}  // namespace suite
