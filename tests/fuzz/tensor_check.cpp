// SPDX-License-Identifier: MIT
// One tensor program: Slope's value, gradient and HVP (fresh, and from a recorded Function
// replayed at a new point and with new placeholder data) against long-double Richardson-
// extrapolated central differences of the reference interpreter; and, for about a quarter of
// the programs, the error paths (see tensor_errors.cpp).

#include <cmath>
#include <optional>
#include <typeinfo>

#include "tensor_check.hpp"
#include "tensor_ref.hpp"
#include "tensor_run.hpp"
#include "tensor_slope.hpp"

namespace fuzz {

using L = long double;

// Central differences with steps h and h/2, Richardson-extrapolated: (4 D(h/2) − D(h)) / 3.
// A stencil point where some max, min or fabs takes another branch than at x straddles a kink:
// the differences mix two smooth pieces (and may still agree across h), so that component is
// not compared.
Differences differences(const TensorProgram& p, const std::vector<double>& x0,
                        const std::vector<double>& v, std::span<const double> e) {
  const std::size_t n = x0.size();
  std::vector<L> x(x0.begin(), x0.end());
  std::vector<std::uint32_t> at_x, here;
  reference(p, x, e, &at_x);
  bool smooth = true;
  auto f = [&](std::size_t i, L hi, L hv) {
    std::vector<L> y = x;
    for (std::size_t j = 0; j < n; ++j) y[j] += hv * static_cast<L>(v[j]);
    y[i] += hi;
    const L r = reference(p, y, e, &here);
    smooth = smooth && here == at_x;
    return r;
  };
  Differences d;
  for (std::size_t i = 0; i < n; ++i) {
    auto g = [&](L h) { return (f(i, h, 0) - f(i, -h, 0)) / (2 * h); };
    auto m = [&](L h) {
      return (f(i, h, h) - f(i, h, -h) - f(i, -h, h) + f(i, -h, -h)) / (4 * h * h);
    };
    const L h = 1e-3L;
    smooth = true;
    const L g1 = g(h), g2 = g(h / 2);
    const bool g_smooth = smooth;
    smooth = true;
    const L m1 = m(h), m2 = m(h / 2);
    d.grad.push_back((4 * g2 - g1) / 3), d.hv.push_back((4 * m2 - m1) / 3);
    d.grad_ok.push_back(g_smooth && std::fabs(g1 - g2) <= 1e-5L * (1 + std::fabs(g1)));
    d.hv_ok.push_back(smooth && std::fabs(m1 - m2) <= 1e-3L * (1 + std::fabs(m1)));
  }
  return d;
}

Outcome fuzz_tensor(std::mt19937_64& rng, bool verbose, long index) {
  Outcome out;
  out.stats.programs = 1;
  const TensorProgram p = generate_tensor(rng);
  const TensorData data(p);
  const std::size_t n = std::size_t(p.R * p.C + p.C + 1);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  std::vector<double> x(n), v(n), x1(n);
  for (auto& xi : x) xi = u(rng);
  for (auto& vi : v) vi = u(rng);
  for (std::size_t i = 0; i < n; ++i) x1[i] = x[i] + 0.05 * u(rng);
  TensorRun run(out, index);
  if (verbose)
    std::printf("tensor %ld: R %d C %d K %d, %zu ops\n", index, p.R, p.C, p.K, p.code.size());
  auto f = [&](const slope::Tensor& t) { return run_tensor(p, t, data, data.E); };
  run.call("fresh value_and_grad", [&] {
    const auto vg = slope::value_and_grad(f, x);
    const auto hv = slope::hvp(f, x, v);
    run.compare("fresh", p, x, v, {}, vg.value, &vg.grad, &hv);
  });
  // Recorded with E as a placeholder, replayed at x1, then with new data for E.
  auto fe = [&](const slope::Tensor& t, const slope::Tensor& E) {
    return run_tensor(p, t, data, E);
  };
  std::optional<slope::Function> F;
  if (run.call("record",
               [&] { F.emplace(slope::record(fe, x, slope::Placeholder("E", data.E))); })) {
    for (const auto* at : {&x, &x1})
      run.call("replay", [&] {
        const auto vg = F->value_and_grad(*at);
        const auto hv = F->hvp(*at, v);
        run.compare("replay", p, *at, v, {}, vg.value, &vg.grad, &hv);
      });
    std::vector<double> e2(p.E.size());
    for (auto& ei : e2) ei = u(rng);
    xt::xarray<double> E2 =
        xt::adapt(e2, std::vector<std::size_t>{std::size_t(p.C), std::size_t(p.K)});
    run.call("replay with new E", [&] {
      F->bind("E", E2);
      const auto vg = F->value_and_grad(x1);
      run.compare("replay with new E", p, x1, v, e2, vg.value, &vg.grad, nullptr);
    });
  }
  if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) tensor_error_paths(rng, p, run);
  return out;
}

}  // namespace fuzz
