// SPDX-License-Identifier: MIT
#pragma once

// The parameter vector handed to a loss: a 1-D block of inputs on the tape.
//   auto f = [](const slope::Tensor& p) { return p[0] * p[0] + p[1]; };

#include <cstddef>
#include <cstdint>

#include <autodiff/var_handle.hpp>

namespace slope {

class Tensor {
 public:
  Tensor() = default;

  std::size_t size() const { return n_; }
  /// Element i as a Var on the tape; throws slope::Error when i is out of range.
  Var operator[](std::size_t i) const {
    if (i >= n_) throw_index(i);
    return Var(values_[i], first_ + static_cast<std::uint32_t>(i), tag_);
  }
  /// Value of element i (no bounds check beyond the one operator[] does).
  double value(std::size_t i) const { return operator[](i).value(); }
  std::uint32_t first_slot() const { return first_; }
  std::uint32_t tag() const { return tag_; }

 private:
  friend class Tape;
  Tensor(const double* values, std::uint32_t first, std::uint32_t n, std::uint32_t tag)
      : values_(values), first_(first), n_(n), tag_(tag) {}
  [[noreturn]] void throw_index(std::size_t i) const;

  const double* values_ = nullptr;
  std::uint32_t first_ = 0;
  std::uint32_t n_ = 0;
  std::uint32_t tag_ = 0;
};

}  // namespace slope
