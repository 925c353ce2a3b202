// SPDX-License-Identifier: MIT
#pragma once

// The tape: a flat, append-only array of 24-byte nodes. A node holds its op code and operand
// slots packed in one word, and the two local partials ∂z/∂a, ∂z/∂b computed while recording
// (a one-operand op with a constant keeps the constant in its second partial). A node's slot is
// its position; slot 0 is a sink that unused operands point at, so the reverse sweep is
// branch-free: ā += p₀·z̄, b̄ += p₁·z̄. Values live in the Var handles; the replay and HVP sweeps
// recompute them from the op codes.
//
//   slope::Recording rec;                 // activates a tape for this thread
//   slope::Var x = rec.tape().input(2.0);
//   slope::Var y = sin(x) * x;
//   const double* adj = rec.tape().reverse(y);   // adj[x.slot()] = dy/dx

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <autodiff/error.hpp>
#include <autodiff/op_list.hpp>
#include <autodiff/var_handle.hpp>

#if defined(__GNUC__)
#define SLOPE_INLINE [[gnu::always_inline]] inline
#define SLOPE_COLD [[gnu::cold, gnu::noinline]]
#else
#define SLOPE_INLINE inline
#define SLOPE_COLD
#endif

namespace slope {

struct Node {
  std::uint64_t word;  // op code (8 bits) | slot a (28 bits) | slot b (28 bits)
  double p0;
  double p1;

  std::uint8_t op() const { return static_cast<std::uint8_t>(word & 0xff); }
  std::uint32_t a() const { return static_cast<std::uint32_t>((word >> 8) & Var::kSlotMask); }
  std::uint32_t b() const { return static_cast<std::uint32_t>(word >> 36); }
  static std::uint64_t pack(std::uint8_t op, std::uint32_t a, std::uint32_t b) {
    return std::uint64_t{op} | (std::uint64_t{a} << 8) | (std::uint64_t{b} << 36);
  }
};
static_assert(sizeof(Node) == 24);

/// What a recording is for. `gradient` may fold temporaries into their consumers (fewer nodes,
/// not replayable); `replay` keeps one node per op so the tape can be swept again with new
/// values or in dual numbers (HVP, Hessian).
enum class Mode { gradient, replay };

/// Turns on (or off) the NaN/Inf check for recordings started afterwards, on every thread: the
/// first op whose value is NaN or ±Inf throws slope::Error naming the op and its operands.
void set_nan_check(bool on);
bool nan_check();

class Tape {
 public:
  Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  /// The tape ops record onto on this thread, or nullptr when no recording is active.
  static Tape* active() { return active_; }

  /// Clears the tape (capacity is kept) and starts a new recording; earlier handles go stale.
  void reset(Mode mode = Mode::gradient);
  /// Ends the recording: handles taken from it become stale, the nodes stay for sweeps.
  void close();

  /// Registers one input; its gradient is adjoint(result)[slot()].
  Var input(double value);
  /// Registers x as one block of inputs and returns its 1-D parameter handle.
  Tensor inputs(std::span<const double> x);

  /// Reverse sweep from y with seed 1. Returns the adjoint of every slot (valid until the next
  /// sweep or reset). y must be a Var of this recording (a constant gives all zeros).
  const double* reverse(const Var& y);

  std::size_t size() const { return size_; }  // nodes, including the sink at slot 0
  std::uint32_t tag() const { return tag_; }
  Mode mode() const { return mode_; }
  bool is_open() const { return open_; }
  const Node* nodes() const { return nodes_.get(); }
  std::span<const double> input_values() const { return inputs_; }
  /// Bytes a recorded node costs: the node itself plus its adjoint.
  static constexpr std::size_t bytes_per_node() { return sizeof(Node) + sizeof(double); }
  /// Bytes the current recording costs: every node (inputs included) and its adjoint.
  std::size_t bytes_used() const { return size_ * bytes_per_node(); }
  /// Bytes held now: node and adjoint buffers at their current capacity.
  std::size_t bytes_reserved() const;

  // -- recording (called by the op overloads in var.hpp) --
  template <class Op>
  static Var unary(const Var& a, bool a_temp);
  template <class Op>
  static Var constant(const Var& a, double c, bool a_temp);
  template <class Op>
  static Var binary(const Var& a, const Var& b, bool a_temp, bool b_temp);

 private:
  static inline constinit thread_local Tape* active_ = nullptr;
  friend class Recording;

  SLOPE_INLINE static Tape& checked(const Var& a, const char* op);
  SLOPE_INLINE static Tape& checked(const Var& a, const Var& b, const char* op);
  SLOPE_COLD static void throw_stale(const Var& a, const char* op);
  SLOPE_COLD static void throw_mixed(const Var& a, const Var& b, const char* op);
  SLOPE_COLD void throw_not_finite(const char* op, double z, double a, double b, int arity) const;
  SLOPE_COLD void grow();

  // Folds the last node into the consumer when `t` is that node and it has one operand:
  // returns true and sets (slot, scale) to its operand and the partial to multiply by.
  SLOPE_INLINE bool absorb(const Var& t, bool is_rvalue, std::uint32_t& slot, double& scale) {
    if (!is_rvalue || !t.is_temp() || mode_ != Mode::gradient) return false;
    const std::uint32_t s = t.slot();
    if (s + 1 != size_) return false;
    const Node& n = nodes_[s];
    if (n.b() != 0 || n.op() == ops::kInputCode) return false;
    slot = n.a();
    scale = n.p0;
    --size_;
    return true;
  }

