// SPDX-License-Identifier: MIT
#pragma once

// The compiled replay of a closed recording: what Tape::replay and slope::Function run at new
// inputs. It owns the node values of the last replay, the first-order schedule (each scalar
// segment's nodes by dependency level and op code), the optional plan (dense operands and
// partials, folded one-operand nodes; replay_plan.cpp) and what the last forward sweep ran
// into. The tape keeps the recording and the reverse sweeps; a replay recomputes the nodes'
// partials in place, so that the same reverse sweeps serve a fresh recording and a replay.
// Built at a tape's first replay, forgotten when it records again.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <slope/autodiff/tape.hpp>

namespace slope::detail {

class Replay {
 public:
  explicit Replay(Tape& tape) : t_(tape) {}
  Replay(const Replay&) = delete;
  Replay& operator=(const Replay&) = delete;

  /// The forward sweep at x (and tangent v when dual); see Tape::sweep.
  void sweep(std::span<const double> x, std::span<const double> v, bool dual);
  /// See Tape::check_replay.
  void check_replay(const char* scope, const char* call) const;
  /// Forgets the schedule, the plan and the last sweep (the tape records again); keeps buffers.
  void forget();
  [[noreturn]] static void throw_gradient_only();

  // Read by the tape's reverse sweeps and by the tensor ops (TensorAccess).
  Tape& t_;
  // Node values (the handles held them while recording).
  std::unique_ptr<double[]> values_;
  // The first-order replay's schedule: each scalar segment's nodes ordered by dependency level
  // and op code, in groups of one op (built at the first replay).
  struct Group {
    std::uint32_t begin, end;  // into order_
    std::uint8_t op;
    std::uint8_t folds = 0;        // the plan's: bit 0 operand a, bit 1 operand b is a folded node
    std::uint8_t squares = 0;      // operands it computes (plan: squares, compact: products)
    bool chain = false;            // holds several levels: a node may use the one just before it
    std::uint32_t constants = 0;   // a linear group with folds: its first in plan_constants_
    std::uint32_t fold_first = 0;  // a group with folds: its first in plan_folds_
  };
  std::vector<std::uint32_t> order_;
  std::vector<Group> groups_;
  std::vector<std::uint32_t> segment_groups_;  // groups_ index where each segment's groups end
  void build_schedule();
  // Levels are formed within windows of a segment: one level of a whole large tape would touch
  // nodes spread over all of it (Rosenbrock n = 100 000: 350 000 nodes, 11 MB), level after
  // level, and each pass would miss the cache. For the plan a window of 512 nodes (16 KiB, with
  // its values 20 KiB) stays in L1 while its levels run: faster at n = 100 000 than 4096, the
  // same below 10 000 (windows of 128 … 16 384 interleaved in one process); its levels still
  // group dozens of independent nodes of one op. The compact format takes 4096: its sweeps
  // touch about a third of the plan's bytes per node, and each group costs a dispatch in both
  // directions, so larger groups pay. The GMM objective (130 nodes per point and component,
  // long chains of multiply-adds) made 200 000 groups of 15 nodes on average at 512; at 4096
  // its replayed gradient took about two thirds of the time, Rosenbrock's the same (peers'
  // harness, windows of 512, 2048, 4096 and 8192).
  static constexpr std::size_t kPlanWindow = 512, kCompactWindow = 4096;
  // Which nodes a format folds into their consumers (per slot; empty for the node-by-node
  // format): folded (the plan's), squared (what its consumer computes: the plan's squares, the
  // compact format's products) and, per consumer, which of its operands are (folds, squares:
  // bit 0 operand a, bit 1 operand b).
  struct FoldMarks {
    bool folding = false, squaring = false;
    std::size_t window = kPlanWindow;
    std::vector<std::uint8_t> folded, folds, squared, squares;
  };
  FoldMarks mark_folds(ReplayFormat format) const;
  // The schedule: the nodes in order, and (when asked for) their groups and segments' ends.
  void order_nodes(const FoldMarks& m, std::vector<std::uint32_t>& order,
                   std::vector<Group>* groups, std::vector<std::uint32_t>* segments) const;
  void forward_groups(std::size_t segment, std::span<const double> x);
  // The plan: a recording without tensor nodes or inputs among its ops replays its first-order
  // sweeps from dense arrays by schedule position (operands, partials) and a dense adjoint array
  // instead of from the 32-byte nodes, and its reverse sweep skips folded nodes: a one-operand
  // node used once (b − a², (1 − a)², 100·t²: the a², the 1 − a, the t²) is folded into its
  // consumer, whose partial for it becomes the product of the two (computed by the consumer in
  // the forward sweep), and whose reverse operand becomes the folded node's. A folded square of
  // an operand not folded itself (the a² and t² of Rosenbrock) is not scheduled at all: its
  // consumer squares the operand (value stored for the node, partial 2x used in place), one
  // pass over the arrays less per square. The nodes keep the recorded partials (dual replays
  // and reverse() without a replay read them).
  struct Operands {
    std::uint32_t a, b;  // as recorded: b is a one-operand op's own slot
  };
  struct Partials {
    double p0, p1;  // p1: a constant op's constant (its p0 alone is a partial)
  };
  struct ReverseStep {
    std::uint32_t node, a, b, pos;  // operands after folding; pos: its partials
  };
  static constexpr std::uint32_t kSquaredInPlace = ~0u;  // pos of a square its consumer computes
  // Steps [previous run's end, end) pass their share for operand a (carry 1) or b (2) to the
  // next step of the sweep in a register, or none of them (0); see reverse_steps.
  struct StepRun {
    std::uint32_t end;
    std::uint32_t carry;
  };
  struct SweepSteps {
    std::vector<ReverseStep> steps;
    std::vector<StepRun> runs;
  };
  static void mark_carries(SweepSteps& s);
  std::vector<Operands> plan_operands_;
  std::vector<Operands> plan_folds_;  // where folded operands are, for groups with folds only
  std::vector<Partials> plan_partials_;
  // The recorded constants of the linear nodes with folded operands (their partials in
  // plan_partials_ are the constants times the folded ones, formed anew by every sweep), by group.
  std::vector<Partials> plan_constants_;
  SweepSteps plan_reverse_;               // the nodes not folded, in schedule order
  std::vector<ReverseStep> plan_folded_;  // the folded ones, by node (an output may be one)
  // Merging, for the sweep from the last node: a two-operand step t whose adjoint only one step
  // c reads, and whose operands c's other operand is among (t = b − a², c = 100·t² + (1 − a)²),
  // is merged into c: c's step then reads t's operands with the chained partials, computed after
  // the forward sweep into positions past the schedule's. One step less per such pair.
  struct Merge {
    // Indices of doubles in plan_partials_: c's partial for t, t's two, what c's other operand
    // adds to each merged partial (the last entry, zero, if none), the merged pair's first.
    std::uint32_t via, t, add_a, add_b, to;
  };
  SweepSteps plan_merged_;                   // plan_reverse_ with the merges (empty: none)
  std::vector<Merge> plan_merges_;           // in schedule order of c
  std::unique_ptr<double[]> plan_adjoints_;  // all zero between sweeps
  std::uint32_t adjoint_entries_ = 0;        // of plan_adjoints_
  // Zeroes what the last planned gradient left in plan_adjoints_: the inputs' adjoints, below
  // the floor (its sweep zeroed the rest).
  void clear_plan_gradient(std::size_t floor) {
    if (!plan_gradient_) return;
    std::fill(plan_adjoints_.get(), plan_adjoints_.get() + floor, 0.0);
    if (compact_adj_dot_) std::fill(compact_adj_dot_.get(), compact_adj_dot_.get() + floor, 0.0);
    plan_gradient_ = false;
  }
  // The compact format (built in compact_build.cpp, swept in compact_sweep.cpp and
  // compact_dual.cpp): the same schedule, and nothing per node but its operands (plan_operands_;
  // a constant op's b is its constant's index in compact_constants_), its value and its
  // adjoint. No partials are stored: the reverse sweep recomputes them from the values (each
  // op's df reads its operands and its result), group by group, so a gradient streams under
  // half of the plan's bytes per node. A product x·y (Mul, or Square: x·x) used once, of
  // operands not folded themselves, is folded into its consumer, which reads x as its operand
  // and y from compact_folds_, multiplies them in both sweeps and passes the product's share on
  // to both. A folded product has a position (after the scheduled nodes) but no value, adjoint
  // or tangent: the arrays end before it. What reads it by slot (value(): an output, a guard, a
  // message) multiplies its factors.
  // Linear nodes keep their two constants (plan_constants_, by group).
  std::vector<double> compact_constants_;
  // The folded products' second factors' positions (a square's is its operand's), by group
  // (Group::fold_first), one per folded operand, a's first.
  std::vector<std::uint32_t> compact_folds_;
  // A folded product's factors' positions.
  std::pair<std::uint32_t, std::uint32_t> factors_of(std::uint32_t slot) const;
  double folded_value(std::uint32_t slot) const;
  // The format numbers the nodes by position: the sink and the inputs keep their slots, the
  // scheduled nodes follow in schedule order (a sweep writes values and reads adjoints in
  // order, and needs no list of the nodes), then the folded products. Operands, folds and the
  // value, tangent and adjoint arrays are by position. What reads a node by its slot (outputs,
  // guards, messages: value()) asks position_of: the guards' operands and the last node (and
  // the factors of those that are folded products) are kept in named_positions_ (by slot); any
  // other slot makes position_ (every slot's position, four bytes a node that no sweep reads)
  // once, from the schedule computed again.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> named_positions_;
  mutable std::vector<std::uint32_t> position_;
  std::uint32_t position_of(std::uint32_t slot) const;
  std::vector<std::uint32_t> compact_positions(const std::vector<std::uint32_t>& order,
                                               const std::vector<std::uint8_t>& squared) const;
  std::uint32_t compact_scheduled_ = 0;  // the first folded product's position
  bool by_position() const { return plan_swept_ && format_ == ReplayFormat::compact; }
  double value(std::uint32_t slot) const {
    if (!by_position()) return values_[slot];
    const std::uint32_t at = position_of(slot);
    return at < compact_scheduled_ ? values_[at] : folded_value(slot);
  }
  void build_compact(const std::vector<std::uint8_t>& squared);
  void forward_compact();
  void reverse_compact(std::uint32_t out);
  // Its HVP sweeps: the same schedule in dual numbers, each node's value with its tangent
  // (compact_dot_) going forward, each adjoint with its tangent (compact_adj_dot_) going back,
  // the partials and their tangents recomputed from the op's df at Dual. Allocated at the first
  // dual replay; the adjoint tangents are all zero between sweeps but the inputs'.
  std::unique_ptr<double[]> compact_dot_;
  std::unique_ptr<double[]> compact_adj_dot_;
  void forward_compact_dual(std::span<const double> x, std::span<const double> v);
  void reverse_compact_dual(std::uint32_t out);
  bool compact_dual_ = false;  // the last sweep was forward_compact_dual (then plan_swept_ too)
  std::uint32_t values_capacity_ = 0;  // entries of values_
  // What values_ must hold for this recording's format: a value per position in the compact
  // format (its folded products, last, have none), else one per slot the tape may hold.
  std::uint32_t value_entries() const {
    return format_ == ReplayFormat::compact ? compact_scheduled_ : t_.capacity_;
  }
  void reserve_values(std::uint32_t entries);
  ReplayFormat format_ = ReplayFormat::nodes;  // how this recording's first-order replay runs
  bool planned_ = false;                       // format_ is plan or compact: dense arrays
  bool plan_swept_ = false;                    // the last forward sweep filled plan_partials_
  bool plan_gradient_ = false;  // the inputs' adjoints are in plan_adjoints_ (the last sweep's)
  void build_plan(const std::vector<std::uint8_t>& folded,
                  const std::vector<std::uint8_t>& squared);
  void merge_steps();
  void merge_partials();
  void forward_plan();
  void reverse_plan(std::uint32_t out);  // by zeros_, as sweep_once
  bool replaying_ = false;
  // What the last forward sweep caught (null: nothing) and at which scalar slot, or tensor node
  // (kNoSlot: a scalar's); the scalar slots and tensor nodes it reached (all, unless a tensor
  // op threw).
  static constexpr std::uint32_t kNoSlot = ~0u;
  std::unique_ptr<std::exception_ptr> replay_error_;  // a pointer: the inert tape is constinit
  std::uint32_t error_slot_ = kNoSlot;
  std::uint32_t error_tensor_ = kNoSlot;
  std::uint32_t reached_ = kNoSlot;
  std::uint32_t tensors_reached_ = kNoSlot;
  void forward_sweep(std::span<const double> x, std::span<const double> v, bool dual);
  SLOPE_COLD void forward_one_by_one(std::span<const double> x, std::span<const double> v,
                                     bool dual, std::exception_ptr first);
  SLOPE_COLD void throw_replay_error(const std::string& call) const;
  SLOPE_COLD void check_finite_values(const std::string& call) const;
  SLOPE_COLD std::string describe(std::uint32_t slot) const;
  void replay_sweep(std::span<const double> x, std::span<const double> v, bool dual);
  void forward_segment(std::size_t lo, std::size_t hi, std::span<const double> x,
                       std::span<const double> v, bool dual);
};

}  // namespace slope::detail
