// SPDX-License-Identifier: MIT
#pragma once

// The op registry: one line per op. A node's op code is its position here (offset by the two
// structural codes below); the replay and HVP sweeps dispatch through this list, and the generic
// derivative test walks it. Adding an op = its rule in ops/ + one line here + its public
// overload in var.hpp.

#include <cstdint>
#include <type_traits>

#include <autodiff/ops/arithmetic.hpp>
#include <autodiff/ops/elementary.hpp>
#include <autodiff/ops/nonsmooth.hpp>
#include <autodiff/ops/special.hpp>
#include <autodiff/ops/stable.hpp>
#include <autodiff/ops/trig.hpp>

namespace slope::ops {

template <class... Ops>
struct TypeList {
  static constexpr std::size_t size = sizeof...(Ops);
};

// clang-format off: one row per family of ops
using OpList =
    TypeList<Add, Sub, Mul, Div, BindRight<Add>, BindRight<Sub>, BindLeft<Sub>, BindRight<Mul>,
             BindRight<Div>, BindLeft<Div>, Neg, Square, Sqrt, Cbrt, Exp, Expm1, Log, Log1p, Log2,
             Log10, Pow, PowC, BindLeft<Pow>, Sin, Cos, Tan, Asin, Acos, Atan, Atan2,
             BindRight<Atan2>, BindLeft<Atan2>, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh, Abs, Hypot,
             BindRight<Hypot>, Min, BindRight<Min>, Max, BindRight<Max>, Erf, Erfc, Lgamma, Tgamma,
             Digamma, Sigmoid, Softplus, LogSumExp2, BindRight<LogSumExp2>>;
// clang-format on

// Structural node kinds that are not ops: a registered input, a node whose partials were fused
// from two ops while recording for a gradient only (it cannot be replayed), and a scalar a tensor
// node produced (a reduction's result): its adjoint is read by that tensor node's reverse rule.
inline constexpr std::uint8_t kInputCode = 0;
inline constexpr std::uint8_t kFusedCode = 1;
inline constexpr std::uint8_t kTensorCode = 2;
inline constexpr std::uint8_t kFirstOpCode = 3;

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
