// SPDX-License-Identifier: MIT
#pragma once

// slope::Tensor: a node handle whose value is an xt::xarray<double>, on the same tape as Var.
//
//   auto loss = [&](const slope::Tensor& p) {          // p: the 1-D parameter vector
//     slope::Tensor w = p.slice(0, 8);                  // a view on the tape, no copy of x
//     slope::Var b = p[8];
//     return slope::mean(slope::square(slope::matmul(X, w) + b - y));
//   };
//
// Data enters an op as a constant. An lvalue xt::xarray<double> is referenced, not copied: it
// must stay alive and unchanged until the derivatives of that recording have been taken (inside
// value_and_grad / grad / hvp / hessian that is the call itself). Anything else (an xtensor
// expression or view, an xtensor container, a temporary xarray, a double) is evaluated into a
// copy the tape owns. slope::constant(X) makes such data a Tensor of its own (below).
// (runs as examples/tensors.cpp)

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/autodiff/var_handle.hpp>

namespace slope {

namespace detail {
struct TensorAccess;
}  // namespace detail

/// One extent of a shape, from any integer; -1 in reshape means "whatever is left".
struct Dim {
  std::ptrdiff_t n;
  template <class I>
  requires std::is_integral_v<I>
  constexpr Dim(I i) : n(static_cast<std::ptrdiff_t>(i)) {}  // NOLINT: {r, c} from ints
};

class Tensor {
 public:
  Tensor() = default;

  /// Number of elements (for a tensor computed from placeholder data, reading it ties the
  /// recording to the data's current number of rows).
  std::size_t size() const { return values_ != nullptr ? n_ : node_size(); }
  std::size_t dimension() const;
  std::vector<std::size_t> shape() const;
  /// Element i of a 1-D tensor as a Var; throws slope::Error when i is out of range.
  Var operator[](std::size_t i) const {
    // The parameter vector's element is the hot path of scalar losses: one compare (a tensor
    // node has block_n_ = 0), and a slow path that hands back plain fields, so the Var stays in
    // registers (a Var returned from an outlined call goes through memory).
    if (i >= block_n_) [[unlikely]] {
      const Fields f = element(i);
      return Var(f.value, f.slot, f.tag);
    }
    return Var(values_[i], first_ + static_cast<std::uint32_t>(i), tag_);
  }
  /// Value of element i (flat index).
  double value(std::size_t i) const;
  /// The whole value (a copy), with its shape.
  xt::xarray<double> value() const;
  /// The whole value (a copy), flat in row-major order.
  std::vector<double> values() const;
  /// The only element of a one-element tensor as a Var.
  Var item() const;

  /// Rows [begin, end) along the first axis (elements, for a 1-D tensor).
  Tensor slice(std::size_t begin, std::size_t end) const;
  /// The same elements in row-major order with another shape.
  Tensor reshape(std::initializer_list<Dim> shape) const;
  Tensor reshape(std::span<const std::size_t> shape) const;

  /// First input slot, for the parameter vector (a block of inputs); 0 for other tensors.
  std::uint32_t first_slot() const { return values_ != nullptr ? first_ : 0; }
  std::uint32_t tag() const { return tag_; }
  /// Index of this tensor's node on its tape (a parameter block gets one when first used in a
  /// tensor op).
  std::uint32_t node() const;

  static constexpr std::uint32_t kNoNode = 0xffffffffu;

 private:
  friend class Tape;
  friend struct detail::TensorAccess;
  // A block of inputs (the parameter vector, or a slice of it): values and contiguous slots.
  Tensor(const double* values, std::uint32_t first, std::uint32_t n, std::uint32_t tag)
      : values_(values), first_(first), n_(n), block_n_(n), tag_(tag) {}
  // A tensor node.
  Tensor(Tape* tape, std::uint32_t node, std::uint32_t n, std::uint32_t tag)
      : tape_(tape), n_(n), tag_(tag), node_(node) {}
  std::size_t node_size() const;
  struct Fields {
    double value;
    std::uint32_t slot;
    std::uint32_t tag;
  };
#if defined(__GNUC__)
  [[gnu::cold, gnu::noinline]]
#endif
  Fields
  element(std::size_t i) const;

  const double* values_ = nullptr;  // non-null for a block of inputs
  Tape* tape_ = nullptr;
  std::uint32_t first_ = 0;
  std::uint32_t n_ = 0;
  std::uint32_t block_n_ = 0;  // n_ for a block of inputs, 0 for a tensor node
  std::uint32_t tag_ = 0;
  mutable std::uint32_t node_ = kNoNode;  // a block of inputs gets its node on first tensor use
};

/// Data as a constant Tensor on the active recording, usable in any op; no derivative flows into
/// it. An lvalue xarray is referenced, not copied (as above: keep it alive and unchanged while
/// the recording reads it); a temporary or an xtensor expression is moved or evaluated into a
/// copy the tape owns. Throws slope::Error outside a recording.
///   auto fit = [&](const Tensor& p) { return mse(p, slope::constant(X), slope::constant(y)); };
Tensor constant(const xt::xarray<double>& data);
Tensor constant(xt::xarray<double>&& data);

}  // namespace slope
