// SPDX-License-Identifier: MIT
// Times each scalar workload four ways (plain function, hand-written gradient, Slope gradient,
// Slope HVP) and ends with a table of ratios. Ratios, not absolute times, are what carry over
// between machines, so they all come from this one process run.
//   scalar_bench [google benchmark flags...]

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness.hpp"
#include "workloads.hpp"

namespace {

using bench::Problem;

[[noreturn]] void fail(const std::string& what) { bench::fail("scalar_bench", what); }
using bench::num;

template <class W>
auto taped(const Problem& pr) {
  return [&pr](const slope::Tensor& p) { return W::template loss<slope::Var>(p, pr.data); };
}

double max_abs_diff(std::span<const double> a, std::span<const double> b, double& scale) {
  double diff = 0;
  scale = 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return diff;
}

// A point other than x0 (the recording's), for replays.
std::vector<double> moved(const Problem& pr) {
  std::vector<double> x = pr.x0;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += 0.01 * pr.v[i];
  return x;
}

// A benchmark of a wrong derivative is worthless, so check before timing anything.
template <class W>
void verify(const Problem& pr) {
  const std::string name = W::name;
  std::vector<double> g;
  const double f_hand = W::gradient(pr.x0, pr.data, g);
  const double f_plain = W::template loss<double>(pr.x0, pr.data);
  const auto [f_slope, g_slope] = slope::value_and_grad(taped<W>(pr), pr.x0);
  if (std::fabs(f_slope - f_plain) > 1e-10 * std::max(1.0, std::fabs(f_plain)) ||
      std::fabs(f_hand - f_plain) > 1e-10 * std::max(1.0, std::fabs(f_plain)))
    fail(name + ": values differ (plain " + num(f_plain) + ", Slope " + num(f_slope) + ", hand " +
         num(f_hand) + ")");
  double scale;
  const double dg = max_abs_diff({g_slope.data(), g_slope.size()}, g, scale);
  if (!(dg <= 1e-10 * scale))
    fail(name + ": Slope gradient differs from the hand gradient by " + num(dg));

  // The HVP has no hand-written counterpart: compare with central differences of the hand
  // gradient along v instead (O(h²) accurate, hence the looser tolerance).
  const double h = 1e-6;
  std::vector<double> xp = pr.x0, xm = pr.x0, gp, gm;
  for (std::size_t i = 0; i < xp.size(); ++i) xp[i] += h * pr.v[i], xm[i] -= h * pr.v[i];
  W::gradient(xp, pr.data, gp);
  W::gradient(xm, pr.data, gm);
  for (std::size_t i = 0; i < gp.size(); ++i) gp[i] = (gp[i] - gm[i]) / (2 * h);
  const auto hv = slope::hvp(taped<W>(pr), pr.x0, pr.v);
  const double dh = max_abs_diff({hv.data(), hv.size()}, gp, scale);
  if (!(dh <= 1e-6 * scale))
    fail(name + ": Slope HVP differs from finite differences by " + num(dh));

  // The replayed gradient at another point than the recording's.
  slope::Function F = slope::record(taped<W>(pr), pr.x0);
  const std::vector<double> x1 = moved(pr);
  std::vector<double> g1, g_replay(x1.size());
  W::gradient(x1, pr.data, g1);
  F.value_and_grad(x1, g_replay);
  const double dr = max_abs_diff(g_replay, g1, scale);
  if (!(dr <= 1e-10 * scale))
    fail(name + ": replayed gradient differs from the hand gradient by " + num(dr));
}

// Memory of one recording: per node (every op or input: node, partials and adjoint), and per
// op with the inputs' nodes charged to the ops.
struct TapeStats {
  double bytes_per_node, bytes_per_op, ops;
};

// What one gradient recording costs; recorded outside the timed loop.
template <class W>
TapeStats tape_stats(const Problem& pr) {
  slope::Recording rec(slope::Mode::gradient);
  const slope::Tensor p = rec.tape().inputs(std::span<const double>(pr.x0));
  const slope::Var y = W::template loss<slope::Var>(p, pr.data);
  const double ops = static_cast<double>(rec.tape().size() - 1 - p.size());
  const double bytes = static_cast<double>(rec.tape().bytes_used());
  return {bytes / static_cast<double>(rec.tape().size()), bytes / ops, ops};
}

template <class W>
void register_workload(const Problem& pr, bool set_min_time) {
  const auto add = [&](const char* kind, auto fn) {
    bench::add(std::string(W::name) + "/" + kind, fn, set_min_time, 0.05, 15);
  };
  add("function", [&pr](benchmark::State& st) {
    for (auto _ : st) {
      double y = W::template loss<double>(pr.x0, pr.data);
      benchmark::DoNotOptimize(y);
    }
  });
  add("hand_gradient", [&pr](benchmark::State& st) {
    std::vector<double> g;
    for (auto _ : st) {
      double y = W::gradient(pr.x0, pr.data, g);
      benchmark::DoNotOptimize(y);
      benchmark::DoNotOptimize(g.data());
    }
  });
  add("slope_gradient", [&pr](benchmark::State& st) {
    const auto f = taped<W>(pr);
    for (auto _ : st) {
      auto r = slope::value_and_grad(f, pr.x0);
      benchmark::DoNotOptimize(r);
    }
    const TapeStats t = tape_stats<W>(pr);
    st.counters["tape_bytes_per_node"] = t.bytes_per_node;
    st.counters["tape_bytes_per_op"] = t.bytes_per_op;
    st.counters["nodes"] = t.ops;
  });
  add("slope_hvp", [&pr](benchmark::State& st) {
    const auto f = taped<W>(pr);
    for (auto _ : st) {
      auto hv = slope::hvp(f, pr.x0, pr.v);
      benchmark::DoNotOptimize(hv);
    }
  });
  // Recorded once at x0, replayed at the two other points in turn, results into buffers.
  add("replay_gradient", [&pr](benchmark::State& st) {
    slope::Function F = slope::record(taped<W>(pr), pr.x0);
    const std::vector<double> x1 = moved(pr), x2 = pr.x0;
    std::vector<double> g(pr.x0.size());
    bool odd = false;
    for (auto _ : st) {
      double y = F.value_and_grad((odd = !odd) ? x1 : x2, g);
      benchmark::DoNotOptimize(y);
      benchmark::DoNotOptimize(g.data());
    }
  });
  add("replay_hvp", [&pr](benchmark::State& st) {
    slope::Function F = slope::record(taped<W>(pr), pr.x0);
    const std::vector<double> x1 = moved(pr), x2 = pr.x0;
    std::vector<double> hv(pr.x0.size());
    bool odd = false;
    for (auto _ : st) {
      double y = F.hvp((odd = !odd) ? x1 : x2, pr.v, hv);
      benchmark::DoNotOptimize(y);
      benchmark::DoNotOptimize(hv.data());
    }
  });
}

// The ratio table for the scalar workloads.
class TableReporter : public bench::ResultsReporter {
 public:
  using ResultsReporter::ResultsReporter;

