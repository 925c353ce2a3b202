// SPDX-License-Identifier: MIT
// sweep_sums.hpp: Slope's own tape walked back with |partials|.

#include <algorithm>
#include <cmath>

#include <slope/autodiff.hpp>

#include "scalar_interp.hpp"
#include "sweep_sums.hpp"

namespace fuzz {

// The interpreter on Var (most of this file's compile time under the sanitizers) is
// instantiated once, in scalar_check.cpp.
extern template class Interpreter<slope::Var>;

namespace {

struct Recorded {
  std::vector<slope::Node> nodes;
  std::size_t floor = 0, first = 0, out = 0;  // out 0: the output is a constant
};

// One node per op (Mode::replay), copied out of the tape.
Recorded record(const Program& p, std::span<const double> x) {
  slope::Recording rec(slope::Mode::replay);
  slope::Tape& tape = rec.tape();
  const slope::Tensor in = tape.inputs(x);
  Machine<slope::Var> m;
  const slope::Var y = run<slope::Var>(p, in, m);
  Recorded r;
  r.nodes.assign(tape.nodes(), tape.nodes() + tape.size());
  r.floor = tape.sweep_floor();
  r.first = in.first_slot();
  r.out = y.is_active() ? y.slot() : 0;
  return r;
}

// A one-operand node names its own slot as b (its p1 may be a constant, not a partial).
bool two_operands(const slope::Node& n, std::size_t i) { return n.b() != i; }

// |adjoints| from the output down: the first-order sums at every node.
std::vector<long double> absolute_adjoints(const Recorded& r) {
  std::vector<long double> g(r.nodes.size(), 0);
  if (r.out == 0) return g;
  g[r.out] = 1;
  for (std::size_t i = r.out + 1; i-- > r.floor;) {
    const slope::Node& n = r.nodes[i];
    g[n.a()] += std::fabs(n.p0) * g[i];
    if (two_operands(n, i)) g[n.b()] += std::fabs(n.p1) * g[i];
  }
  return g;
}

std::vector<long double> sums_along(const Program& p, std::span<const double> x,
                                    std::span<const double> v) {
  const Recorded r = record(p, x);
  const std::vector<long double> g = absolute_adjoints(r);
  std::vector<long double> sums(x.size(), 0);
  if (v.empty()) {
    for (std::size_t k = 0; k < x.size(); ++k) sums[k] = g[r.first + k];
    return sums;
  }
  double xmax = 0, vmax = 0;
  for (double e : x) xmax = std::max(xmax, std::fabs(e));
  for (double e : v) vmax = std::max(vmax, std::fabs(e));
  if (vmax == 0) return sums;
  const double h = 1e-6 * (1 + xmax) / vmax;
  std::vector<double> xh(x.begin(), x.end());
  for (std::size_t k = 0; k < xh.size(); ++k) xh[k] += h * v[k];
  const Recorded s = record(p, xh);
  if (s.nodes.size() != r.nodes.size() || s.out != r.out) return {};
  std::vector<long double> gdot(r.nodes.size(), 0);
  for (std::size_t i = r.out + 1; i-- > r.floor;) {
    const slope::Node &n = r.nodes[i], &m = s.nodes[i];
    if (n.word != m.word) return {};  // another op or operand: a branch turned
    const long double dp0 = std::fabs(m.p0 - n.p0) / h, dp1 = std::fabs(m.p1 - n.p1) / h;
    gdot[n.a()] += std::fabs(n.p0) * gdot[i] + dp0 * g[i];
    if (two_operands(n, i)) gdot[n.b()] += std::fabs(n.p1) * gdot[i] + dp1 * g[i];
  }
  for (std::size_t k = 0; k < x.size(); ++k) sums[k] = gdot[r.first + k];
  return sums;
}

}  // namespace

// Asked while a mismatch is judged: a program that throws here has no sums (and no say).
std::vector<long double> sweep_sums(const Program& p, std::span<const double> x,
                                    std::span<const double> v) {
  try {
    return sums_along(p, x, v);
  } catch (const std::exception&) {
    return {};
  }
}

std::vector<long double> hessian_sums(const Program& p, std::span<const double> x) {
  const std::size_t n = x.size();
  std::vector<std::vector<long double>> columns(n);
  for (std::size_t j = 0; j < n; ++j) {
    std::vector<double> e(n, 0.0);
    e[j] = 1;
    columns[j] = sweep_sums(p, x, e);
    if (columns[j].empty()) return {};
  }
  std::vector<long double> sums(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) sums[i * n + j] = std::max(columns[j][i], columns[i][j]);
  return sums;
}

}  // namespace fuzz
