// SPDX-License-Identifier: MIT
#pragma once

// What every Slope benchmark binary shares: short repetitions, randomly interleaved, with the
// minimum taken (the host's noise only ever adds time, and interleaving spreads a slow spell over
// every method instead of one), and a reporter that keeps each result for the closing ratio table.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

[[noreturn]] inline void fail(const char* binary, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", binary, what.c_str());
  std::exit(1);
}

inline std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

/// Removes `name VALUE` from argv (so Google Benchmark does not see it) and returns VALUE, or ""
/// when the option is absent.
inline std::string take_option(int& argc, char** argv, std::string_view name) {
  std::string value;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (name == argv[i] && i + 1 < argc)
      value = argv[++i];
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  return value;
}

/// Initializes Google Benchmark with random interleaving on (unless the flags say otherwise);
/// returns whether --benchmark_min_time was given, which must then win over our default.
inline bool initialize(int& argc, char**& argv, std::vector<char*>& storage) {
  bool min_time_given = false, interleave_given = false;
  for (int i = 1; i < argc; ++i) {
    min_time_given |= std::string_view(argv[i]).starts_with("--benchmark_min_time");
    interleave_given |=
        std::string_view(argv[i]).starts_with("--benchmark_enable_random_interleaving");
  }
  static std::string interleave = "--benchmark_enable_random_interleaving=true";
  storage.assign(argv, argv + argc);
  if (!interleave_given) storage.push_back(interleave.data());
  int n = static_cast<int>(storage.size());
  benchmark::Initialize(&n, storage.data());
  argc = n;
  argv = storage.data();
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) std::exit(1);
  return min_time_given;
}

template <class Fn>
benchmark::internal::Benchmark* add(const std::string& name, Fn fn, bool set_min_time,
                                    double min_time, int repetitions) {
  auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
  b->Unit(benchmark::kMicrosecond);
  if (set_min_time) b->MinTime(min_time)->Repetitions(repetitions);
  b->ComputeStatistics(
      "min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
  return b;
}

/// The normal console output, plus each run's time (the minimum over repetitions) and counters.
class ResultsReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool min = r.run_type == Run::RT_Aggregate && r.aggregate_name == "min";
      if (r.error_occurred || (r.run_type == Run::RT_Aggregate && !min)) continue;
      Result& slot = results_[r.run_name.function_name];
      if (slot.from_min && !min) continue;
      slot = {r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit), r.counters,
              min};
    }
    ConsoleReporter::ReportRuns(runs);
  }

  std::optional<double> seconds(const std::string& name) const {
    const auto it = results_.find(name);
    if (it == results_.end()) return std::nullopt;
    return it->second.seconds;
  }
  std::optional<double> counter(const std::string& name, const std::string& key) const {
    const auto it = results_.find(name);
    if (it == results_.end()) return std::nullopt;
    const auto c = it->second.counters.find(key);
    if (c == it->second.counters.end()) return std::nullopt;
    return c->second.value;
  }
  // Benchmarks left out by --benchmark_filter show as a dash.
  static std::string cell(std::optional<double> x, const char* format) {
    if (!x) return "–";
    char buf[64];
    std::snprintf(buf, sizeof buf, format, *x);
    return buf;
  }
  static std::string ratio(std::optional<double> a, std::optional<double> b) {
    return cell(a && b ? std::optional(*a / *b) : std::nullopt, "%.2f");
  }

 private:
  struct Result {
    double seconds = 0;
    benchmark::UserCounters counters;
    bool from_min = false;
  };
  std::map<std::string, Result> results_;
};

}  // namespace bench
