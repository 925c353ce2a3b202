// SPDX-License-Identifier: MIT
// Slope's side of a TensorProgram.

#include "tensor_slope.hpp"

namespace fuzz {

TensorData::TensorData(const TensorProgram& p) {
  const std::size_t R = std::size_t(p.R), C = std::size_t(p.C), K = std::size_t(p.K);
  D = xt::adapt(p.D, std::vector<std::size_t>{R, C});
  E = xt::adapt(p.E, std::vector<std::size_t>{C, K});
  F = xt::adapt(p.F, std::vector<std::size_t>{C});
}

slope::Tensor map_op(int fn, const slope::Tensor& a) {
  switch (fn) {
    case 0:
      return sin(a);
    case 1:
      return cos(a);
    case 2:
      return tanh(a);
    case 3:
      return sigmoid(a);
    case 4:
      return softplus(a);
    case 5:
      return square(a);
    case 6:
      return atan(a);
    case 7:
      return erf(a);
    case 8:
      return asinh(a);
    case 9:
      return abs(a);
    default:
      return log_sigmoid(a);
  }
}

slope::Var reduce_all(int red, const slope::Tensor& a) {
  switch (red) {
    case 0:
      return slope::sum(a);
    case 1:
      return slope::mean(a);
    case 2:
      return slope::max(a);
    case 3:
      return slope::min(a);
    case 4:
      return slope::norm2(a);
    default:
      return slope::log_sum_exp(a);
  }
}

slope::Tensor reduce_axis(int red, const slope::Tensor& a, int axis) {
  switch (red) {
    case 0:
      return slope::sum(a, axis);
    case 1:
      return slope::mean(a, axis);
    case 2:
      return slope::max(a, axis);
    case 3:
      return slope::min(a, axis);
    case 4:
      return slope::norm2(a, axis);
    default:
      return slope::log_sum_exp(a, axis);
  }
}

namespace {
template <class Y>
slope::Tensor zip(int op, const slope::Tensor& a, const Y& y) {
  switch (op) {
    case 0:
      return a + y;
    case 1:
      return a - y;
    case 2:
      return a * y;
    case 3:
      return slope::maximum(a, y);
    default:
      return slope::minimum(a, y);
  }
}
}  // namespace

template <class EArg>
slope::Var run_tensor(const TensorProgram& p, const slope::Tensor& x, const TensorData& d,
                      const EArg& E) {
  const std::size_t RC = std::size_t(p.R * p.C), C = std::size_t(p.C);
  std::vector<slope::Tensor> reg{x.slice(0, RC).reshape({p.R, p.C}), x.slice(RC, RC + C)};
  const slope::Var s = x[RC + C];
  for (const TInstr& in : p.code) {
    const slope::Tensor& a = reg[std::size_t(in.x)];
    const auto y = [&] { return reg[std::size_t(in.y)]; };
    switch (in.op) {
      case TOp::Map:
        reg.push_back(map_op(in.fn, a));
        break;
      case TOp::Zip:
        reg.push_back(zip(in.fn, a, y()));
        break;
      case TOp::ZipData:
        if (in.variant == 2)
          reg.push_back(a / (1.0 + d.D * d.D));
        else
          reg.push_back(zip(in.fn, a, in.variant == 0 ? d.D : d.F));
        break;
      case TOp::ZipScalar:
        reg.push_back(in.variant == 0 ? zip(in.fn, a, s) : zip(in.fn, a, in.k));
        break;
      case TOp::Reduce:
        reg.push_back(reduce_axis(in.fn, a, in.axis));
        break;
      case TOp::Softmax:
        reg.push_back(in.variant == 0 ? slope::softmax(a, in.axis)
                                      : slope::log_softmax(a, in.axis));
        break;
      case TOp::MatmulE:
        reg.push_back(slope::matmul(a, E));
        break;
      case TOp::MatmulVec:
        reg.push_back(slope::matmul(a, y()));
        break;
      case TOp::Transpose:
        reg.push_back(slope::transpose(a));
        break;
      case TOp::Slice:
        reg.push_back(in.lo % 2 ? a.slice(std::size_t(in.lo), std::size_t(in.hi))
                                : slope::slice(a, std::size_t(in.lo), std::size_t(in.hi)));
        break;
      case TOp::Concat:
        reg.push_back(slope::concatenate({a, y()}, 0));
        break;
    }
  }
  return reduce_all(p.final_reduction, reg.back()) + s / 2.0;
}

template slope::Var run_tensor(const TensorProgram&, const slope::Tensor&, const TensorData&,
                               const xt::xarray<double>&);
template slope::Var run_tensor(const TensorProgram&, const slope::Tensor&, const TensorData&,
                               const slope::Tensor&);

}  // namespace fuzz
