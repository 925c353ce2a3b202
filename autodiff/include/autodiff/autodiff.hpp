// SPDX-License-Identifier: MIT
#pragma once

// Slope's automatic differentiation: include this one header.
//   #include <autodiff/autodiff.hpp>
//   auto f = [](const slope::Tensor& p) { return exp(p[0]) * sin(p[1]); };
//   auto [fx, g] = slope::value_and_grad(f, std::vector<double>{0.5, 1.0});

#include <autodiff/check.hpp>
#include <autodiff/error.hpp>
#include <autodiff/function.hpp>
#include <autodiff/objective.hpp>
#include <autodiff/functional.hpp>
#include <autodiff/tape.hpp>
#include <autodiff/tensor.hpp>
#include <autodiff/tensor_ops.hpp>
#include <autodiff/var.hpp>
