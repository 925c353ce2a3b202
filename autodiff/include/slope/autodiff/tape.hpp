// SPDX-License-Identifier: MIT
#pragma once

// The tape: a flat, append-only array of 32-byte nodes. A node holds its op code and operand
// slots packed in one word, the two local partials ∂z/∂a, ∂z/∂b computed while recording (a
// one-operand op with a constant keeps the constant in its second partial) and its adjoint. A
// node's slot is its position; every node has two operand slots (a one-operand node names its
// own slot as the second, registered inputs the sink at slot 0), so the reverse sweep is
// branch-free: ā += p₀·z̄, b̄ += p₁·z̄. Values live in the Var handles; the replay and HVP sweeps
// recompute them from the op codes.
//
//   slope::Recording rec;                 // activates a tape for this thread
//   slope::Var x = rec.tape().input(2.0);
//   slope::Var y = sin(x) * x;
//   rec.tape().reverse(y);
//   double dydx = rec.tape().adjoint(x);

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <vector>

#include <slope/core/error.hpp>
#include <slope/core/format.hpp>
#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/var_handle.hpp>

#if defined(__GNUC__)
#define SLOPE_INLINE [[gnu::always_inline]] inline
#define SLOPE_COLD [[gnu::cold, gnu::noinline]]
#else
#define SLOPE_INLINE inline
#define SLOPE_COLD
#endif

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

/// What a recording is for. `gradient` may fold temporaries into their consumers (fewer nodes,
/// not replayable); `replay` keeps one node per op and records guards, so the tape can be swept
/// again with new values or in dual numbers (HVP, Hessian, slope::Function).
enum class Mode { gradient, replay };

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

/// Turns on (or off) the NaN/Inf check, on every thread: the first op whose value is NaN or ±Inf
/// throws slope::Error naming the op and its operands. Recordings take the setting when they
/// start; replays (Tape::replay, slope::Function) take it when they run, after their guards.
void set_nan_check(bool on);
bool nan_check();

class Tape {
 public:
  Tape();
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  /// The tape ops record onto on this thread, or nullptr when no recording is active.
  static Tape* active() { return active_ == &inert_ ? nullptr : active_; }

  /// Clears the tape (capacity is kept) and starts a new recording; earlier handles go stale.
  void reset(Mode mode = Mode::gradient);
  /// Ends the recording: handles taken from it become stale, the nodes stay for sweeps.
  void close();

  /// Registers one input; its gradient is adjoint(result)[slot()].
  Var input(double value);
  /// Registers x as one block of inputs and returns its 1-D parameter handle.
  Tensor inputs(std::span<const double> x);
  /// Same, with tangent v: every op then also records its tangent and its partials' tangents
  /// (its rule evaluated at Dual), and reverse_dual() gives the gradient and H·v in one sweep.
  Tensor inputs(std::span<const double> x, std::span<const double> v);

  /// Reverse sweep from y with seed 1; afterwards adjoint(x) is dy/dx for every input x (the
  /// adjoints of intermediate nodes are not kept). A constant y gives zeros.
  void reverse(const Var& y);
  /// The adjoint of a slot after reverse(); throws for a handle of another recording.
  double adjoint(const Var& x) const;
  double adjoint(std::uint32_t slot) const;
  /// adjoint(first + k) for every k of out.
  void adjoints(std::uint32_t first, std::span<double> out) const;
  /// Reverse sweep in dual numbers over a recording with tangents: afterwards adjoint(slot) is
  /// ∂y/∂x and hvp_adjoint(slot) is (H·v) for each input slot.
  void reverse_dual(const Var& y);
  double hvp_adjoint(std::uint32_t slot) const { return tangents_[slot].adj; }

