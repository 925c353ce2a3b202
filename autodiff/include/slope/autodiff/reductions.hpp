// SPDX-License-Identifier: MIT
#pragma once

// The reductions (sum, mean, max, min, norm2, log_sum_exp), one struct each, as the scalar ops
// are (ops/rule.hpp). A reduction reads a lane: all elements of a tensor, or, along an axis, the
// elements that differ only in that axis; it gives one value per lane. Each struct holds
//
//   name          its public name, in error messages
//   empty_is_zero of no elements it is 0 (true), or an Error naming it and the shape (false)
//   over_rows     what its value over all elements is in terms of blocks of rows of the operand
//   f(a)          z, the value of the lane a
//   df(a, j, z, k) ∂z/∂a_j, the weight by which z's adjoint reaches element j
//   pick(a, z)    optional: k, found once per lane for df (the maximal element of max, ...)
//
// all written once over the number type T: at T = double f gives the value and df the gradient's
// weights; at T = Dual (a recording with tangents) f gives the value's tangent and df the
// weights' tangents, which the HVP needs. Other ops are called as ops::call<Op>, so no reduction
// has a second-order rule of its own. SLOPE_REDUCTIONS below is the registry: a tensor node's
// reduction code is a position in the ReductionList made from it, and the node dispatches
// through it.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <slope/autodiff/dual.hpp>
#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/ops/elementary.hpp>

// clang-format off
// The registry, one line per reduction: X(name, R), R a struct below. name(t) reduces a Tensor
// over all elements to a Var, name(t, axis) along one axis (negative counts from the end) to a
// Tensor without that axis. max and min pass the adjoint to the first maximal (minimal) element;
// norm2 has gradient 0 at the zero vector. Adding a reduction = its struct + one line here.
#define SLOPE_REDUCTIONS(X) \
  X(sum, Sum) \
  X(mean, Mean) \
  X(max, Max) \
  X(min, Min) \
  X(norm2, Norm2) \
  X(log_sum_exp, LogSumExp) \
  /* end of SLOPE_REDUCTIONS: each line above ends in a backslash */
// clang-format on

