// SPDX-License-Identifier: MIT
#pragma once

// Slope's automatic differentiation: include this one header.
//   #include <slope/autodiff.hpp>
//   auto f = [](const slope::Tensor& p) { return exp(p[0]) * sin(p[1]); };
//   auto [fx, g] = slope::value_and_grad(f, std::vector<double>{0.5, 1.0});
// (runs as examples/autodiff_functional.cpp)

#include <slope/autodiff/check.hpp>
#include <slope/autodiff/function.hpp>
#include <slope/autodiff/functional.hpp>
#include <slope/autodiff/tape.hpp>
#include <slope/autodiff/tape_stats.hpp>
#include <slope/autodiff/tensor.hpp>
#include <slope/autodiff/tensor_ops.hpp>
#include <slope/autodiff/var.hpp>
#include <slope/core/error.hpp>
#include <slope/core/format.hpp>
