// SPDX-License-Identifier: MIT
// Other C++ AD libraries on the suite's scalar workloads (W1-small, W2-small, W2-large), each in
// its own process like bench/suite: ADOL-C (reverse mode: taping + gradient(), the tape re-used
// at a new point, hess_vec), Sacado's Rad (reverse mode), Eigen's AutoDiffScalar and Boost.Math's
// autodiff (forward mode: a gradient costs n derivative directions). Every gradient is checked
// against the hand-written one before timing; the results go to the same JSON format, merged by
// `slope bench report`.
//   peers W2-small --out bench/results/peers-W2-small.json [google benchmark flags...]
// A library missing at build time is left out (the JSON says which were built).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/math/differentiation/autodiff.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "../harness.hpp"
#include "../suite/median_reporter.hpp"
#include "../workloads.hpp"

#ifdef SLOPE_PEER_ADOLC
#include <adolc/adolc.h>
#endif
#ifdef SLOPE_PEER_SACADO
#include <Sacado_trad.hpp>
#endif
#ifdef SLOPE_PEER_EIGEN
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>
#endif

namespace {

using Vec = std::vector<double>;
using suite::MedianReporter;

std::string num(double v) { return suite::json_number(v); }

[[noreturn]] void fail(const std::string& what) { bench::fail("peers", what); }

struct Method {
  std::string name;
  std::function<void(const Vec& x, Vec& g)> gradient;  // empty for an HVP
  std::function<void(const Vec& x, const Vec& v, Vec& hv)> hvp;
};

template <class W>
std::vector<Method> methods(const bench::Data& d, std::size_t n) {
  std::vector<Method> out;
#ifdef SLOPE_PEER_ADOLC
  // Tape 1 holds the recording; gradient() at another point re-uses it (valid while no branch
  // on active values changes, which these workloads have none of).
  const auto tape = [&d, n](const Vec& x) {
    trace_on(1);
    std::vector<adouble> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] <<= x[i];
    adouble y = W::template loss<adouble>(p, d);
    double f = 0;
    y >>= f;
    trace_off();
    return f;
  };
  out.push_back({"adolc_record_gradient",
                 [tape, n](const Vec& x, Vec& g) {
                   tape(x);
                   g.resize(n);
                   gradient(1, static_cast<int>(n), x.data(), g.data());
                 },
                 {}});
  out.push_back({"adolc_replay_gradient",
                 [n](const Vec& x, Vec& g) {
                   g.resize(n);
                   gradient(1, static_cast<int>(n), x.data(), g.data());
                 },
                 {}});
  out.push_back({"adolc_replay_hvp", {}, [n](const Vec& x, const Vec& v, Vec& hv) {
                   hv.resize(n);
                   hess_vec(1, static_cast<int>(n), const_cast<double*>(x.data()),
                            const_cast<double*>(v.data()), hv.data());
                 }});
  tape(Vec(n, 0.5));  // so that a replay-only method finds a tape
#endif
#ifdef SLOPE_PEER_SACADO
  // Sacado's Rad: operator-overloading reverse mode; Gradcomp() sweeps and recycles the tape.
  out.push_back({"sacado_record_gradient",
                 [&d, n](const Vec& x, Vec& g) {
                   using R = Sacado::Rad::ADvar<double>;
                   std::vector<R> p(x.begin(), x.end());
                   const R y = W::template loss<R>(p, d);
                   Sacado::Rad::ADcontext<double>::Gradcomp();
                   g.resize(n);
                   for (std::size_t i = 0; i < n; ++i) g[i] = p[i].adj();
                   benchmark::DoNotOptimize(y.val());
                 },
                 {}});
#endif
#ifdef SLOPE_PEER_EIGEN
  out.push_back({"eigen_forward_gradient",
                 [&d, n](const Vec& x, Vec& g) {
                   using AD = Eigen::AutoDiffScalar<Eigen::VectorXd>;
                   std::vector<AD> p(n);
                   for (std::size_t i = 0; i < n; ++i)
                     p[i] = AD(x[i], static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(i));
                   const AD y = W::template loss<AD>(p, d);
                   g.assign(y.derivatives().data(), y.derivatives().data() + n);
                 },
                 {}});
#endif
  out.push_back({"boost_forward_gradient",
                 [&d, n](const Vec& x, Vec& g) {
                   using boost::math::differentiation::autodiff_fvar;
                   using F = autodiff_fvar<double, 1>;
                   std::vector<F> p(x.begin(), x.end());  // constants
                   g.resize(n);
                   for (std::size_t i = 0; i < n; ++i) {
                     p[i] = boost::math::differentiation::make_fvar<double, 1>(x[i]);
                     g[i] = W::template loss<F>(p, d).derivative(1);
                     p[i] = F(x[i]);
                   }
                 },
                 {}});
  // H v by nesting: along x(t) = x + t v, (H v)_i = ∂²f/∂x_i∂t, one pass per coordinate with a
  // second independent variable on x_i (n passes of a 4-component type; forward mode has no
  // cheaper way to a whole H v).
  out.push_back({"boost_forward_hvp", {}, [&d, n](const Vec& x, const Vec& v, Vec& hv) {
                   using F = boost::math::differentiation::autodiff_fvar<double, 1, 1>;
                   const auto [xi, t] =
                       boost::math::differentiation::make_ftuple<double, 1, 1>(0.0, 0.0);
                   std::vector<F> p(n);
                   for (std::size_t j = 0; j < n; ++j) p[j] = x[j] + t * v[j];
                   hv.resize(n);
                   for (std::size_t i = 0; i < n; ++i) {
                     const F along = p[i];
                     p[i] = along + xi;
                     hv[i] = W::template loss<F>(p, d).derivative(1, 1);
                     p[i] = along;
                   }
                 }});
  return out;
}

