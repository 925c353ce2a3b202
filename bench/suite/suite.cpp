// SPDX-License-Identifier: MIT
// One workload of the derivative-cost suite, in its own process (so its peak memory is its own):
// checks every method's gradient against the hand-written one, times each method (Google
// Benchmark, 11 repetitions, 5 for the slow ones, randomly interleaved, the median kept) and
// writes the results as JSON.
//   suite W2-small --out bench/results/W2-small.json [google benchmark flags...]
//   suite --list                     the workload ids, one per line
// Exit code 1 when a gradient disagrees with the hand-written one: a benchmark of a wrong
// derivative is worthless.

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../harness.hpp"
#include "cases.hpp"
#include "median_reporter.hpp"

namespace {

using suite::Case;
using suite::json_number;
using suite::MedianReporter;
using suite::Vec;

[[noreturn]] void fail(const std::string& what) { bench::fail("suite", what); }

// Central differences, step scaled to each coordinate.
void fd_gradient(const Case& c, const Vec& x, Vec& g, Vec& work) {
  g.resize(x.size());
  work = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::fabs(x[i]));
    work[i] = x[i] + h;
    const double up = c.plain(work);
    work[i] = x[i] - h;
    const double down = c.plain(work);
    work[i] = x[i];
    g[i] = (up - down) / (2 * h);
  }
}