namespace slope::reductions {

/// Element j of a lane: entry base + j·stride of the values v (and of their tangents t; a null t
/// reads as tangent 0). T = Dual reads the element with its tangent.
template <class T>
struct Lane {
  const double* v;
  const double* t;
  std::size_t base, stride, len;
  T operator()(std::size_t j) const {
    const std::size_t i = base + j * stride;
    if constexpr (std::is_same_v<T, double>)
      return v[i];
    else
      return Dual(v[i], t != nullptr ? t[i] : 0.0);
  }
  double value(std::size_t j) const { return v[base + j * stride]; }
  std::size_t arg(bool largest) const {  // first maximal (minimal) element
    std::size_t k = 0;
    for (std::size_t j = 1; j < len; ++j)
      if (largest ? value(j) > value(k) : value(j) < value(k)) k = j;
    return k;
  }
  std::size_t count(double m) const {  // how many elements equal m
    std::size_t k = 0;
    for (std::size_t j = 0; j < len; ++j) k += value(j) == m ? 1 : 0;
    return k;
  }
};

/// A reduction over all elements of an operand whose rows follow the data's rows, in terms of the
/// same reduction over blocks of those rows: their sum, their mean, or neither (replays that walk
/// the data in blocks of rows combine the blocks' results this way).
enum class OverRows : std::uint8_t { sum, mean, neither };

// z = Σ a_j,   ∂z/∂a_j = 1
struct Sum {
  static constexpr const char* name = "sum";
  static constexpr bool empty_is_zero = true;
  static constexpr OverRows over_rows = OverRows::sum;
  template <class T>
  static T f(const Lane<T>& a) {
    T s = T(0);
    for (std::size_t j = 0; j < a.len; ++j) s += a(j);
    return s;
  }
  template <class T>
  static T df(const Lane<T>&, std::size_t, const T&, std::size_t) {
    return T(1);
  }
};

// z = Σ a_j / n,   ∂z/∂a_j = 1/n
struct Mean {
  static constexpr const char* name = "mean";
  static constexpr bool empty_is_zero = false;
  static constexpr OverRows over_rows = OverRows::mean;
  template <class T>
  static T f(const Lane<T>& a) {
    return Sum::f(a) / T(static_cast<double>(a.len));
  }
  template <class T>
  static T df(const Lane<T>& a, std::size_t, const T&, std::size_t) {
    return T(1.0 / static_cast<double>(a.len));
  }
};

// z = a_k, k the first maximal element,   ∂z/∂a_j = [j = k]
struct Max {
  static constexpr const char* name = "max";
  static constexpr bool empty_is_zero = false;
  static constexpr OverRows over_rows = OverRows::neither;
  template <class T>
  static T f(const Lane<T>& a) {
    return a(a.arg(true));
  }
  template <class T>
  static std::size_t pick(const Lane<T>& a, const T&) {
    return a.arg(true);
  }
  template <class T>
  static T df(const Lane<T>&, std::size_t j, const T&, std::size_t k) {
    return T(j == k ? 1.0 : 0.0);
  }
};

// z = a_k, k the first minimal element,   ∂z/∂a_j = [j = k]
struct Min {
  static constexpr const char* name = "min";
  static constexpr bool empty_is_zero = false;
  static constexpr OverRows over_rows = OverRows::neither;
  template <class T>
  static T f(const Lane<T>& a) {
    return a(a.arg(false));
  }
  template <class T>
  static std::size_t pick(const Lane<T>& a, const T&) {
    return a.arg(false);
  }
  template <class T>
  static T df(const Lane<T>&, std::size_t j, const T&, std::size_t k) {
    return T(j == k ? 1.0 : 0.0);
  }
};

// z = √Σa_j²,   ∂z/∂a_j = a_j / z (0 at the zero vector)
struct Norm2 {
  static constexpr const char* name = "norm2";
  static constexpr bool empty_is_zero = true;
  static constexpr OverRows over_rows = OverRows::neither;
  // When the sum of squares over- or underflows (elements of 1e200 or 1e-200, whose norm is
  // representable) the elements are divided by the largest |a_j| first; only then a second pass.
  template <class T>
  static T f(const Lane<T>& a) {
    T s = T(0);
    for (std::size_t j = 0; j < a.len; ++j) s += a(j) * a(j);
    const double sv = value_of(s);
    if (sv > 1e-280 && sv < 1e300) return ops::call<ops::Sqrt>(s);
    double m = 0;
    for (std::size_t j = 0; j < a.len; ++j) m = std::fmax(m, std::fabs(a.value(j)));
    if (m == 0) return T(0);
    if (!std::isfinite(m) || std::isnan(sv)) return ops::call<ops::Sqrt>(s);
    T q = T(0);
    for (std::size_t j = 0; j < a.len; ++j) {
      const T x = a(j) / T(m);
      q += x * x;
    }
    return T(m) * ops::call<ops::Sqrt>(q);
  }
  template <class T>
  static T df(const Lane<T>& a, std::size_t j, const T& z, std::size_t) {
    return value_of(z) == 0 ? T(0) : a(j) / z;
  }
};

// z = log Σ exp(a_j) = m + log Σ exp(a_j − m), m = max a_j,   ∂z/∂a_j = exp(a_j − z)
struct LogSumExp {
  static constexpr const char* name = "log_sum_exp";
  static constexpr bool empty_is_zero = false;
  static constexpr OverRows over_rows = OverRows::neither;
  // At an infinite maximum m (every element −∞, or some +∞) the value is m, with the limit along
  // the diagonal: equal weights 1/k on the k elements equal to m (so 1/n each when all are −∞);
  // its tangent is their mean tangent.
  template <class T>
  static T f(const Lane<T>& a) {
    const double m = a.value(a.arg(true));
    if (std::isinf(m)) {
      T t = T(0);
      for (std::size_t j = 0; j < a.len; ++j)
        if (a.value(j) == m) t += tangent_part(a(j));
      return T(m) + t / T(static_cast<double>(a.count(m)));
    }
    if (!std::isfinite(m)) return T(m);
    T s = T(0);
    for (std::size_t j = 0; j < a.len; ++j) s += ops::call<ops::Exp>(a(j) - T(m));
    return T(m) + ops::call<ops::Log>(s);
  }
  // k: at an infinite z, the number of elements equal to z.
  template <class T>
  static std::size_t pick(const Lane<T>& a, const T& z) {
    return std::isinf(value_of(z)) ? a.count(value_of(z)) : 0;
  }
  template <class T>
  static T df(const Lane<T>& a, std::size_t j, const T& z, std::size_t k) {
    if (std::isinf(value_of(z)))  // a_j − z is ∞ − ∞: the diagonal limit of f
      return a.value(j) == value_of(z) ? ops::call<ops::Exp>(tangent_part(a(j)) - tangent_part(z)) /
                                             T(static_cast<double>(k))
                                       : T(0);
    return ops::call<ops::Exp>(a(j) - z);
  }
};

// The registry, from SLOPE_REDUCTIONS above: a reduction's code is its position there.
#define SLOPE_REDUCTION_TYPE(name, R) , R
using ReductionList = ops::Tail<ops::TypeList<void SLOPE_REDUCTIONS(SLOPE_REDUCTION_TYPE)>>;
#undef SLOPE_REDUCTION_TYPE

template <class R>
inline constexpr std::uint8_t code = ops::IndexOf<R, ReductionList>::value;

}  // namespace slope::reductions