template <class W>
int run(const std::string& id, const bench::Problem& pr, const std::string& out, int argc,
        char** argv) {
  const std::size_t n = pr.x0.size();
  Vec hand;
  W::gradient(pr.x0, pr.data, hand);
  double scale = 1;
  for (double v : hand) scale = std::max(scale, std::fabs(v));
  // A point other than the tape's: a replay there must recompute every value.
  Vec x1 = pr.x0;
  for (std::size_t i = 0; i < n; ++i) x1[i] += 0.01 * pr.v[i];
  Vec hand1;
  W::gradient(x1, pr.data, hand1);
  std::vector<Method> ms = methods<W>(pr.data, n);
  std::vector<std::pair<std::string, double>> diffs;
  // A peer's H v against Slope's (replayed at x1 from a recording at x0): no hand-written one.
  const auto taped = [&pr](const slope::Tensor& p) {
    return W::template loss<slope::Var>(p, pr.data);
  };
  slope::Function F = slope::record(taped, pr.x0);
  Vec slope_hv(n);
  F.hvp(x1, pr.v, slope_hv);
  double hv_scale = 1;
  for (double h : slope_hv) hv_scale = std::max(hv_scale, std::fabs(h));
  for (const Method& m : ms) {
    if (!m.gradient) {
      Vec hv;
      m.hvp(x1, pr.v, hv);
      double d = 0;
      for (std::size_t i = 0; i < n; ++i) d = std::max(d, std::fabs(hv[i] - slope_hv[i]));
      if (!(d <= 1e-9 * hv_scale))
        fail(id + ": " + m.name + " differs from Slope's H v by " + num(d));
      diffs.emplace_back(m.name, NAN);  // the report's column is for gradients
      continue;
    }
    Vec g;
    m.gradient(x1, g);
    double d = 0;
    for (std::size_t i = 0; i < n; ++i) d = std::max(d, std::fabs(g[i] - hand1[i]));
    if (!(d <= 1e-9 * scale))
      fail(id + ": " + m.name + " differs from the hand-written gradient by " + num(d));
    diffs.emplace_back(m.name, d);
  }
  for (const Method& m : ms)
    benchmark::RegisterBenchmark((id + "/" + m.name).c_str(),
                                 [&m, &x1, &pr](benchmark::State& st) {
                                   Vec g;
                                   for (auto _ : st) {
                                     if (m.gradient)
                                       m.gradient(x1, g);
                                     else
                                       m.hvp(x1, pr.v, g);
                                     benchmark::DoNotOptimize(g.data());
                                   }
                                 })
        ->Unit(benchmark::kMicrosecond)
        ->MinTime(0.05)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
  std::vector<char*> arg_storage;
  bench::initialize(argc, argv, arg_storage);  // repetitions interleaved, as in the suite
  MedianReporter reporter(MedianReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::string j = "{\n  \"workload\": \"" + id + "\",\n  \"methods\": [\n";
  bool first = true;
  for (const auto& [name, diff] : diffs) {
    const auto it = reporter.medians.find(id + "/" + name);
    if (it == reporter.medians.end()) continue;
    j += std::string(first ? "" : ",\n") + "    {\"method\": \"" + name +
         "\", \"seconds\": " + num(it->second) + ", \"max_abs_diff\": " + num(diff) + "}";
    first = false;
  }
  j += "\n  ]\n}\n";
  std::ofstream f(out);
  if (!(f << j)) fail("cannot write " + out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--out") != 0) {
    std::fprintf(stderr, "usage: peers W1-small|W2-small|W2-large --out FILE [benchmark flags]\n");
    return 2;
  }
  const std::string id = argv[1], out = argv[3];
  argv[3] = argv[0];
  if (id == "W1-small") return run<bench::W1>(id, bench::W1::problem(), out, argc - 3, argv + 3);
  if (id == "W2-small") return run<bench::W2>(id, bench::W2::problem(100), out, argc - 3, argv + 3);
  if (id == "W2-large")
    return run<bench::W2>(id, bench::W2::problem(10000), out, argc - 3, argv + 3);
  fail("unknown workload '" + id + "' (peers run W1-small, W2-small, W2-large)");
}
