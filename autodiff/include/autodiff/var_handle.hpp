// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace slope {

class Tape;
class Tensor;

/// A scalar on the tape: its value, its slot on the active tape and that tape's recording tag.
///   slope::Var y = x * x + 1.0;   double v = slope::value(y);
/// A Var built from a double is a passive constant: it needs no tape and records nothing.
class Var {
 public:
  Var() = default;
  Var(double v) : value_(v) {}  // NOLINT(google-explicit-constructor): constants mix freely

  // A copy is an ordinary handle; only the op that created a temporary may absorb it (below).
  Var(const Var& o) noexcept : value_(o.value_), slot_(o.slot_ & kSlotMask), tag_(o.tag_) {}
  Var(Var&&) noexcept = default;
  Var& operator=(const Var& o) noexcept {
    value_ = o.value_;
    slot_ = o.slot_ & kSlotMask;
    tag_ = o.tag_;
    return *this;
  }
  Var& operator=(Var&&) noexcept = default;
  ~Var() = default;

  double value() const { return value_; }
  /// True when the Var is on a tape (depends on the inputs), false for a constant.
  bool is_active() const { return slot() != 0; }
  std::uint32_t slot() const { return slot_ & kSlotMask; }
  std::uint32_t tag() const { return tag_; }

  Var& operator+=(const Var& b);
  Var& operator-=(const Var& b);
  Var& operator*=(const Var& b);
  Var& operator/=(const Var& b);
  Var& operator+=(Var&& b);
  Var& operator-=(Var&& b);
  Var& operator*=(Var&& b);
  Var& operator/=(Var&& b);

  static constexpr std::uint32_t kSlotBits = 28;
  static constexpr std::uint32_t kSlotMask = (1u << kSlotBits) - 1;

 private:
  friend class Tape;
  friend class Tensor;

  // Ops mark their result as a temporary. When a temporary made by a one-operand op is consumed
  // as an rvalue right after it was recorded, a gradient-only recording folds it into its
  // consumer (chain rule on the spot) instead of keeping two nodes. Copying clears the mark, so
  // a Var someone still holds is never folded.
  static constexpr std::uint32_t kTempBit = 1u << 31;

  Var(double v, std::uint32_t slot, std::uint32_t tag) : value_(v), slot_(slot), tag_(tag) {}
  bool is_temp() const { return (slot_ & kTempBit) != 0; }

  double value_ = 0;
  std::uint32_t slot_ = 0;  // 0 = passive
  std::uint32_t tag_ = 0;
};

/// The value of a Var (or of a double, for generic code).
inline double value(const Var& v) { return v.value(); }
inline double value(double v) { return v; }

}  // namespace slope