double max_abs_diff(const Vec& a, const Vec& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

// What a recording costs (TapeStats), with its bytes per node: values and adjoints included.
std::string stats_json(const slope::TapeStats& s) {
  return "{\"nodes\": " + std::to_string(s.nodes) + ", \"entries\": " + std::to_string(s.entries) +
         ", \"bytes\": " + std::to_string(s.bytes) + ", \"peak\": " + std::to_string(s.peak) +
         ", \"bytes_per_node\": " + json_number(s.bytes_per_node()) +
         ", \"replay_bytes\": " + std::to_string(s.replay_bytes) +
         ", \"replay_bytes_per_node\": " + json_number(s.replay_bytes_per_node()) + "}";
}

struct Method {
  std::string name;
  std::optional<double> max_abs_diff;  // gradient against the hand-written one
  double tolerance = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const auto& id : suite::case_ids()) std::printf("%s\n", id.c_str());
    return 0;
  }
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: suite ID [--out FILE] [benchmark flags]; IDs:");
    for (const auto& id : suite::case_ids()) std::fprintf(stderr, " %s", id.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  const Case c = suite::make_case(argv[1]);
  if (c.id.empty()) fail(std::string("unknown workload '") + argv[1] + "'");
  // The workload id is not Google Benchmark's: the program name takes its place.
  argv[1] = argv[0];
  --argc;
  ++argv;
  const std::string out = bench::take_option(argc, argv, "--out");
  // Repetitions randomly interleaved across methods: a slow spell of the host then lands on
  // every method's repetitions a little instead of on one method's median.
  std::vector<char*> arg_storage;
  bench::initialize(argc, argv, arg_storage);

  // Correctness first: every gradient against the hand-written one.
  Vec hand, g, work;
  const double f0 = c.hand(c.x0, hand);
  double scale = 1;
  for (double v : hand) scale = std::max(scale, std::fabs(v));
  if (std::fabs(f0 - c.plain(c.x0)) > 1e-10 * std::max(1.0, std::fabs(f0)))
    fail(c.id + ": the hand-written gradient's value disagrees with the plain function");
  std::vector<Method> methods{{"function", std::nullopt, 0}, {"hand_gradient", 0.0, 0}};
  fd_gradient(c, c.x0, g, work);
  methods.push_back({"fd_gradient", max_abs_diff(g, hand), 1e-5 * scale});
  const auto taped = slope::value_and_grad(c.taped, c.x0);
  methods.push_back({"record_gradient",
                     max_abs_diff(Vec(taped.grad.begin(), taped.grad.end()), hand), 1e-9 * scale});
  slope::Function F = slope::record(c.taped, c.x0);
  g.assign(c.x0.size(), 0.0);
  F.value_and_grad(c.x0, g);
  const slope::TapeStats replay_stats = F.stats();  // the gradient replay's format
  methods.push_back({"replay_gradient", max_abs_diff(g, hand), 1e-9 * scale});
  methods.push_back({"record_hvp", std::nullopt, 0});
  methods.push_back({"replay_hvp", std::nullopt, 0});
  if (c.dense_hessian) methods.push_back({"hessian", std::nullopt, 0});
  for (const Method& m : methods)
    if (m.max_abs_diff && !(*m.max_abs_diff <= m.tolerance))
      fail(c.id + ": " + m.name + " differs from the hand-written gradient by " +
           json_number(m.max_abs_diff) + " (tolerance " + json_number(m.tolerance) + ")");

  // What one recording costs in memory: bytes per op node.
  double tape_bytes = 0, tape_nodes = 0;
  slope::TapeStats record_stats;
  {
    slope::Recording rec(slope::Mode::gradient);
    const slope::Tensor p = rec.tape().inputs(std::span<const double>(c.x0));
    const slope::Var y = c.taped(p);
    tape_nodes = static_cast<double>(rec.tape().size() - 1 - p.size());
    tape_bytes = static_cast<double>(rec.tape().bytes_used());
    record_stats = rec.tape().stats();
    benchmark::DoNotOptimize(y);
  }

  // The ratios the bars judge (function, hand-written, Slope's methods) get 11 repetitions of at
  // least 0.1 s: on this shared host one method's 5 medians could land far apart; central
  // differences and the dense Hessian (slow per call on the large workloads) keep 5.
  const auto add = [&](const std::string& name, auto fn) {
    const bool slow = name == "fd_gradient" || name == "hessian";
    benchmark::RegisterBenchmark((c.id + "/" + name).c_str(), fn)
        ->Unit(benchmark::kMicrosecond)
        ->MinTime(slow ? 0.05 : 0.1)
        ->Repetitions(slow ? 5 : 11)
        ->ReportAggregatesOnly(true);
  };
  add("function", [&](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(c.plain(c.x0));
  });
  add("hand_gradient", [&](benchmark::State& st) {
    Vec gg;
    for (auto _ : st) {
      benchmark::DoNotOptimize(c.hand(c.x0, gg));
      benchmark::DoNotOptimize(gg.data());
    }
  });
  add("fd_gradient", [&](benchmark::State& st) {
    Vec gg, ww;
    for (auto _ : st) {
      fd_gradient(c, c.x0, gg, ww);
      benchmark::DoNotOptimize(gg.data());
    }
  });
  add("record_gradient", [&](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(slope::value_and_grad(c.taped, c.x0));
  });
  add("replay_gradient", [&](benchmark::State& st) {
    Vec gg(c.x0.size());
    for (auto _ : st) {
      benchmark::DoNotOptimize(F.value_and_grad(c.x0, gg));
      benchmark::DoNotOptimize(gg.data());
    }
  });
  add("record_hvp", [&](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(slope::hvp(c.taped, c.x0, c.v));
  });
  add("replay_hvp", [&](benchmark::State& st) {
    Vec hv(c.x0.size());
    F.hvp(c.x0, c.v, hv);  // warm: the first dual replay allocates the tangents
    for (auto _ : st) {
      benchmark::DoNotOptimize(F.hvp(c.x0, c.v, hv));
      benchmark::DoNotOptimize(hv.data());
    }
  });
  if (c.dense_hessian)
    add("hessian", [&](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(F.hessian(c.x0));
    });

  MedianReporter reporter(MedianReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::string j =
      "{\n  \"workload\": \"" + c.id + "\",\n  \"what\": \"" + c.what +
      "\",\n  \"parameters\": " + std::to_string(c.x0.size()) +
      ",\n  \"peak_rss_bytes\": " + std::to_string(usage.ru_maxrss * 1024L) +
      ",\n  \"tape_bytes_per_op\": " + json_number(tape_nodes > 0 ? tape_bytes / tape_nodes : NAN) +
      ",\n  \"tape_ops\": " + json_number(tape_nodes) +
      ",\n  \"record_stats\": " + stats_json(record_stats) +
      ",\n  \"replay_stats\": " + stats_json(replay_stats) + ",\n  \"methods\": [\n";
  bool first = true;
  for (const Method& m : methods) {
    const auto it = reporter.medians.find(c.id + "/" + m.name);
    if (it == reporter.medians.end()) continue;  // filtered out
    j += std::string(first ? "" : ",\n") + "    {\"method\": \"" + m.name +
         "\", \"seconds\": " + json_number(it->second) +
         ", \"max_abs_diff\": " + json_number(m.max_abs_diff) + "}";
    first = false;
  }
  j += "\n  ]\n}\n";
  if (out.empty()) {
    std::fputs(j.c_str(), stdout);
  } else {
    std::ofstream f(out);
    if (!(f << j)) fail("cannot write " + out);
  }
  return 0;
}
