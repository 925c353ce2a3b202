// SPDX-License-Identifier: MIT
#pragma once

// A dual number carries a value and one tangent: f(v + d·ε) = f(v) + f'(v)·d·ε with ε² = 0.
// Evaluating an op's derivative rule in Dual arithmetic gives that derivative's own directional
// derivative, which is what the Hessian-vector sweep needs (forward over reverse). Only the four
// arithmetic operations live here; every other function of a Dual is lifted from the op's own
// rule (see ops/rule.hpp), so no op has a second, hand-written second-order rule.

namespace slope {

struct Dual {
  double v = 0;  // value
  double d = 0;  // tangent

  constexpr Dual() = default;
  constexpr Dual(double value) : v(value) {}  // NOLINT: constants promote implicitly
  constexpr Dual(double value, double tangent) : v(value), d(tangent) {}

  constexpr Dual& operator+=(const Dual& o) {
    v += o.v;
    d += o.d;
    return *this;
  }
};

// (a + ȧε) ± (b + ḃε) = (a ± b) + (ȧ ± ḃ)ε
constexpr Dual operator+(const Dual& a, const Dual& b) { return {a.v + b.v, a.d + b.d}; }
constexpr Dual operator-(const Dual& a, const Dual& b) { return {a.v - b.v, a.d - b.d}; }
constexpr Dual operator-(const Dual& a) { return {-a.v, -a.d}; }
// (a + ȧε)(b + ḃε) = ab + (ȧb + aḃ)ε
constexpr Dual operator*(const Dual& a, const Dual& b) {
  return {a.v * b.v, a.d * b.v + a.v * b.d};
}
// (a + ȧε)/(b + ḃε) = a/b + (ȧ − (a/b)ḃ)/b ε
constexpr Dual operator/(const Dual& a, const Dual& b) {
  const double q = a.v / b.v;
  return {q, (a.d - q * b.d) / b.v};
}

constexpr double value_of(double x) { return x; }
constexpr double value_of(const Dual& x) { return x.v; }

// x − value_of(x) without forming ∞ − ∞: the tangent alone (0 for a double). A rule that takes
// a limit at an infinite point (log_sum_exp at a = b = −∞) keeps the direction of approach.
constexpr double tangent_part(double) { return 0; }
constexpr Dual tangent_part(const Dual& x) { return {0, x.d}; }

// A reverse sweep's share p·ḡ of an operand's adjoint, where a zero adjoint contributes zero
// even through an infinite or NaN partial: a node nothing downstream uses (sqrt(0) recorded but
// never read), or one whose use is scaled by an exact 0, must not turn ∞·0 into a NaN gradient at
// its operands. In dual numbers each of the three products follows the same rule.
constexpr double adjoint_share(double p, double g) { return g == 0 ? 0.0 : p * g; }
constexpr Dual adjoint_share(const Dual& p, const Dual& g) {
  return {adjoint_share(p.v, g.v), adjoint_share(p.d, g.v) + adjoint_share(p.v, g.d)};
}

}  // namespace slope