  // -- replay (recordings made with Mode::replay) --
  /// Recomputes every node's value and partials at new inputs x (the parameter block), scalar
  /// and tensor nodes alike, in recorded order; reverse() afterwards gives the gradient at x.
  /// Throws what check_replay() throws.
  void replay(std::span<const double> x);
  /// Same in dual numbers with tangent v; reverse_dual() afterwards gives the gradient and H·v.
  void replay(std::span<const double> x, std::span<const double> v);
  /// The forward sweep of replay() without its checks, for callers that check guards first
  /// (slope::Function): it throws only for bad arguments. A rule that throws leaves NaN as its
  /// node's value, a tensor op that throws ends the sweep there (guards on the nodes it did not
  /// reach are not checked); check_replay() reports either.
  void sweep(std::span<const double> x);
  void sweep(std::span<const double> x, std::span<const double> v);
  /// After sweep(): rethrows what the sweep caught (a slope::Error as it was, anything else but
  /// std::bad_alloc as a slope::Error naming the call, `scope` + `call`, and the op), then, when
  /// set_nan_check is on, throws slope::Error naming the first node whose value is not finite.
  void check_replay(const char* scope, const char* call) const;
  /// Tensor nodes the last sweep computed: all of them unless a tensor op threw.
  std::size_t tensors_replayed() const;
  /// The reverse sweeps after replay(), from the output's slot (the recording's handles are
  /// stale once it is closed).
  void reverse_replayed(std::uint32_t out);
  void reverse_dual_replayed(std::uint32_t out);
  /// A node's value after replay().
  double replayed_value(std::uint32_t slot) const;
  /// Records the outcome of a comparison of a and b (replay recordings only; else nothing).
  void guard(Compare c, const Var& a, const Var& b, bool outcome);
  std::span<const Guard> guards() const { return guards_; }
  /// The first guard whose outcome differs at the replayed values, or nullptr.
  const Guard* broken_guard() const;
  /// A copy of a closed recording for another thread (tensor nodes and their ops included).
  std::unique_ptr<Tape> clone() const;
  /// Placeholders (bit i = placeholder i) whose leading extent the recording depends on: it
  /// read a shape or a scalar element of a tensor computed from them.
  std::uint64_t pinned_placeholders() const { return pinned_; }

  std::size_t size() const { return size_; }  // nodes, including the sink at slot 0
  /// Tensor nodes recorded (matmul, elementwise and reductions over xt::xarray values).
  std::size_t tensor_count() const;
  std::uint32_t tag() const { return tag_; }
  Mode mode() const { return mode_; }
  bool is_open() const { return open_; }
  const Node* nodes() const { return base_; }
  /// The reverse sweep stops here: the block of inputs registered first needs no sweep.
  std::size_t sweep_floor() const { return floor_; }
  /// The inputs' values: the recorded ones, or the last replay's x.
  std::span<const double> input_values() const;
  /// Bytes a recorded node costs, its adjoint included.
  static constexpr std::size_t bytes_per_node() { return sizeof(Node); }
  /// Bytes the current recording costs: every node (inputs included) and its adjoint.
  std::size_t bytes_used() const { return size() * bytes_per_node(); }
  /// Bytes held now: node and adjoint buffers at their current capacity.
  std::size_t bytes_reserved() const;

  // -- recording (called by the op overloads in var.hpp) --
  // An operand carrying the temporary mark (var_handle.hpp) is the one handle of its node.
  template <class Op>
  static Var unary(const Var& a);
  /// Op is a one-operand op with a constant (BindRight<…>, PowC, …): records a ∘ c.
  template <class Op>
  static Var constant(const Var& a, double c);
  template <class Op>
  static Var binary(const Var& a, const Var& b);
  /// a ∘ c for a binary Op with its right operand constant.
  template <class Op>
  static Var right_constant(const Var& a, double c);
  /// c ∘ b for a binary Op with its left operand constant.
  template <class Op>
  static Var left_constant(double c, const Var& b);
  /// The same handle without the temporary mark, leaving v's own mark alone.
  static Var unmarked(const Var& v) { return Var(v.value_, v.slot(), v.tag_); }

 private:
  struct InertTag {};
  // The tape active when no recording is: its tag matches no handle, so the one tag compare on
  // the record path also catches "no recording" without a null check.
  constexpr explicit Tape(InertTag) : tag_(kInertTag), hot_tag_(kInertTag) {}
  static constexpr std::uint32_t kInertTag = 0xffffffffu;
  // The hot path compares handles with hot_tag_. A recording with tangents or the NaN check sets
  // it to this value, which no handle carries, so its ops leave the hot path without a flag test.
  static constexpr std::uint32_t kSpecialTag = 0xfffffffeu;
  static Tape inert_;
  static constinit thread_local Tape* active_;
  friend class Recording;
  friend struct detail::TensorAccess;
  friend class detail::Replay;

