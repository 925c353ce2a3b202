// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "tensor_ir.hpp"

namespace fuzz {

/// The program as C++: its data, and a lambda `[&](const slope::Tensor& p) { ... }`.
std::string to_cpp(const TensorProgram& p);

}  // namespace fuzz
