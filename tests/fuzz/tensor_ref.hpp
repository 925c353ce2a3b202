// SPDX-License-Identifier: MIT
#pragma once

// A tiny long-double n-d array (1-D and 2-D, row-major) and the reference interpreter of a
// TensorProgram: the same maths as Slope's tensor ops, written independently.

#include <cstdint>
#include <span>
#include <vector>

#include "tensor_ir.hpp"

namespace fuzz {

struct Arr {
  Shape shape;
  std::vector<long double> v;
  std::size_t rows() const { return shape.size() == 2 ? shape[0] : 1; }
  std::size_t cols() const { return shape.back(); }
};

/// f(x) in long double; `e_data` replaces E when not empty (a rebinding). `choices`, when given,
/// receives the branch each kink took (max, min, their reductions, fabs), in evaluation order.
long double reference(const TensorProgram& p, std::span<const long double> x,
                      std::span<const double> e_data = {},
                      std::vector<std::uint32_t>* choices = nullptr);

}  // namespace fuzz