  // Cold paths take the handles' fields by value: a reference would make every Var on the hot
  // path addressable and keep it out of registers.
  SLOPE_COLD static void throw_stale(double value, std::uint32_t tag, const char* op);
  SLOPE_COLD static void throw_mixed(double av, std::uint32_t at, double bv, std::uint32_t bt,
                                     const char* op);
  SLOPE_COLD void throw_not_finite(const char* op, double z, double a, double b, int arity) const;
  SLOPE_COLD void grow();
  // Shared start of reverse() and reverse_dual(): clears a previous sweep, checks y and seeds
  // its adjoint; false when y is a constant (nothing to sweep).
  bool begin_sweep(const Var& y, const char* call);
  // The reverse sweeps of a recording with tensor nodes: scalar segments between tensor nodes,
  // each tensor node's vector-Jacobian product in between.
  void reverse_segmented(std::size_t out, bool dual);

  // Folds the last node into its consumer when `t` is that node and its one handle. The
  // consumer's partial times the folded one is taken by adjoint_share, as the unfolded sweep
  // would take it: a zero partial (a use scaled by 0) stays zero through an infinite one. Only
  // results of one-operand ops carry the temporary mark (in a gradient recording, or scaled
  // operands in a replay one), so no node needs inspecting beyond its operand and partial:
  // returns (slot, scale) = (its operand, its partial).
  SLOPE_INLINE bool absorb(const Var& t, std::uint32_t& slot, double& scale) {
    if (!t.is_temp() || t.slot() + 1 != size_) return false;
    const Node& last = base_[--size_];
    slot = last.a();
    scale = last.p0;
    return true;
  }

  // A one-operand node points its unused operand at its own slot: that adjoint has been read by
  // the time the sweep adds p₁·z̄ to it, so no two nodes contend for one address (a shared sink
  // serialised the sweep through a single store-to-load chain). Only its result can be folded.
  // Both return a prvalue: the mark must not pass through a copy (which drops it).
  SLOPE_INLINE Var push1(std::uint8_t op, std::uint32_t a, double p0, double p1, double z,
                         std::uint32_t mark) {
    return Var(z, push(op, a, size_, p0, p1) | mark, tag_);
  }
  SLOPE_INLINE Var push2(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0, double p1,
                         double z) {
    return Var(z, push(op, a, b, p0, p1), tag_);
  }
  SLOPE_INLINE std::uint32_t push(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0,
                                  double p1) {
    if (size_ == capacity_) [[unlikely]]
      grow();
    const std::uint32_t slot = size_++;
    Node& n = base_[slot];
    n.word = Node::pack(op, a, b);
    n.p0 = p0;
    n.p1 = p1;
    n.adj = 0;
    return slot;
  }

  // The record bodies; kCheck adds the NaN/Inf check of set_nan_check.
  template <class Op, bool kCheck>
  SLOPE_INLINE Var record_unary(const Var& a);
  template <class Op, bool kCheck>
  SLOPE_INLINE Var record_constant(const Var& a, double c);
  template <class Op, bool kCheck>
  SLOPE_INLINE Var record_binary(const Var& a, const Var& b);

  // The same record path in dual numbers, taken when the recording carries tangents.
  bool absorb_dual(const Var& t, std::uint32_t& slot, Dual& scale) {
    if (!absorb(t, slot, scale.v)) return false;
    scale.d = tangents_[size_].dp0;  // the folded node, just popped
    return true;
  }
  Dual tangent_of(const Var& a) const { return {a.value_, tangents_[a.slot()].t}; }
  // They take the handles as trivially copyable Raw values: should the compiler outline one, a
  // reference would make every Var on the gradient path addressable (kept in memory, not in
  // registers). Inlined, each op's dual rule is specialised in place; an out-of-line call per op
  // made the HVP markedly slower.
  struct Raw {
    double value;
    std::uint32_t slot;  // with the temporary mark
    std::uint32_t tag;
  };
  static Raw raw(const Var& v) { return {v.value_, v.slot_, v.tag_}; }
  static Var var(Raw r) { return Var(r.value, r.slot, r.tag); }
  template <class Op>
  SLOPE_INLINE Var dual_unary(Raw a);
  template <class Op>
  SLOPE_INLINE Var dual_constant(Raw a, double c);
  template <class Op>
  SLOPE_INLINE Var dual_binary(Raw a, Raw b);

