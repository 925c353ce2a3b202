// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "tensor_ir.hpp"

namespace fuzz {

/// The program as C++: its data, and a lambda `[&](const slope::Tensor& p) { ... }`.
std::string to_cpp(const TensorProgram& p);

/// The names it calls: of a Map's fn (below kMaps), a Zip's op (below kZips: + - * are written
/// as operators) and a reduction (below kReductions).
const char* map_name(int fn);
const char* zip_name(int op);
const char* reduction_name(int red);

}  // namespace fuzz
