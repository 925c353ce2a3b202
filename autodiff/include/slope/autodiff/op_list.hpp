// SPDX-License-Identifier: MIT
#pragma once

// The op registry: one line per op. A node's op code is its position here (offset by the two
// structural codes below); the replay and HVP sweeps dispatch through this list, and the generic
// derivative test walks it. Adding an op = its rule in ops/ + one line here + its public name
// in op_names.hpp (which generates its overloads at Var, Tensor and, where <cmath> has none,
// double).

#include <cstdint>
#include <type_traits>

#include <slope/autodiff/ops/arithmetic.hpp>
#include <slope/autodiff/ops/elementary.hpp>
#include <slope/autodiff/ops/nonsmooth.hpp>
#include <slope/autodiff/ops/special.hpp>
#include <slope/autodiff/ops/stable.hpp>
#include <slope/autodiff/ops/trig.hpp>

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
             Digamma, Sigmoid, Softplus, LogSigmoid, LogSumExp2, BindRight<LogSumExp2>>;
// clang-format on

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

/// One-operand ops that scale their operand by a constant (their partial is that constant), and
/// the two-operand ops with constant partials ±1: a recording for replay folds the first into the
/// second as one linear node.
template <class Op>
inline constexpr bool kScales = std::is_same_v<Op, BindRight<Mul>> ||
                                std::is_same_v<Op, BindRight<Div>> || std::is_same_v<Op, Neg>;
template <class Op>
inline constexpr bool kAddsOrSubtracts = std::is_same_v<Op, Add> || std::is_same_v<Op, Sub>;

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
