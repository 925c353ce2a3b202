// SPDX-License-Identifier: MIT
#pragma once

// Tensor nodes: the second list of a tape. Each remembers how many scalar nodes preceded it
// (its mark): scalar nodes below the mark may be its operands, scalar nodes at or above it may
// consume it. The reverse sweep runs the scalar nodes above a mark, then that tensor node's
// vector-Jacobian product, then the scalar nodes below, and so on down.
//
// Second order: in a recording with tangents every active node also carries its tangent, and
// its reverse rule runs in dual numbers (adjoint and adjoint tangent), the tensor form of the
// scalar tape's forward-over-reverse sweep.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/autodiff/dual.hpp>
#include <slope/core/error.hpp>
#include <slope/core/format.hpp>
#include <slope/autodiff/tape.hpp>
#include <slope/autodiff/tensor.hpp>

#include "replay.hpp"

namespace slope::detail {

using Array = xt::xarray<double>;
using Shape = Array::shape_type;

struct TensorList;
struct TensorNode;

/// A read-only view of a node's value: its own array, or memory it references (an lvalue
/// xt::xarray given as data, or the rows bound to a placeholder). Reading through a view is what
/// lets parallel_value_and_grad hand each thread a block of rows without copying them.
struct ValueRef {
  const double* p;
  const Shape* s;
  std::size_t n;
  const double* data() const { return p; }
  const Shape& shape() const { return *s; }
  std::size_t size() const { return n; }
  std::size_t dimension() const { return s->size(); }
  double flat(std::size_t i) const { return p[i]; }
  const double* begin() const { return p; }
  const double* end() const { return p + n; }
};

std::size_t size_of(const Shape& s);

/// How a node's rows follow the rows of the placeholders (the data), for replays that walk the
/// data in blocks of rows. `rows`: row i (along axis 0) depends on row i of the data only, and
/// on values that do not depend on the data; `sum` / `mean`: the sum / mean of all elements of a
/// `rows` node; `none`: independent of the data; `mixed`: anything else (the default of an op).
enum class RowFlow : std::uint8_t { none, rows, sum, mean, mixed };

/// A tensor op: a value function and its vector-Jacobian product. `forward` computes self's value
/// (and its tangent, in a sweep with tangents when self depends on the parameters) from the
/// operands' current values: recording runs it once, every replay runs it again, possibly on
/// operands of new shapes (a placeholder rebound to a batch of another length); shape errors are
/// slope::Errors naming the op and the shapes. `backward` adds the operands' adjoint shares.
struct TensorOp {
  virtual ~TensorOp() = default;
  virtual void forward(Tape& tape, TensorList& list, TensorNode& self) = 0;
  virtual void backward(Tape& tape, TensorList& list, TensorNode& self) = 0;
  virtual std::unique_ptr<TensorOp> clone() const = 0;
  /// self's RowFlow from its operands' (`flow`, by node index); ops that keep rows apart say so.
  virtual RowFlow row_flow(const TensorList&, std::span<const RowFlow>, const TensorNode&) const {
    return RowFlow::mixed;
  }
  /// The scalar node this op writes (an element read out as a Var), 0 for none.
  virtual std::uint32_t scalar_slot() const { return 0; }
};

/// The copy every op class gets for free (a Function cloned for another thread copies its ops).
template <class Derived>
struct OpBase : TensorOp {
  std::unique_ptr<TensorOp> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

struct TensorNode {
  Array own;                    // the value, unless it references memory (ext)
  const double* ext = nullptr;  // referenced data: an lvalue xarray, or bound placeholder rows
  Shape ext_shape;
  Array tan;                       // value tangent (sweeps with tangents)
  Array adj, adj_tan;              // adjoint and its tangent, built by the reverse sweep
  std::unique_ptr<TensorOp> op;    // null for data (constants and placeholders)
  std::uint64_t placeholders = 0;  // bit i: the value depends on placeholder i
  std::uint32_t mark = 0;          // scalar nodes recorded before this node
  bool live = false;               // depends on the parameters: takes part in the reverse sweep
  bool has_tan = false, has_adj = false, has_adj_tan = false;

