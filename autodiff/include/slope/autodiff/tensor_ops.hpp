// SPDX-License-Identifier: MIT
#pragma once

// The tensor ops. Operands mix freely: Tensor, Var, double and xtensor data (xt::xarray and any
// xtensor expression), with NumPy broadcasting; at least one operand is a Tensor.
//
//   slope::Tensor z = slope::matmul(X, w) + b;           // X: xt::xarray<double> (N, D)
//   slope::Var loss = slope::mean(slope::softplus(z) - y * z);
//
// Elementwise functions reuse the scalar op's own rule (ops/) element by element, so a tensor
// op has the same value, derivative and second-order rule as its scalar twin. Shape errors are
// slope::Errors raised while recording, naming the op and the shapes.
// (runs as examples/tensors.cpp)

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xexpression.hpp>

#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/reductions.hpp>
#include <slope/autodiff/tensor.hpp>
#include <slope/autodiff/var.hpp>

namespace slope {

template <class T>
concept TensorArg = std::same_as<std::remove_cvref_t<T>, Tensor>;
template <class T>
concept DataArg = xt::is_xexpression<std::remove_cvref_t<T>>::value;
template <class T>
concept TensorOperand = TensorArg<T> || VarArg<T> || ScalarArg<T> || DataArg<T>;
/// Operands of a tensor op: a Tensor on at least one side, or a Var with xtensor data (which
/// makes a Tensor too). Being constrained, these overloads win over xtensor's unconstrained
/// operator templates, which would otherwise build an xtensor expression of Tensor scalars.
template <class A, class B>
concept TensorOperands = (TensorArg<A> && TensorOperand<B>) || (TensorOperand<A> && TensorArg<B>) ||
                         (VarArg<A> && DataArg<B>) || (DataArg<A> && VarArg<B>);

namespace detail {

// The operand's node on the active tape (constants get a node of their own).
std::uint32_t node_of(const Tensor& t, const char* op);
std::uint32_t node_of(const Var& v, const char* op);
std::uint32_t node_of(double c, const char* op);
std::uint32_t node_of(const xt::xarray<double>& data, const char* op);  // referenced, not copied
std::uint32_t node_of(xt::xarray<double>&& data, const char* op);       // owned by the tape

template <class A>
std::uint32_t operand(A&& a, const char* op) {
  using T = std::remove_cvref_t<A>;
  if constexpr (TensorArg<A> || VarArg<A>)
    return node_of(a, op);
  else if constexpr (ScalarArg<A>)
    return node_of(static_cast<double>(a), op);
  else if constexpr (std::same_as<T, xt::xarray<double>>)
    return node_of(std::forward<A>(a), op);
  else
    return node_of(xt::xarray<double>(std::forward<A>(a)), op);
}

// Non-template halves, compiled once in the library.
Tensor tensor_map(std::uint8_t code, std::uint32_t a);
Tensor tensor_bound(std::uint8_t code, std::uint32_t a, double c);
Tensor tensor_zip(std::uint8_t code, std::uint32_t a, std::uint32_t b);
Tensor tensor_where(xt::xarray<bool> mask, std::uint32_t a, std::uint32_t b);
Tensor tensor_matmul(std::uint32_t a, std::uint32_t b);
Var tensor_dot(std::uint32_t a, std::uint32_t b);

// A reduction (reductions.hpp) by its code: over all elements, or along an axis.
Var reduce_all(std::uint8_t code, const Tensor& a);
Tensor reduce_axis(std::uint8_t code, const Tensor& a, std::ptrdiff_t axis);

template <class Op>
Tensor map(const Tensor& a) {
  static_assert(Op::arity == ops::Arity::unary);
  return tensor_map(ops::op_code<Op>, node_of(a, Op::name));
}
template <class Op, class A, class B>
Tensor zip(A&& a, B&& b) {
  static_assert(Op::arity == ops::Arity::binary);
  if constexpr (TensorArg<A> && ScalarArg<B> && requires { typename Op::right_bound; }) {
    // a ∘ c with a rule of its own, as on the scalar tape (pow: a^c, defined for a < 0).
    return tensor_bound(ops::op_code<typename Op::right_bound>, node_of(a, Op::name),
                        static_cast<double>(b));
  } else {
    const std::uint32_t na = operand(std::forward<A>(a), Op::name);
    return tensor_zip(ops::op_code<Op>, na, operand(std::forward<B>(b), Op::name));
  }
}
template <class R>
Var reduce(const Tensor& a) {
  return reduce_all(reductions::code<R>, a);
}
template <class R>
Tensor reduce(const Tensor& a, std::ptrdiff_t axis) {
  return reduce_axis(reductions::code<R>, a, axis);
}

}  // namespace detail

// Elementwise arithmetic with broadcasting.
template <class A, class B>
requires TensorOperands<A, B> Tensor operator+(A&& a, B&& b) {
  return detail::zip<ops::Add>(std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
requires TensorOperands<A, B> Tensor operator-(A&& a, B&& b) {
  return detail::zip<ops::Sub>(std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
requires TensorOperands<A, B> Tensor operator*(A&& a, B&& b) {
  return detail::zip<ops::Mul>(std::forward<A>(a), std::forward<B>(b));
}
template <class A, class B>
requires TensorOperands<A, B> Tensor operator/(A&& a, B&& b) {
  return detail::zip<ops::Div>(std::forward<A>(a), std::forward<B>(b));
}
inline Tensor operator-(const Tensor& a) { return detail::map<ops::Neg>(a); }
inline Tensor operator+(const Tensor& a) { return a; }

// The functions of one and two operands, elementwise, from the lists in op_list.hpp, and the
// reductions from SLOPE_REDUCTIONS (reductions.hpp).
#define SLOPE_TENSOR_UNARY(name, Op, twin) \
  inline Tensor name(const Tensor& a) { return detail::map<ops::Op>(a); }
#define SLOPE_TENSOR_BINARY(var_name, name, Op)                          \
  template <class A, class B>                                            \
  requires TensorOperands<A, B> Tensor name(A&& a, B&& b) {              \
    return detail::zip<ops::Op>(std::forward<A>(a), std::forward<B>(b)); \
  }
#define SLOPE_TENSOR_REDUCTION(name, R)                                         \
  inline Var name(const Tensor& a) { return detail::reduce<reductions::R>(a); } \
  inline Tensor name(const Tensor& a, std::ptrdiff_t axis) {                    \
    return detail::reduce<reductions::R>(a, axis);                              \
  }
SLOPE_UNARY_OPS(SLOPE_TENSOR_UNARY)
SLOPE_UNARY_ALIASES(SLOPE_TENSOR_UNARY)
SLOPE_BINARY_OPS(SLOPE_TENSOR_BINARY)
SLOPE_REDUCTIONS(SLOPE_TENSOR_REDUCTION)
#undef SLOPE_TENSOR_REDUCTION
#undef SLOPE_TENSOR_BINARY
#undef SLOPE_TENSOR_UNARY

/// exp(a − log_sum_exp(a, axis)) and a − log_sum_exp(a, axis), evaluated stably.
Tensor softmax(const Tensor& a, std::ptrdiff_t axis = -1);
Tensor log_softmax(const Tensor& a, std::ptrdiff_t axis = -1);

/// Matrix products through BLAS: (m,k)x(k,n) -> (m,n), (m,k)x(k,) -> (m,), (k,)x(k,n) -> (n,),
/// (k,)x(k,) -> a 0-d tensor.
template <class A, class B>
requires TensorOperands<A, B> Tensor matmul(A&& a, B&& b) {
  const std::uint32_t na = detail::operand(std::forward<A>(a), "matmul");
  return detail::tensor_matmul(na, detail::operand(std::forward<B>(b), "matmul"));
}
/// The inner product of two 1-D operands.
template <class A, class B>
requires TensorOperands<A, B> Var dot(A&& a, B&& b) {
  const std::uint32_t na = detail::operand(std::forward<A>(a), "dot");
  return detail::tensor_dot(na, detail::operand(std::forward<B>(b), "dot"));
}

/// Axes reversed (rows and columns swapped for a matrix).
Tensor transpose(const Tensor& a);
Tensor reshape(const Tensor& a, std::initializer_list<Dim> shape);
/// Rows [begin, end) along the first axis.
Tensor slice(const Tensor& a, std::size_t begin, std::size_t end);
/// Rows idx[0], idx[1], ... along the first axis (a mini-batch); repeats allowed.
Tensor gather_rows(const Tensor& a, std::span<const std::size_t> idx);
inline Tensor gather_rows(const Tensor& a, const std::vector<std::size_t>& idx) {
  return gather_rows(a, std::span<const std::size_t>(idx));
}
/// Row indices from any range of integers (an xt::xarray<int>, std::vector<int>, ...).
template <class R>
requires(!std::convertible_to<const R&, std::span<const std::size_t>>) &&
    std::integral<std::remove_cvref_t<decltype(*std::begin(std::declval<const R&>()))>> Tensor
    gather_rows(const Tensor& a, const R& idx) {
  std::vector<std::size_t> rows;
  for (const auto i : idx) {
    if constexpr (std::is_signed_v<std::remove_cvref_t<decltype(i)>>)
      if (i < 0) throw Error("slope: gather_rows: negative index " + std::to_string(i));
    rows.push_back(static_cast<std::size_t>(i));
  }
  return gather_rows(a, std::span<const std::size_t>(rows));
}
/// Joins tensors along an existing axis; every other extent must agree.
Tensor concatenate(std::span<const Tensor> parts, std::ptrdiff_t axis = 0);
inline Tensor concatenate(std::initializer_list<Tensor> parts, std::ptrdiff_t axis = 0) {
  return concatenate(std::span<const Tensor>(parts.begin(), parts.size()), axis);
}
/// A 1-D tensor of scalars (at least one of them on the tape, or all constants).
Tensor stack(std::span<const Var> xs);
inline Tensor stack(std::initializer_list<Var> xs) {
  return stack(std::span<const Var>(xs.begin(), xs.size()));
}
inline Tensor stack(const std::vector<Var>& xs) { return stack(std::span<const Var>(xs)); }

/// mask ? a : b elementwise, with broadcasting; the mask is a constant (any boolean xtensor
/// expression), its derivative zero.
template <class M, class A, class B>
requires DataArg<M> && TensorOperands<A, B> Tensor where(M&& mask, A&& a, B&& b) {
  const std::uint32_t na = detail::operand(std::forward<A>(a), "where");
  const std::uint32_t nb = detail::operand(std::forward<B>(b), "where");
  return detail::tensor_where(xt::xarray<bool>(std::forward<M>(mask)), na, nb);
}

/// The value of a tensor (for generic code).
xt::xarray<double> value(const Tensor& t);

}  // namespace slope