  SLOPE_INLINE Var push(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0, double p1,
                        double z) {
    if (size_ == capacity_) [[unlikely]]
      grow();
    Node* n = nodes_.get() + size_;
    n->word = Node::pack(op, a, b);
    n->p0 = p0;
    n->p1 = p1;
    return Var(z, static_cast<std::uint32_t>(size_++) | Var::kTempBit, tag_);
  }

  std::unique_ptr<Node[]> nodes_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::uint32_t tag_ = 0;
  Mode mode_ = Mode::gradient;
  bool open_ = false;
  bool nan_check_ = false;
  bool inputs_taken_ = false;
  std::vector<double> inputs_;
  std::vector<double> adjoint_;
};

/// Activates a tape for the current thread for the lifetime of this object and restores the
/// previously active one afterwards. Recordings nest: each level uses its own pooled tape, so
/// capacity is reused across calls and an outer recording is untouched by an inner one.
class Recording {
 public:
  explicit Recording(Mode mode = Mode::gradient);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;
  Tape& tape() { return *tape_; }

 private:
  Tape* tape_;
  Tape* previous_;
};

// ---------------------------------------------------------------------------------------------
// Record path. Kept inline: the prototype showed an outlined push doubling gradient time.

SLOPE_INLINE Tape& Tape::checked(const Var& a, const char* op) {
  Tape* t = active_;
  if (t == nullptr || a.tag_ != t->tag_) [[unlikely]]
    throw_stale(a, op);
  return *t;
}

SLOPE_INLINE Tape& Tape::checked(const Var& a, const Var& b, const char* op) {
  Tape* t = active_;
  if (t == nullptr || a.tag_ != t->tag_ || b.tag_ != t->tag_) [[unlikely]] {
    if (a.tag_ != b.tag_) throw_mixed(a, b, op);
    throw_stale(a, op);
  }
  return *t;
}

template <class Op>
SLOPE_INLINE Var Tape::unary(const Var& a, bool a_temp) {
  const double z = Op::f(a.value_);
  if (!a.is_active()) return Var(z);
  Tape& t = checked(a, Op::name);
  const double p = Op::df(a.value_, z);
  if (t.nan_check_ && !std::isfinite(z)) [[unlikely]]
    t.throw_not_finite(Op::name, z, a.value_, 0, 1);
  std::uint32_t slot = a.slot();
  double scale;
  if (t.absorb(a, a_temp, slot, scale)) return t.push(ops::kFusedCode, slot, 0, p * scale, 0, z);
  return t.push(ops::op_code<Op>, slot, 0, p, 0, z);
}

template <class Op>
SLOPE_INLINE Var Tape::constant(const Var& a, double c, bool a_temp) {
  const double z = Op::f(a.value_, c);
  if (!a.is_active()) return Var(z);
  Tape& t = checked(a, Op::name);
  const double p = Op::df(a.value_, c, z);
  if (t.nan_check_ && !std::isfinite(z)) [[unlikely]]
    t.throw_not_finite(Op::name, z, a.value_, c, 2);
  std::uint32_t slot = a.slot();
  double scale;
  if (t.absorb(a, a_temp, slot, scale)) return t.push(ops::kFusedCode, slot, 0, p * scale, 0, z);
  return t.push(ops::op_code<Op>, slot, 0, p, c, z);
}

template <class Op>
SLOPE_INLINE Var Tape::binary(const Var& a, const Var& b, bool a_temp, bool b_temp) {
  if (!b.is_active()) {
    if (!a.is_active()) return Var(Op::f(a.value_, b.value_));
    if constexpr (requires { typename Op::right_bound; })
      return constant<typename Op::right_bound>(a, b.value_, a_temp);
    else
      return constant<ops::BindRight<Op>>(a, b.value_, a_temp);
  }
  if (!a.is_active()) {
    if constexpr (requires { Op::commutative; })
      return constant<ops::BindRight<Op>>(b, a.value_, b_temp);
    else
      return constant<ops::BindLeft<Op>>(b, a.value_, b_temp);
  }
  if constexpr (requires { typename Op::same_operand; }) {
    if (a.slot() == b.slot()) return unary<typename Op::same_operand>(a, a_temp);
  }
  Tape& t = checked(a, b, Op::name);
  const double z = Op::f(a.value_, b.value_);
  const ops::Pair<double> p = Op::df(a.value_, b.value_, z);
  if (t.nan_check_ && !std::isfinite(z)) [[unlikely]]
    t.throw_not_finite(Op::name, z, a.value_, b.value_, 2);
  std::uint32_t sa = a.slot(), sb = b.slot();
  double scale;
  // Only the most recent node can be folded, so at most one operand is; never a slot that the
  // other operand still refers to.
  if (sa == sb) return t.push(ops::op_code<Op>, sa, sb, p.a, p.b, z);
  if (t.absorb(a, a_temp, sa, scale)) return t.push(ops::kFusedCode, sa, sb, p.a * scale, p.b, z);
  if (t.absorb(b, b_temp, sb, scale)) return t.push(ops::kFusedCode, sa, sb, p.a, p.b * scale, z);
  return t.push(ops::op_code<Op>, sa, sb, p.a, p.b, z);
}

}  // namespace slope
