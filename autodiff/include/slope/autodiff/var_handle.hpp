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

  // A copy is an ordinary handle, and it takes the temporary mark (below) off the source too:
  // once two handles name a node, no op may fold it. A move is a copy: the moved-from handle
  // still names its node, and legal C++ may use it again.
  Var(const Var& o) noexcept : value_(o.value_), slot_(o.slot()), tag_(o.tag_) { o.share(); }
  Var& operator=(const Var& o) noexcept {
    value_ = o.value_;
    slot_ = o.slot();
    tag_ = o.tag_;
    o.share();
    return *this;
  }
  ~Var() = default;

  double value() const { return value_; }
  /// True when the Var is on a tape (depends on the inputs), false for a constant.
  bool is_active() const { return slot() != 0; }
  std::uint32_t slot() const { return slot_ & kSlotMask; }
  std::uint32_t tag() const { return tag_; }

  Var& operator+=(Var b);
  Var& operator-=(Var b);
  Var& operator*=(Var b);
  Var& operator/=(Var b);

  static constexpr std::uint32_t kSlotBits = 28;
  static constexpr std::uint32_t kSlotMask = (1u << kSlotBits) - 1;

 private:
  friend class Tape;
  friend class Tensor;

  // Ops mark their result as a temporary: the one handle of its node. The op overloads take
  // their Var operands by value, so a mark reaches an op only in a prvalue (`sin(exp(x))`): a
  // named Var, a container's element or a moved handle arrives through the copy constructor,
  // which drops it. When such a temporary, made by a one-operand op, is the last node recorded,
  // its consumer may fold it (chain rule on the spot) instead of keeping two nodes: no other
  // handle can name that node. The mark is set only by the tape on one thread, and a copy writes
  // to its source only when the mark is set, so copying shared constants races with nothing.
  static constexpr std::uint32_t kTempBit = 1u << 31;

  Var(double v, std::uint32_t slot, std::uint32_t tag) : value_(v), slot_(slot), tag_(tag) {}
  bool is_temp() const { return (slot_ & kTempBit) != 0; }
  void share() const {
    if (is_temp()) [[unlikely]]
      slot_ &= kSlotMask;
  }

  double value_ = 0;
  mutable std::uint32_t slot_ = 0;  // 0 = passive; the mark may be dropped through const
  std::uint32_t tag_ = 0;
};

/// The value of a Var (or of a double, for generic code).
inline double value(const Var& v) { return v.value(); }
inline double value(double v) { return v; }

}  // namespace slope
