// SPDX-License-Identifier: MIT
#pragma once

// What a tape stores: 32-byte nodes (and their tangents in a recording with a direction), the
// guards a recording for replay keeps, and the forward declarations of the parts of a tape that
// live in the library (tensor nodes, the compiled replay).
//
// A node holds its op code and operand slots packed in one word, the two local partials
// ∂z/∂a, ∂z/∂b computed while recording (a one-operand op with a constant keeps the constant in
// its second partial) and its adjoint. A node's slot is its position; every node has two operand
// slots (a one-operand node names its own slot as the second, registered inputs the sink at
// slot 0), so the reverse sweep is branch-free: ā += p₀·z̄, b̄ += p₁·z̄.

#include <cstdint>

#include <slope/autodiff/detail/inline.hpp>
#include <slope/autodiff/var_handle.hpp>

namespace slope {

namespace detail {
struct TensorList;
struct TensorAccess;
// Out of line, so the tape header need not see tensor nodes (or xtensor).
struct TensorListDeleter {
  void operator()(TensorList* list) const;
};
class Replay;
struct ReplayDeleter {
  void operator()(Replay* replay) const;
};
}  // namespace detail

struct Node {
  std::uint64_t word;  // op code (8 bits) | slot a (28 bits) | slot b (28 bits)
  double p0;
  double p1;
  double adj;  // adjoint, zeroed when recorded: the reverse sweep reads one stream, not two

  std::uint8_t op() const { return static_cast<std::uint8_t>(word & 0xff); }
  std::uint32_t a() const { return static_cast<std::uint32_t>((word >> 8) & Var::kSlotMask); }
  std::uint32_t b() const { return static_cast<std::uint32_t>(word >> 36); }
  static std::uint64_t pack(std::uint8_t op, std::uint32_t a, std::uint32_t b) {
    return std::uint64_t{op} | (std::uint64_t{a} << 8) | (std::uint64_t{b} << 36);
  }
};
static_assert(sizeof(Node) == 32);

/// Per-node tangents of a recording that carries a direction v (see Tape::inputs(x, v)): the
/// node value's tangent ż, the partials' tangents ṗ₀, ṗ₁, and the adjoint's tangent.
struct Tangent {
  double t;
  double dp0;
  double dp1;
  double adj;
};

enum class Compare : std::uint8_t { less, less_equal, greater, greater_equal, equal, not_equal };
constexpr bool compare(Compare c, double a, double b) {
  switch (c) {
    case Compare::less:
      return a < b;
    case Compare::less_equal:
      return a <= b;
    case Compare::greater:
      return a > b;
    case Compare::greater_equal:
      return a >= b;
    case Compare::equal:
      return a == b;
    case Compare::not_equal:
      return a != b;
  }
  return false;
}
const char* symbol(Compare c);

/// A comparison of values on the tape made while recording for replay (`if (x > 0)`): the
/// branch the recording followed. A replay is valid only while every guard has its recorded
/// outcome. Ops that branch inside their own rule (abs, max, min, ...) need no guard: a replay
/// re-evaluates the rule on the new values.
struct Guard {
  std::uint32_t a, b;  // slots of the operands; 0 for a constant operand
  double ca, cb;       // the constant operands' values
  Compare cmp;
  bool outcome;
};

}  // namespace slope