  ValueRef value() const {
    if (ext != nullptr) return {ext, &ext_shape, size_of(ext_shape)};
    return {own.data(), &own.shape(), own.size()};
  }
  const double* tangent() const { return has_tan ? tan.data() : nullptr; }
  bool active() const { return live; }
  /// Recomputed by a replay: depends on the parameters or on a placeholder.
  bool varies() const { return op != nullptr && (live || placeholders != 0); }
  TensorNode copy() const;
};

/// Arrays released by earlier sweeps, by element count, so a tape that is swept again at the
/// same shapes reuses memory instead of asking for fresh pages (page faults were a large share of
/// an HVP at N = 100 000 before the pool) and a warm replay allocates nothing. Bounded by `limit`
/// doubles, so shapes that keep changing cannot make it grow without end.
struct ArrayPool {
  std::map<std::size_t, std::vector<Array>> by_size;
  std::size_t held = 0;
  std::size_t limit = 0;
  std::size_t slots = 8;  // arrays of one size the pool makes room for at once
};

struct TensorList {
  std::vector<TensorNode> nodes;
  ArrayPool pool;
  // Values of varying tensors read out while recording for replay (Tensor::value and friends):
  // the recording may have branched on them, so a replay is valid only while they are unchanged.
  struct ValueRead {
    std::uint32_t node;
    Array value;
  };
  std::vector<ValueRead> value_reads;

