// SPDX-License-Identifier: MIT
#pragma once

// The op registry. Every op a user can call has one line in one of the lists below: its public
// name, its rule (a struct in ops/) and how it reaches doubles. From these lines come
//   - OpList, the type list the sweeps dispatch on (a node's op code is its position there,
//     offset by the structural codes below), with each two-operand op's constant forms
//     (x ∘ c, c ∘ x) and the operators' ops added;
//   - the overloads at Var (var.hpp), Tensor (tensor_ops.hpp) and, where <cmath> has none,
//     double;
//   - the generic derivative tests over OpList and tests/autodiff/public_names_test.cpp, which
//     calls every line by its public name at Var and Tensor.
// Adding an op = its struct in ops/ + one line here.
//
// Each list takes a macro X and applies it to every entry; the generators #undef their X after.
// Adding an entry is adding one line, ending in a backslash like its neighbours.

#include <cstdint>
#include <type_traits>

#include <slope/autodiff/ops/arithmetic.hpp>
#include <slope/autodiff/ops/elementary.hpp>
#include <slope/autodiff/ops/nonsmooth.hpp>
#include <slope/autodiff/ops/special.hpp>
#include <slope/autodiff/ops/stable.hpp>
#include <slope/autodiff/ops/trig.hpp>

// clang-format off
// X(name, Op, twin): one operand. name(Var) records Op, name(Tensor) applies it elementwise.
// `twin` says where name(double) comes from, so a loss written as a template over its number
// type also compiles for double: `std` (<cmath> has it) or `slope` (defined in var.hpp as Op::f).
// abs (and its alias fabs, below) is |x|; its derivative at 0 is 0.
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
  X(erf, Erf, std) \
  X(erfc, Erfc, std) \
  X(lgamma, Lgamma, std) \
  X(tgamma, Tgamma, std) \
  X(digamma, Digamma, slope) \
  X(sigmoid, Sigmoid, slope) \
  X(softplus, Softplus, slope) \
  X(log_sigmoid, LogSigmoid, slope) \
  X(logit, Logit, slope) \
  /* end of SLOPE_UNARY_OPS: each line above ends in a backslash */

// Second names of an op above, with the same overloads (not a second op).
#define SLOPE_UNARY_ALIASES(X) \
  X(fabs, Abs, std) \
  /* end of SLOPE_UNARY_ALIASES: each line above ends in a backslash */

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

// clang-format on

namespace slope::ops {

template <class... Ops>
struct TypeList {
  static constexpr std::size_t size = sizeof...(Ops);
};

template <class... Lists>
struct Concat;
template <class... A>
struct Concat<TypeList<A...>> {
  using type = TypeList<A...>;
};
template <class... A, class... B, class... Rest>
struct Concat<TypeList<A...>, TypeList<B...>, Rest...> : Concat<TypeList<A..., B...>, Rest...> {};

template <class List>
struct TailOf;
template <class First, class... Rest>
struct TailOf<TypeList<First, Rest...>> {
  using type = TypeList<Rest...>;
};
/// A list without its first entry (lists generated from an X-macro start with a placeholder).
template <class List>
using Tail = typename TailOf<List>::type;

// A two-operand op with the ops that x ∘ c and c ∘ x record.
template <class Op>
using WithBound =
    std::conditional_t<std::is_same_v<RightBound<Op>, LeftBound<Op>>, TypeList<Op, RightBound<Op>>,
                       TypeList<Op, RightBound<Op>, LeftBound<Op>>>;
template <class List>
struct ExpandBound;
template <class... Ops>
struct ExpandBound<TypeList<Ops...>> : Concat<WithBound<Ops>...> {};

#define SLOPE_OP_OF_UNARY(name, Op, twin) , Op
#define SLOPE_OP_OF_BINARY(name, tensor_name, Op) , Op
#define SLOPE_OP_OF_VAR_BINARY(name, Op) , Op
// The operators + − * / and unary − (written out in var.hpp and tensor_ops.hpp) come first.
using TwoOperandOps =
    TypeList<Add, Sub, Mul,
             Div SLOPE_BINARY_OPS(SLOPE_OP_OF_BINARY) SLOPE_VAR_BINARY_OPS(SLOPE_OP_OF_VAR_BINARY)>;
using OneOperandOps = TypeList<Neg SLOPE_UNARY_OPS(SLOPE_OP_OF_UNARY)>;
#undef SLOPE_OP_OF_VAR_BINARY
#undef SLOPE_OP_OF_BINARY
#undef SLOPE_OP_OF_UNARY

using OpList = Concat<ExpandBound<TwoOperandOps>::type, OneOperandOps>::type;

// Structural node kinds that are not ops: a registered input, a node whose partials were fused
// from two ops while recording for a gradient only (it cannot be replayed), a scalar a tensor
// node produced (a reduction's result: its adjoint is read by that tensor node's reverse rule),
// and a linear combination z = p0·a + p1·b with constant partials (a + c·b and the like, folded
// while recording for replay: its value is recomputed from its partials).
inline constexpr std::uint8_t kInputCode = 0;
inline constexpr std::uint8_t kFusedCode = 1;
inline constexpr std::uint8_t kTensorCode = 2;
inline constexpr std::uint8_t kLinearCode = 3;
inline constexpr std::uint8_t kFirstOpCode = 4;

/// The ops' traits (rule.hpp) a replay recording folds by: one-operand ops that scale their
/// operand by a constant fold into the two-operand ops with constant partials ±1 as one linear
/// node.
template <class Op>
inline constexpr bool kScales = requires {
  requires Op::scales;
};
template <class Op>
inline constexpr bool kAddsOrSubtracts = requires {
  requires Op::linear;
};

template <class Op, class List>
struct IndexOf;
template <class Op, class... Rest>
struct IndexOf<Op, TypeList<Op, Rest...>> : std::integral_constant<std::size_t, 0> {};
template <class Op, class First, class... Rest>
struct IndexOf<Op, TypeList<First, Rest...>>
    : std::integral_constant<std::size_t, 1 + IndexOf<Op, TypeList<Rest...>>::value> {};

template <class Op>
inline constexpr std::uint8_t op_code = kFirstOpCode + IndexOf<Op, OpList>::value;

static_assert(kFirstOpCode + OpList::size <= 256, "op codes are stored in 8 bits");

}  // namespace slope::ops