  // 32-bit counters: the packed node word is a uint64_t, and stores through it could alias a
  // size_t member and force a reload after every node.
  Node* base_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = 0;
  std::uint32_t tag_ = 0;
  std::uint32_t hot_tag_ = 0;
  std::uint32_t temp_mark_ = 0;    // Var::kTempBit in gradient recordings, else 0
  std::uint32_t linear_mark_ = 0;  // Var::kTempBit in replay recordings, else 0: scaled operands
  Mode mode_ = Mode::gradient;
  bool open_ = false;
  bool nan_check_ = false;
  bool inputs_taken_ = false;
  bool swept_ = false;
  bool inputs_among_ops_ = false;  // an input node lies in the swept range
  bool dual_ = false;
  bool inputs_in_values_ = false;  // a replay left the block's values at slots 1.. only
  std::size_t floor_ = 1;
  std::unique_ptr<Node[]> storage_;
  std::unique_ptr<Tangent[]> tangents_;  // capacity_ entries once a recording used tangents
  std::vector<double> inputs_;
  std::unique_ptr<detail::TensorList, detail::TensorListDeleter>
      tensors_;  // created by the first tensor op
  std::vector<Guard> guards_;
  std::uint64_t pinned_ = 0;
  // The compiled replay (src/replay.hpp): made at the first replay, kept across recordings.
  std::unique_ptr<detail::Replay, detail::ReplayDeleter> replay_;
  detail::Replay& compiled();
  bool plan_gradient() const;  // the last sweep left the inputs' adjoints in the plan's array
  // Every node adjoint at or above the floor is zero (a fresh recording, a completed first-order
  // sweep, or a dual forward sweep); the tangents' adjoints likewise (a dual forward sweep).
  bool ops_clean_ = true;
  bool tangents_clean_ = false;
  void clear_adjoints();
  // The reverse sweep from `out` (its seed set): multiplying every share p·ḡ, then, only when a
  // gradient or H·v component came out NaN, once more with adjoint_share (a zero adjoint passes
  // nothing on, not even ∞·0), so finite tapes pay no compare per share.
  void sweep_from(std::size_t out, bool dual);
  void sweep_once(std::size_t out, bool dual);
  bool gradient_has_nan(bool dual) const;
  enum class ZeroAdjoints : std::uint8_t { multiplied, skipped };
  ZeroAdjoints zeros_ = ZeroAdjoints::multiplied;  // of the sweep under way (see sweep_from)
};

inline constinit Tape Tape::inert_{Tape::InertTag{}};
inline constinit thread_local Tape* Tape::active_ = &Tape::inert_;

/// Activates a tape for the current thread for the lifetime of this object and restores the
/// previously active one afterwards. Recordings nest: each level uses its own pooled tape, so
/// capacity is reused across calls and an outer recording is untouched by an inner one.
class Recording {
 public:
  explicit Recording(Mode mode = Mode::gradient);
  /// Records onto a tape the caller owns (a slope::Function's); the tape keeps its tensor nodes
  /// when the recording ends.
  Recording(Tape& tape, Mode mode);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;
  Tape& tape() { return *tape_; }

 private:
  Tape* tape_;
  Tape* previous_;
  bool pooled_ = true;
};

// ---------------------------------------------------------------------------------------------
// Record path. Kept inline: in the prototype an outlined push made the gradient far slower. The
// one compare `a.tag == active tag` per operand decides everything on the hot path: a passive
// constant has tag 0, a stale handle an old tag, and with no recording the inert tape's tag
// matches nothing; all of those leave the hot path.

template <class Op>
SLOPE_INLINE Var Tape::unary(const Var& a) {
  Tape& t = *active_;
  if (a.tag_ != t.hot_tag_) [[unlikely]] {
    if (a.tag_ == t.tag_) {  // a recording with tangents or with the NaN check
      if (t.dual_) return t.dual_unary<Op>(raw(a));
      return t.record_unary<Op, true>(a);
    }
    if (a.tag_ != 0) throw_stale(a.value_, a.tag_, Op::name);
    return Var(Op::f(a.value_));
  }
  return t.record_unary<Op, false>(a);
}