  TensorList() = default;
  TensorList(const TensorList&) = delete;
  TensorList& operator=(const TensorList&) = delete;
  ~TensorList();
  TensorNode& operator[](std::uint32_t i) { return nodes[i]; }
  /// Drops every node, handing its arrays to the pool.
  void clear();
  /// Doubles held by the nodes' arrays.
  std::size_t footprint() const;
  /// Makes this list's pool the one fresh() and recycle() use on this thread.
  void use_pool();
};

/// An uninitialised array of the given shape, from the pool in use when it has one of that size.
Array fresh(const Shape& shape);
Array zeros(const Shape& shape);
/// Hands an array's memory to the pool in use.
void recycle(Array&& a);

/// Sizes self's value, and its tangent when the sweep carries tangents and self depends on the
/// parameters, to shape s (their memory is reused when the size is unchanged). Returns the value
/// and tangent buffers; the tangent is null when there is none.
struct Out {
  double* v;
  double* t;
};
Out output(const Tape& tape, TensorNode& self, const Shape& s);

/// What tensor ops need of the tape (a friend of Tape and Tensor).
struct TensorAccess {
  static Tape& active(const char* op);
  static TensorList& list(Tape& t);
  static bool dual(const Tape& t) { return t.dual_; }
  /// The sweep passes nothing on from a zero adjoint (adjoint_share): Tape::sweep_from's second.
  static bool skip_zeros(const Tape& t) { return t.zeros_ == Tape::ZeroAdjoints::skipped; }
  static std::uint32_t tag(const Tape& t) { return t.tag_; }
  /// A new node computed by `op` from `operands` (live when one of them is; its forward runs
  /// now). Its mark is the current scalar size.
  static Tensor record(Tape& t, std::unique_ptr<TensorOp> op,
                       std::initializer_list<std::uint32_t> operands, const char* name);
  static Tensor record(Tape& t, std::unique_ptr<TensorOp> op,
                       std::span<const std::uint32_t> operands, const char* name);
  /// A live node whose value (and tangent) the caller computed: scalars stacked into a tensor.
  static Tensor add_computed(Tape& t, Array value, Array* tan, std::unique_ptr<TensorOp> op);
  /// A constant: referenced memory (data != nullptr) or an owned array.
  static Tensor add_data(Tape& t, const Array* data, Array own);
  /// A placeholder's node: referenced memory, rebound between replays.
  static Tensor handle(Tape& t, TensorList& l, std::uint32_t index);
  static Tensor add_placeholder(Tape& t, unsigned index, const double* data, const Shape& shape);
  /// Keeps a copy of a varying node's value read out while recording for replay.
  static void note_value_read(Tape& t, std::uint32_t node);
  /// A scalar node produced by a tensor op (its adjoint is read back by that op's rule).
  static Var push_scalar(Tape& t, double z, double tangent);
  static double adjoint(const Tape& t, std::uint32_t slot) { return t.base_[slot].adj; }
  static double adjoint_tangent(const Tape& t, std::uint32_t slot) {
    return t.dual_ ? t.tangents_[slot].adj : 0.0;
  }
  static void add_adjoint(Tape& t, std::uint32_t slot, double g, double gt) {
    t.base_[slot].adj += g;
    if (t.dual_) t.tangents_[slot].adj += gt;
  }
  static double tangent(const Tape& t, std::uint32_t slot) {
    return t.dual_ ? t.tangents_[slot].t : 0.0;
  }
  /// A scalar node's value during a replay (the handles held it while recording).
  static double replayed(const Tape& t, std::uint32_t slot) { return t.replay_->values_[slot]; }
  /// Writes a scalar node's value (and tangent) during a replay.
  static void set_scalar(Tape& t, std::uint32_t slot, double v, double tangent) {
    t.replay_->values_[slot] = v;
    if (t.dual_) t.tangents_[slot].t = tangent;
  }
  static bool replaying(const Tape& t) { return t.replay_ && t.replay_->replaying_; }
  static bool nan_check(const Tape& t) { return t.nan_check_; }
  /// Pins the leading extent of the placeholders in `mask`: the recording read a shape or an
  /// element that depends on them, so binding another extent needs a new recording.
  static void pin(Tape& t, std::uint64_t mask) { t.pinned_ |= mask; }
};

// ---- helpers shared by the op files ----

/// The node of a Tensor operand on tape t; throws for stale handles or handles of other tapes.
std::uint32_t node_index(Tape& t, const Tensor& x, const char* op);
/// NumPy broadcast shape of a and b; throws naming the op and both shapes.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);
/// dst[i] = from[Σ index_d(i)·strides_d] over the positions i of shape `out` in row-major order.
void gather(const double* from, const Shape& strides, const Shape& out, double* dst);
/// Copies from (shape s) with its axes reversed into dst.
void transpose_into(const double* from, const Shape& s, double* dst);
/// Copies `from` (shape `s`) broadcast to shape `out` into dst.
void broadcast_into(const double* from, const Shape& s, const Shape& out, double* dst);
/// Sums g over the axes along which `target` was broadcast, so it has shape `target`.
Array unbroadcast(Array g, const Shape& target);
/// Adds an adjoint share (and its tangent) of any broadcast shape into node n.
void accumulate(TensorNode& n, Array g, Array* gt);
/// The adjoint (tangent) buffer of n, zero-filled on first use, for rules that add into part
/// of it (slices, gathered rows, single elements).
Array& adjoint_buffer(TensorNode& n);
Array& adjoint_tangent_buffer(TensorNode& n);
/// The RowFlow of an elementwise op of `operands` (broadcast to self's shape): `rows` when every
/// operand that follows the data rows has self's rank and leading extent and every other operand
/// is broadcast along axis 0.
RowFlow elementwise_flow(const TensorList& list, std::span<const RowFlow> flow,
                         const TensorNode& self, std::initializer_list<std::uint32_t> operands);
/// RowFlow::sum (mean) when the function whose output is scalar slot `out` is the sum (mean) of
/// all elements of a `rows` node: its gradient is then the sum (row-weighted mean) of the
/// gradients over blocks of rows. nullopt otherwise, and for recordings with guards, pinned
/// placeholders or values read out (a block's values could differ from the whole's).
std::optional<RowFlow> row_combine(Tape& tape, std::uint32_t out);

/// Element `flat` of tensor node src as a scalar node. `pin`: a read by the user (indexing),
/// which ties the recording to the extents of the placeholders src depends on; reductions to a
/// scalar read their one element without pinning anything.
Var element_of(Tape& t, std::uint32_t src, std::size_t flat, bool pin);
/// Throws for a Tensor handle that is empty or not from the active tape t (nullptr: none).
[[noreturn]] void throw_stale_tensor(const Tensor& x, const Tape* t, const char* op);
std::size_t normalize_axis(std::ptrdiff_t axis, std::size_t dims, const char* op,
                           const Shape& shape);

/// The common shape of a reverse rule with one operand: `vjp(T{}, g, gt)` fills an adjoint share
/// of `shape` at T = double (gt null) or, in a recording with tangents, at T = Dual; the share is
/// then added to `target`.
template <class Vjp>
void accumulate_vjp(const Tape& tape, TensorNode& target, const Shape& shape, Vjp&& vjp) {
  Array g = fresh(shape);
  if (TensorAccess::dual(tape)) {
    Array gt = fresh(shape);
    vjp(Dual{}, g.data(), gt.data());
    accumulate(target, std::move(g), &gt);
  } else {
    vjp(0.0, g.data(), nullptr);
    accumulate(target, std::move(g), nullptr);
  }
}

template <class T>
T load(const double* v, const double* t, std::size_t i) {
  if constexpr (std::is_same_v<T, double>)
    return v[i];
  else
    return Dual(v[i], t != nullptr ? t[i] : 0.0);
}
template <class T>
void store(double* v, double* t, std::size_t i, const T& x) {
  if constexpr (std::is_same_v<T, double>) {
    v[i] = x;
  } else {
    v[i] = x.v;
    if (t != nullptr) t[i] = x.d;
  }
}

}  // namespace slope::detail
