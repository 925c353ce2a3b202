// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "scalar_ir.hpp"

namespace fuzz {

/// The program as a compilable C++ lambda `[](const slope::Tensor& p) { ... }`.
std::string to_cpp(const Program& p);
/// A double vector as a C++ initializer, every value round-tripping.
std::string to_cpp(const std::vector<double>& x);
/// A double as C++ (round-tripping, with `std::numeric_limits` spelled out for NaN and Inf).
std::string num(double v);

}  // namespace fuzz