template <class Op, bool kCheck>
SLOPE_INLINE Var Tape::record_unary(const Var& a) {
  double z, p;
  if constexpr (requires { Op::value_and_slope(a.value_); }) {
    const ops::Pair<double> zp = Op::value_and_slope(a.value_);
    z = zp.a, p = zp.b;
  } else {
    z = Op::f(a.value_);
    p = Op::df(a.value_, z);
  }
  if constexpr (kCheck)
    if (!std::isfinite(z)) throw_not_finite(Op::name, z, a.value_, 0, 1);
  std::uint32_t slot = a.slot();
  double scale;
  if (temp_mark_ != 0 && absorb(a, slot, scale))
    return push1(ops::kFusedCode, slot, adjoint_share(scale, p), 0, z, temp_mark_);
  return push1(ops::op_code<Op>, slot, p, 0, z,
               ops::kScales<Op> ? linear_mark_ | temp_mark_ : temp_mark_);
}

template <class Op, bool kCheck>
SLOPE_INLINE Var Tape::record_constant(const Var& a, double c) {
  const double z = Op::f(a.value_, c);
  if constexpr (kCheck)
    if (!std::isfinite(z)) throw_not_finite(Op::name, z, a.value_, c, 2);
  const double p = Op::df(a.value_, c, z);
  std::uint32_t slot = a.slot();
  double scale;
  if (temp_mark_ != 0 && absorb(a, slot, scale))
    return push1(ops::kFusedCode, slot, adjoint_share(scale, p), 0, z, temp_mark_);
  return push1(ops::op_code<Op>, slot, p, c, z,
               ops::kScales<Op> ? linear_mark_ | temp_mark_ : temp_mark_);
}

template <class Op>
SLOPE_INLINE Var Tape::constant(const Var& a, double c) {
  Tape& t = *active_;
  if (a.tag_ != t.hot_tag_) [[unlikely]] {
    if (a.tag_ == t.tag_) {
      if (t.dual_) return t.dual_constant<Op>(raw(a), c);
      return t.record_constant<Op, true>(a, c);
    }
    if (a.tag_ != 0) throw_stale(a.value_, a.tag_, Op::name);
    return Var(Op::f(a.value_, c));
  }
  return t.record_constant<Op, false>(a, c);
}

template <class Op>
SLOPE_INLINE Var Tape::right_constant(const Var& a, double c) {
  if constexpr (requires { typename Op::right_bound; })
    return constant<typename Op::right_bound>(a, c);
  else
    return constant<ops::BindRight<Op>>(a, c);
}

template <class Op>
SLOPE_INLINE Var Tape::left_constant(double c, const Var& b) {
  if constexpr (requires { Op::commutative; })
    return constant<ops::BindRight<Op>>(b, c);
  else
    return constant<ops::BindLeft<Op>>(b, c);
}

template <class Op>
SLOPE_INLINE Var Tape::binary(const Var& a, const Var& b) {
  Tape& t = *active_;
  if (a.tag_ != t.hot_tag_ || b.tag_ != t.hot_tag_) [[unlikely]] {
    const std::uint32_t tag = t.tag_;
    if (a.tag_ == tag && b.tag_ == tag) {  // a recording with tangents or with the NaN check
      if constexpr (requires { typename Op::same_operand; }) {
        if (a.slot() == b.slot()) return unary<typename Op::same_operand>(a);
      }
      if (t.dual_) return t.dual_binary<Op>(raw(a), raw(b));
      return t.record_binary<Op, true>(a, b);
    }
    if (a.tag_ == 0 && b.tag_ == 0) return Var(Op::f(a.value_, b.value_));
    if (a.tag_ == 0 && b.tag_ == tag) return left_constant<Op>(a.value_, b);
    if (b.tag_ == 0 && a.tag_ == tag) return right_constant<Op>(a, b.value_);
    if (a.tag_ != 0 && b.tag_ != 0 && a.tag_ != b.tag_)
      throw_mixed(a.value_, a.tag_, b.value_, b.tag_, Op::name);
    if (a.tag_ != tag && a.tag_ != 0) throw_stale(a.value_, a.tag_, Op::name);
    throw_stale(b.value_, b.tag_, Op::name);
  }
  if constexpr (requires { typename Op::same_operand; }) {
    if (a.slot() == b.slot()) return t.record_unary<typename Op::same_operand, false>(a);
  }
  return t.record_binary<Op, false>(a, b);
}

