// SPDX-License-Identifier: MIT
#pragma once

// The tape records and sweeps back: every op on a Var appends a node (detail/node.hpp) with its
// local partials; the reverse sweep accumulates adjoints from the output down. Replays at new
// inputs are compiled from a closed recording (src/replay.hpp); record path: detail/record.hpp.
//
//   slope::Recording rec;                 // activates a tape for this thread
//   slope::Var x = rec.tape().input(2.0);
//   slope::Var y = sin(x) * x;
//   rec.tape().reverse(y);
//   double dydx = rec.tape().adjoint(x);
// (runs as examples/scalar_tape.cpp)

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <vector>

#include <slope/autodiff/detail/node.hpp>
#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/tape_stats.hpp>
#include <slope/autodiff/var_handle.hpp>
#include <slope/core/error.hpp>
#include <slope/core/format.hpp>

namespace slope {

/// What a recording is for. `gradient` may fold temporaries into their consumers (fewer nodes,
/// not replayable); `replay` keeps one node per op and records guards, so the tape can be swept
/// again with new values or in dual numbers (HVP, Hessian, slope::Function).
enum class Mode { gradient, replay };

/// Turns on (or off) the NaN/Inf check, on every thread: the first op whose value is NaN or ±Inf
/// throws slope::Error naming the op and its operands. Recordings take the setting when they
/// start; replays (Tape::replay, slope::Function) take it when they run, after their guards.
void set_nan_check(bool on);
bool nan_check();
namespace detail {
/// How a first-order replay runs, chosen when a replay is first compiled: node by node over the
/// recording (`nodes`, also what recordings with tensor nodes or inputs among their ops use), the
/// plan of folded nodes and stored partials (`plan`), or the compact format that recomputes
/// partials in its reverse sweeps and also runs HVP replays by its schedule (`compact`).
/// `automatic` (the default) is compact wherever a recording allows more than `nodes`. For
/// tests and benchmarks; every format gives the same numbers to rounding.
enum class ReplayFormat : std::uint8_t { automatic, nodes, plan, compact };
void set_replay_format(ReplayFormat format);
/// set_replay_format(on ? automatic : nodes).
void set_replay_plan(bool on);
}  // namespace detail

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
  double hvp_adjoint(std::uint32_t slot) const;

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
  bool is_open() const { return stage_ == Stage::recording; }
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
  /// Nodes, Jacobian entries, bytes in use and at most (tape_stats.hpp), compiled replay included.
  TapeStats stats() const;

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

  // Node appends and folds (why they look as they do: detail/record.hpp).
  SLOPE_INLINE bool absorb(const Var& t, std::uint32_t& slot, double& scale);

  SLOPE_INLINE Var push1(std::uint8_t op, std::uint32_t a, double p0, double p1, double z,
                         std::uint32_t mark);
  SLOPE_INLINE Var push2(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0, double p1,
                         double z);
  SLOPE_INLINE std::uint32_t push(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0,
                                  double p1);

  // The record bodies; kCheck adds the NaN/Inf check of set_nan_check.
  template <class Op, bool kCheck>
  SLOPE_INLINE Var record_unary(const Var& a);
  template <class Op, bool kCheck>
  SLOPE_INLINE Var record_constant(const Var& a, double c);
  template <class Op, bool kCheck>
  SLOPE_INLINE Var record_binary(const Var& a, const Var& b);

  // The same record path in dual numbers, taken when the recording carries tangents.
  bool absorb_dual(const Var& t, std::uint32_t& slot, Dual& scale);
  Dual tangent_of(const Var& a) const;
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
  enum class Stage : std::uint8_t { empty, recording, closed };  // reset() ... close() ... sweeps
  Stage stage_ = Stage::empty;
  bool nan_check_ = false;
  bool inputs_taken_ = false;
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
  mutable std::size_t peak_ = 0;  // of the bytes reserved (see TapeStats::peak)
  std::size_t note_peak() const;  // updates and returns peak_
  // The compiled replay (src/replay.hpp): made at the first replay, kept across recordings.
  std::unique_ptr<detail::Replay, detail::ReplayDeleter> replay_;
  detail::Replay& compiled();
  bool plan_gradient() const;  // the last sweep left the inputs' adjoints in the plan's array
  // What the adjoints hold, so clearing touches no more than it must: untouched since recording,
  // zero from the floor up (a first-order sweep), zero with tangents (a dual forward sweep).
  enum class Adjoints : std::uint8_t { untouched, zero_from_floor, all_zero, dirty };
  Adjoints adjoints_ = Adjoints::untouched;
  void forward_swept(bool dual);  // the adjoints after a replay's forward sweep
  void clear_adjoints();
  // The reverse sweep from `out` (seeded): plain products p·ḡ, then only if a gradient or H·v
  // component is NaN once more with adjoint_share (0·∞ passes nothing on): see sweep.cpp.
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

}  // namespace slope

#include <slope/autodiff/detail/record.hpp>  // the inline record path
