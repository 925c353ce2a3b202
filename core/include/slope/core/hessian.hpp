// SPDX-License-Identifier: MIT
#pragma once

// A dense Hessian from Hessian-vector products, the one way every layer assembles one.

#include <cstddef>
#include <span>

namespace slope::core {

/// Fills h (row-major n×n) with hvp(e_j, column) for every unit vector e_j, then symmetrises it:
/// forward-over-reverse columns agree with their transposes only to rounding, and a Cholesky
/// factorisation wants the matrix exactly symmetric. unit and column are caller-owned scratch
/// of length n, so that a caller that assembles often allocates nothing.
template <class Hvp>
void hessian_from_hvps(std::size_t n, std::span<double> h, std::span<double> unit,
                       std::span<double> column, Hvp&& hvp) {
  for (double& u : unit) u = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    unit[j] = 1.0;
    hvp(std::span<const double>(unit), column);
    unit[j] = 0.0;
    for (std::size_t i = 0; i < n; ++i) h[i * n + j] = column[i];
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
}

}  // namespace slope::core