  void print_table(const std::vector<std::pair<std::string, std::string>>& workloads) const {
    std::printf(
        "\n| workload | function | gradient / function | HVP / function | HVP / gradient "
        "| replayed gradient / function | replayed HVP / function "
        "| Slope / hand gradient | hand gradient / function | tape bytes / node "
        "| tape bytes / op (inputs included) | op nodes |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (const auto& [name, what] : workloads) {
      const auto f = seconds(name + "/function"), hand = seconds(name + "/hand_gradient");
      const auto grad = seconds(name + "/slope_gradient"), hvp = seconds(name + "/slope_hvp");
      const auto rgrad = seconds(name + "/replay_gradient"), rhvp = seconds(name + "/replay_hvp");
      std::printf("| %s: %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                  name.c_str(), what.c_str(),
                  cell(f ? std::optional(*f * 1e6) : f, "%.2f µs").c_str(), ratio(grad, f).c_str(),
                  ratio(hvp, f).c_str(), ratio(hvp, grad).c_str(), ratio(rgrad, f).c_str(),
                  ratio(rhvp, f).c_str(), ratio(grad, hand).c_str(), ratio(hand, f).c_str(),
                  cell(counter(name + "/slope_gradient", "tape_bytes_per_node"), "%.1f").c_str(),
                  cell(counter(name + "/slope_gradient", "tape_bytes_per_op"), "%.1f").c_str(),
                  cell(counter(name + "/slope_gradient", "nodes"), "%.0f").c_str());
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  const bool min_time_given = bench::initialize(argc, argv, args);

  const Problem w1 = bench::W1::problem(), w2 = bench::W2::problem(), w3 = bench::W3::problem();
  verify<bench::W1>(w1);
  verify<bench::W2>(w2);
  verify<bench::W3>(w3);
  register_workload<bench::W1>(w1, !min_time_given);
  register_workload<bench::W2>(w2, !min_time_given);
  register_workload<bench::W3>(w3, !min_time_given);

  // Colour only on a terminal, and counters inline: the library's own defaults.
  TableReporter reporter(isatty(STDOUT_FILENO) ? TableReporter::OO_Color : TableReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_table({{bench::W1::name, bench::W1::what},
                        {bench::W2::name, bench::W2::what},
                        {bench::W3::name, bench::W3::what}});
  benchmark::Shutdown();
  return 0;
}
