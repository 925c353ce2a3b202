// SPDX-License-Identifier: MIT
#pragma once

// The public names of the ops: one line each. var.hpp generates the Var overloads from these
// lists, tensor_ops.hpp the Tensor ones, and tests/autodiff/public_names_test.cpp calls every
// entry by its name at both, so adding a public op is its rule in ops/, its line in op_list.hpp
// and its line here. (The operators + − * / and unary − are written out in var.hpp and
// tensor_ops.hpp.)
//
// Each list takes a macro X and applies it to every entry; the generators #undef their X after.
// Adding an entry is adding one line, ending in a backslash like its neighbours.

// X(name, Op, twin): one operand. name(Var) records Op, name(Tensor) applies it elementwise.
// `twin` says where name(double) comes from, so a loss written as a template over its number
// type also compiles for double: `std` (<cmath> has it) or `slope` (defined in var.hpp as Op::f).
// abs and fabs are both |x|; its derivative at 0 is 0.
// clang-format off
#define SLOPE_UNARY_OPS(X) \
  X(sqrt, Sqrt, std) \
  X(cbrt, Cbrt, std) \
  X(exp, Exp, std) \
  X(expm1, Expm1, std) \
  X(log, Log, std) \
  X(log1p, Log1p, std) \
  X(log2, Log2, std) \
  X(log10, Log10, std) \
  X(square, Square, slope) \
  X(sin, Sin, std) \
  X(cos, Cos, std) \
  X(tan, Tan, std) \
  X(asin, Asin, std) \
  X(acos, Acos, std) \
  X(atan, Atan, std) \
  X(sinh, Sinh, std) \
  X(cosh, Cosh, std) \
  X(tanh, Tanh, std) \
  X(asinh, Asinh, std) \
  X(acosh, Acosh, std) \
  X(atanh, Atanh, std) \
  X(abs, Abs, std) \
  X(fabs, Abs, std) \
  X(erf, Erf, std) \
  X(erfc, Erfc, std) \
  X(lgamma, Lgamma, std) \
  X(tgamma, Tgamma, std) \
  X(digamma, Digamma, slope) \
  X(sigmoid, Sigmoid, slope) \
  X(softplus, Softplus, slope) \
  X(log_sigmoid, LogSigmoid, slope) \
  /* end of SLOPE_UNARY_OPS: each line above ends in a backslash */

// X(name, tensor_name, Op): two operands, a Var or a constant on either side (at Tensor: a Tensor
// on one side, and a Tensor, Var, double or xtensor data on the other, with broadcasting).
// pow(x, c) with a constant exponent records x^c, defined for negative x when c is an integer.
// At Tensor, min(t) and max(t) reduce (below), so the elementwise ones are minimum and maximum.
#define SLOPE_BINARY_OPS(X) \
  X(pow, pow, Pow) \
  X(atan2, atan2, Atan2) \
  X(hypot, hypot, Hypot) \
  X(min, minimum, Min) \
  X(max, maximum, Max) \
  /* end of SLOPE_BINARY_OPS: each line above ends in a backslash */

// X(name, Op): two operands, Var only: log_sum_exp(t) of a Tensor reduces it (below); for two
// doubles it is Op::f.
#define SLOPE_VAR_BINARY_OPS(X) \
  X(log_sum_exp, LogSumExp2) \
  /* end of SLOPE_VAR_BINARY_OPS: each line above ends in a backslash */

// X(name, R): reductions (reductions.hpp) of a Tensor: name(t) over all elements to a Var,
// name(t, axis) along one axis (negative counts from the end) to a Tensor without that axis.
// max and min pass the adjoint to the first maximal (minimal) element; norm2 has gradient 0 at
// the zero vector.
#define SLOPE_REDUCTIONS(X) \
  X(sum, Sum) \
  X(mean, Mean) \
  X(max, Max) \
  X(min, Min) \
  X(norm2, Norm2) \
  X(log_sum_exp, LogSumExp) \
  /* end of SLOPE_REDUCTIONS: each line above ends in a backslash */
// clang-format on
