// SPDX-License-Identifier: MIT
#pragma once

// A TensorProgram run through Slope's tensor ops (the reference is tensor_ref.cpp).

#include <xtensor/xadapt.hpp>
#include <xtensor/xbuilder.hpp>

#include <slope/autodiff.hpp>

#include "tensor_ir.hpp"

namespace fuzz {

struct TensorData {
  xt::xarray<double> D, E, F;
  explicit TensorData(const TensorProgram& p);
};

/// f(p) with E either the data array or a placeholder's Tensor.
template <class EArg>
slope::Var run_tensor(const TensorProgram& p, const slope::Tensor& x, const TensorData& d,
                      const EArg& E);

slope::Tensor map_op(int fn, const slope::Tensor& a);
slope::Var reduce_all(int red, const slope::Tensor& a);
slope::Tensor reduce_axis(int red, const slope::Tensor& a, int axis);

}  // namespace fuzz
