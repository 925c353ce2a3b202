// SPDX-License-Identifier: MIT
// How the cost of a derivative grows with the problem: extended Rosenbrock at n = 10 … 10⁶,
// the plain function, the recorded gradient (record + reverse sweep), the replayed gradient and
// the replayed HVP, with the replay's bytes per node (TapeStats). Reverse mode must be linear in
// n; the closing table fits the slope of log(time) against log(n) for each method and fails the
// run (exit 1) when a derivative's slope leaves [0.9, 1.1]. It also reports how far the replayed
// gradient's cost relative to the function moves across sizes (a cache cliff shows there) and
// fails the run when the largest ratio is 1.5 times the smallest or more.
//   scaling_bench [--data FILE] [--formats] [google benchmark flags...]
// --data writes "n function record_gradient replay_gradient replay_hvp" rows (seconds) for plots.
// --formats also times the replayed gradient in each replay format (the plan, the compact one),
// interleaved with the rest, and prints their ratio per size (what the automatic choice rests on).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "workloads.hpp"

namespace {

using bench::Problem;
using bench::W2;

const std::vector<std::size_t> kSizes{10, 100, 1000, 10000, 100000, 1000000};
const char* const kMethods[] = {"function", "record_gradient", "replay_gradient", "replay_hvp"};

std::string name(const char* method, std::size_t n) {
  return std::string("W2/").append(method).append("/").append(std::to_string(n));
}

slope::Function compiled(const Problem& pr, slope::detail::ReplayFormat format) {
  slope::detail::set_replay_format(format);
  slope::Function F = slope::record(
      [&pr](const slope::Tensor& p) { return W2::loss<slope::Var>(p, pr.data); }, pr.x0);
  std::vector<double> g(pr.x0.size());
  // Warm: the first replay builds the schedule and allocates the values (once per Function).
  F.value_and_grad(pr.x0, g);
  slope::detail::set_replay_format(slope::detail::ReplayFormat::automatic);
  return F;
}

void register_formats(const Problem& pr) {
  using slope::detail::ReplayFormat;
  const std::size_t n = pr.data.n;
  const int reps = n >= 100000 ? 3 : n >= 10000 ? 5 : 9;
  for (const auto& [method, format] : {std::pair{"replay_plan", ReplayFormat::plan},
                                       std::pair{"replay_compact", ReplayFormat::compact}}) {
    bench::add(
        name(method, n),
        [&pr, format = format](benchmark::State& st) {
          slope::Function F = compiled(pr, format);
          std::vector<double> g(pr.x0.size());
          for (auto _ : st) {
            double y = F.value_and_grad(pr.x0, g);
            benchmark::DoNotOptimize(y);
            benchmark::DoNotOptimize(g.data());
          }
        },
        true, 0.05, reps);
  }
}

void register_size(const Problem& pr) {
  const std::size_t n = pr.data.n;
  // Fewer repetitions for the large sizes: each already runs long enough to average the noise.
  const int reps = n >= 100000 ? 3 : n >= 10000 ? 5 : 9;
  const auto add = [&](const char* method, auto fn) {
    bench::add(name(method, n), fn, true, 0.05, reps);
  };
  add("function", [&pr](benchmark::State& st) {
    for (auto _ : st) {
      double y = W2::loss<double>(pr.x0, pr.data);
      benchmark::DoNotOptimize(y);
    }
  });
  add("record_gradient", [&pr](benchmark::State& st) {
    const auto f = [&pr](const slope::Tensor& p) { return W2::loss<slope::Var>(p, pr.data); };
    for (auto _ : st) {
      auto r = slope::value_and_grad(f, pr.x0);
      benchmark::DoNotOptimize(r);
    }
  });
  add("replay_gradient", [&pr](benchmark::State& st) {
    slope::Function F = compiled(pr, slope::detail::ReplayFormat::automatic);
    std::vector<double> g(pr.x0.size());
    for (auto _ : st) {
      double y = F.value_and_grad(pr.x0, g);
      benchmark::DoNotOptimize(y);
      benchmark::DoNotOptimize(g.data());
    }
  });
  add("replay_hvp", [&pr](benchmark::State& st) {
    slope::Function F = slope::record(
        [&pr](const slope::Tensor& p) { return W2::loss<slope::Var>(p, pr.data); }, pr.x0);
    std::vector<double> hv(pr.x0.size());
    F.hvp(pr.x0, pr.v, hv);  // warm, as above (the tangents)
    for (auto _ : st) {
      double y = F.hvp(pr.x0, pr.v, hv);
      benchmark::DoNotOptimize(y);
      benchmark::DoNotOptimize(hv.data());
    }
  });
}

// The compiled gradient replay's bytes per node (TapeStats): the replay format alone (values and
// adjoints included), and with the recording's nodes kept beside it.
slope::TapeStats replay_stats(std::size_t n) {
  const Problem pr = W2::problem(n);
  return compiled(pr, slope::detail::ReplayFormat::automatic).stats();
}

// Least-squares slope of log(t) on log(n).
double loglog_slope(const std::vector<double>& n, const std::vector<double>& t) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    mx += std::log(n[i]) / n.size();
    my += std::log(t[i]) / n.size();
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    sxy += (std::log(n[i]) - mx) * (std::log(t[i]) - my);
    sxx += (std::log(n[i]) - mx) * (std::log(n[i]) - mx);
  }
  return sxy / sxx;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data_file = bench::take_option(argc, argv, "--data");
  bool formats = false;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--formats") == 0) {
      formats = true;
      std::copy(argv + i + 1, argv + argc + 1, argv + i);
      --argc;
      break;
    }
  std::vector<char*> storage;
  bench::initialize(argc, argv, storage);

  std::vector<Problem> problems;
  for (std::size_t n : kSizes) problems.push_back(W2::problem(n));
  for (const Problem& pr : problems) {
    register_size(pr);
    if (formats) register_formats(pr);
  }

  bench::ResultsReporter reporter(isatty(STDOUT_FILENO) ? bench::ResultsReporter::OO_Color
                                                        : bench::ResultsReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf(
      "\n| n | function µs | record+gradient µs | replayed gradient µs | replayed HVP µs "
      "| replayed gradient / function | replayed / recorded gradient | replay format bytes / node "
      "| with the recording |\n|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  std::FILE* out = data_file.empty() ? nullptr : std::fopen(data_file.c_str(), "w");
  if (!data_file.empty() && out == nullptr)
    bench::fail("scaling_bench", "cannot write " + data_file);
  std::vector<double> ns;
  std::vector<std::vector<double>> times(4);
  bool complete = true;
  for (std::size_t n : kSizes) {
    double t[4];
    for (int m = 0; m < 4; ++m) {
      const auto s = reporter.seconds(name(kMethods[m], n));
      complete = complete && s.has_value();
      t[m] = s.value_or(NAN);
    }
    if (!complete) break;
    ns.push_back(static_cast<double>(n));
    for (int m = 0; m < 4; ++m) times[m].push_back(t[m]);
    const slope::TapeStats stats = replay_stats(n);
    std::printf("| %zu | %.3f | %.3f | %.3f | %.3f | %.1f | %.2f | %.1f | %.1f |\n", n, t[0] * 1e6,
                t[1] * 1e6, t[2] * 1e6, t[3] * 1e6, t[2] / t[0], t[2] / t[1],
                stats.replay_bytes_per_node(), stats.bytes_per_node());
    if (out) std::fprintf(out, "%zu %.6e %.6e %.6e %.6e\n", n, t[0], t[1], t[2], t[3]);
  }
  if (out) std::fclose(out);
  if (formats) {
    std::printf("\n| n | plan µs | compact µs | compact / plan |\n|--:|--:|--:|--:|\n");
    for (std::size_t n : kSizes) {
      const auto plan = reporter.seconds(name("replay_plan", n)),
                 compact = reporter.seconds(name("replay_compact", n));
      if (plan && compact)
        std::printf("| %zu | %.3f | %.3f | %.2f |\n", n, *plan * 1e6, *compact * 1e6,
                    *compact / *plan);
    }
  }
  if (!complete) {
    std::printf("(a filter left sizes out: no slopes)\n");
    benchmark::Shutdown();
    return 0;
  }
  double lo = INFINITY, hi = 0;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    lo = std::min(lo, times[2][i] / times[0][i]);
    hi = std::max(hi, times[2][i] / times[0][i]);
  }
  const bool flat = hi < 1.5 * lo;
  std::printf("\nreplayed gradient / function from %.2f to %.2f across sizes: %.2fx%s\n", lo, hi,
              hi / lo, flat ? "" : "  <- 1.5x or more");
  bool linear = flat;
  std::printf("\nlog-log slope of time against n (1 = linear):\n");
  for (int m = 0; m < 4; ++m) {
    const double s = loglog_slope(ns, times[m]);
    const bool derivative = m > 0;
    const bool ok = s >= 0.9 && s <= 1.1;
    linear = linear && (!derivative || ok);
    std::printf("  %-16s %.3f%s\n", kMethods[m], s,
                derivative && !ok ? "  <- outside [0.9, 1.1]" : "");
  }
  benchmark::Shutdown();
  return linear ? 0 : 1;
}