template <class Op, bool kCheck>
SLOPE_INLINE Var Tape::record_binary(const Var& a, const Var& b) {
  const double z = Op::f(a.value_, b.value_);
  if constexpr (kCheck)
    if (!std::isfinite(z)) throw_not_finite(Op::name, z, a.value_, b.value_, 2);
  const ops::Pair<double> p = Op::df(a.value_, b.value_, z);
  // Only the most recent node can be folded: try the later operand first, then the earlier one
  // (which is last once the later one is gone). Never fold a slot the other operand refers to.
  std::uint32_t sa = a.slot(), sb = b.slot();
  double pa = p.a, pb = p.b, scale;
  bool fused = false;
  // A replay recording folds only scaled operands into + and −: the result is a linear node
  // whose value its partials determine. A gradient recording folds any one-operand temporary.
  if (ops::kAddsOrSubtracts<Op> || temp_mark_ != 0) {
    if (sa > sb) {
      if (absorb(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
      if (sa != sb && absorb(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
    } else if (sb > sa) {
      if (absorb(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
      if (sa != sb && absorb(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
    }
  }
  const std::uint8_t code = !fused            ? ops::op_code<Op>
                            : temp_mark_ != 0 ? ops::kFusedCode
                                              : ops::kLinearCode;
  return push2(code, sa, sb, pa, pb, z);
}

// Dual record path: each op's rule at T = Dual gives value and tangent, and the partials with
// their tangents; a folded temporary multiplies in as a dual partial (chain rule on duals).

template <class Op>
SLOPE_INLINE Var Tape::dual_unary(Raw ra) {
  const Var a = var(ra);
  const Dual x = tangent_of(a);
  const Dual z = ops::call<Op>(x);
  Dual p = Op::df(x, z);
  if (nan_check_ && !std::isfinite(z.v)) [[unlikely]]
    throw_not_finite(Op::name, z.v, x.v, 0, 1);
  std::uint32_t slot = a.slot();
  Dual scale;
  const bool fused = temp_mark_ != 0 && absorb_dual(a, slot, scale);
  if (fused) p = adjoint_share(scale, p);
  const Var r = push1(fused ? ops::kFusedCode : ops::op_code<Op>, slot, p.v, 0, z.v, temp_mark_);
  tangents_[r.slot()] = {z.d, p.d, 0, 0};
  return var(raw(r));  // a prvalue: returning r would copy it and drop its mark
}

template <class Op>
SLOPE_INLINE Var Tape::dual_constant(Raw ra, double c) {
  const Var a = var(ra);
  const Dual x = tangent_of(a);
  const Dual z = ops::call<Op>(x, c);
  Dual p = Op::df(x, c, z);
  if (nan_check_ && !std::isfinite(z.v)) [[unlikely]]
    throw_not_finite(Op::name, z.v, x.v, c, 2);
  std::uint32_t slot = a.slot();
  Dual scale;
  const bool fused = temp_mark_ != 0 && absorb_dual(a, slot, scale);
  if (fused) p = adjoint_share(scale, p);
  const Var r =
      push1(fused ? ops::kFusedCode : ops::op_code<Op>, slot, p.v, fused ? 0 : c, z.v, temp_mark_);
  tangents_[r.slot()] = {z.d, p.d, 0, 0};
  return var(raw(r));
}

template <class Op>
SLOPE_INLINE Var Tape::dual_binary(Raw ra, Raw rb) {
  const Var a = var(ra), b = var(rb);
  const Dual x = tangent_of(a), y = tangent_of(b);
  const Dual z = ops::call<Op>(x, y);
  const ops::Pair<Dual> p = Op::df(x, y, z);
  if (nan_check_ && !std::isfinite(z.v)) [[unlikely]]
    throw_not_finite(Op::name, z.v, x.v, y.v, 2);
  std::uint32_t sa = a.slot(), sb = b.slot();
  Dual pa = p.a, pb = p.b, scale;
  bool fused = false;
  if (ops::kAddsOrSubtracts<Op> || temp_mark_ != 0) {  // as record_binary
    if (sa > sb) {
      if (absorb_dual(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
      if (sa != sb && absorb_dual(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
    } else if (sb > sa) {
      if (absorb_dual(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
      if (sa != sb && absorb_dual(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
    }
  }
  const std::uint8_t code = !fused            ? ops::op_code<Op>
                            : temp_mark_ != 0 ? ops::kFusedCode
                                              : ops::kLinearCode;
  const Var r = push2(code, sa, sb, pa.v, pb.v, z.v);
  tangents_[r.slot()] = {z.d, pa.d, pb.d, 0};
  return var(raw(r));
}

}  // namespace slope
