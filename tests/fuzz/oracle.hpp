// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "scalar_ir.hpp"

namespace fuzz {

/// Value, gradient, H·v and (optionally) the Hessian of a program at x, by Boost.Math's
/// forward-mode autodiff: each pass evaluates f(x + s·e_i + t·w) in two-variable first-order dual
/// numbers, whose ∂/∂s, ∂/∂t and ∂²/∂s∂t give g_i, g·w and (H w)_i.
struct OracleResult {
  long double value = 0;
  std::vector<long double> grad, hv, hess;  // hess: n×n row-major, empty when not asked for
  std::vector<std::uint8_t> trace;          // comparison outcomes of the first pass
  std::vector<long double> gaps;            // a − b of each of those comparisons
  bool threw = false;                       // Boost threw (a pole): results are NaN
};

/// In long double (the reference) and in double (its own rounding error estimates how
/// ill-conditioned each number is).
OracleResult oracle_long(const Program& p, std::span<const double> x, std::span<const double> v,
                         bool hessian);
OracleResult oracle_double(const Program& p, std::span<const double> x, std::span<const double> v,
                           bool hessian);
/// In 50 digits: confirms a mismatch before it is reported (slow).
OracleResult oracle_exact(const Program& p, std::span<const double> x, std::span<const double> v,
                          bool hessian);

}  // namespace fuzz
