// SPDX-License-Identifier: MIT
#pragma once

// How large the terms are that Slope's reverse sweeps add a derivative up from (compare.hpp's
// `sums`): a component that is a small difference of large terms carries rounding of an ulp of
// the largest, which forward mode (the oracle), cancelling before it multiplies, never forms.

#include <span>
#include <vector>

#include "scalar_ir.hpp"

namespace fuzz {

/// For each input: over every path from the output to it, the product of the |partials| on it
/// (v empty: the gradient's terms), or with tangent v the same for the dual sweep's terms
/// |ṗ|·|ḡ| + |p|·|ġ| (H·v), the partials' tangents ṗ estimated by a difference along v. Empty
/// when the program does not record the same nodes at x + h·v.
std::vector<long double> sweep_sums(const Program& p, std::span<const double> x,
                                    std::span<const double> v);
/// The same for each Hessian entry (i, j), row-major: the larger of the two H·e sums.
std::vector<long double> hessian_sums(const Program& p, std::span<const double> x);

}  // namespace fuzz
