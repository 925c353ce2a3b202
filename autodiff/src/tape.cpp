// SPDX-License-Identifier: MIT
#include <autodiff/tape.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>

#include <autodiff/functional.hpp>
#include <autodiff/tensor.hpp>
#include <autodiff/var.hpp>

#include "rethrow.hpp"
#include "tensor_list.hpp"

namespace slope {

namespace {
// Tags are unique across all tapes and threads, so a handle from a cleared recording or from
// another tape never matches the active one (until 2³² recordings have passed).
std::atomic<std::uint32_t> next_tag{1};
std::atomic<bool> nan_check_on{false};

std::uint32_t new_tag() {
  std::uint32_t t = next_tag.fetch_add(1, std::memory_order_relaxed);
  // 0 marks a constant; the two highest values are the inert and the special tags.
  while (t == 0 || t >= 0xfffffffeu) t = next_tag.fetch_add(1, std::memory_order_relaxed);
  return t;
}

// Accumulations make chains: an operand of node i is node i − 1, whose adjoint the next step
// reads straight back. That share travels in a register (`carry`) instead of through memory,
// where each step would wait on the previous one's store; its store goes to node i's own,
// already consumed, adjoint instead. Inputs registered among the ops need their complete
// adjoint written back (`kWriteBack`); their partials are 0 and k (their index) and their
// operands the sink 0, so only an input at slot 1 (k = 0) can look chained: it adds 0.
// kSkipZeros: each share by adjoint_share (the second sweep of Tape::sweep_from).
template <bool kWriteBack, bool kSkipZeros>
void sweep_first_order(Node* nodes, std::size_t out, std::size_t floor) {
  double carry = 0;
  for (std::size_t i = out; i >= floor; --i) {
    Node& n = nodes[i];
    const double g = n.adj + carry;
    const std::uint32_t a = n.a(), b = n.b();
    const double da = kSkipZeros ? adjoint_share(n.p0, g) : n.p0 * g;
    const double db = kSkipZeros ? adjoint_share(n.p1, g) : n.p1 * g;
    const bool ca = a + 1 == i, cb = b + 1 == i;
    carry = (ca ? da : 0.0) + (cb ? db : 0.0);
    nodes[ca ? i : a].adj += da;
    nodes[cb ? i : b].adj += db;
    if constexpr (kWriteBack) n.adj = g;
    // Leaves the adjoint zero for the next sweep of these nodes (a replay's forward sweep then
    // need not touch it); the chained shares above went to this, already consumed, slot.
    if constexpr (!kWriteBack) n.adj = 0;
  }
  nodes[floor - 1].adj += carry;  // the last step's share, when its operand is below the floor
}

// The same in dual numbers: (ā, ǡ) += (p, ṗ)·(z̄, ż̄) = (p z̄, ṗ z̄ + p ż̄), carrying both along
// chains (kSkipZeros: each product by adjoint_share). Adjoints are always written back (Hessian
// columns read them).
template <bool kSkipZeros>
void sweep_dual(Node* nodes, Tangent* tan, std::size_t out, std::size_t floor) {
  double carry = 0, carry_d = 0;
  for (std::size_t i = out; i >= floor; --i) {
    Node& n = nodes[i];
    Tangent& t = tan[i];
    const double g = n.adj + carry, gd = t.adj + carry_d;
    n.adj = g;
    t.adj = gd;
    const std::uint32_t a = n.a(), b = n.b();
    double da, dda, db, ddb;
    if constexpr (kSkipZeros) {
      const Dual sa = adjoint_share(Dual(n.p0, t.dp0), Dual(g, gd));
      const Dual sb = adjoint_share(Dual(n.p1, t.dp1), Dual(g, gd));
      da = sa.v, dda = sa.d, db = sb.v, ddb = sb.d;
    } else {
      da = n.p0 * g, dda = t.dp0 * g + n.p0 * gd;
      db = n.p1 * g, ddb = t.dp1 * g + n.p1 * gd;
    }
    const bool ca = a + 1 == i, cb = b + 1 == i;
    carry = (ca ? da : 0.0) + (cb ? db : 0.0);
    carry_d = (ca ? dda : 0.0) + (cb ? ddb : 0.0);
    const auto self = static_cast<std::uint32_t>(i);
    nodes[ca ? self : a].adj += da;
    tan[ca ? self : a].adj += dda;
    nodes[cb ? self : b].adj += db;
    tan[cb ? self : b].adj += ddb;
  }
  nodes[floor - 1].adj += carry;
  tan[floor - 1].adj += carry_d;
}

constexpr std::size_t kMaxNodes = std::size_t{Var::kSlotMask} + 1;

struct TapePool {
  std::vector<std::unique_ptr<Tape>> tapes;
  std::size_t depth = 0;
};
thread_local TapePool pool;
}  // namespace

void set_nan_check(bool on) { nan_check_on.store(on, std::memory_order_relaxed); }
bool nan_check() { return nan_check_on.load(std::memory_order_relaxed); }

Tape::Tape() = default;
Tape::~Tape() = default;
void detail::TensorListDeleter::operator()(detail::TensorList* list) const { delete list; }

std::size_t Tape::tensor_count() const { return tensors_ ? tensors_->nodes.size() : 0; }

void Tape::reset(Mode mode) {
  if (!storage_) {
    capacity_ = 1024;
    storage_ = std::make_unique_for_overwrite<Node[]>(capacity_);
    base_ = storage_.get();
  }
  base_[0] = Node{Node::pack(ops::kInputCode, 0, 0), 0, 0, 0};  // the sink
  size_ = 1;
  floor_ = 1;
  swept_ = false;
  inputs_among_ops_ = false;
  dual_ = false;
  tag_ = new_tag();
  mode_ = mode;
  temp_mark_ = mode == Mode::gradient ? Var::kTempBit : 0;
  linear_mark_ = mode == Mode::replay ? Var::kTempBit : 0;
  open_ = true;
  nan_check_ = nan_check();
  hot_tag_ = nan_check_ ? kSpecialTag : tag_;
  inputs_taken_ = false;
  inputs_.clear();
  inputs_in_values_ = false;
  guards_.clear();
  pinned_ = 0;
  replaying_ = false;
  replay_error_.reset();
  reached_ = tensors_reached_ = kNoSlot;
  ops_clean_ = true;
  tangents_clean_ = false;
  segment_groups_.clear();  // the next replay schedules this recording
  planned_ = plan_swept_ = plan_gradient_ = false;
  if (tensors_) tensors_->clear();
}

void Tape::close() {
  tag_ = hot_tag_ = new_tag();
  open_ = false;
}

std::size_t Tape::bytes_reserved() const { return std::size_t{capacity_} * sizeof(Node); }

void Tape::grow() {
  if (capacity_ >= kMaxNodes)
    throw Error("slope::Tape: recording exceeds " + std::to_string(kMaxNodes) +
                " scalar nodes (the slot index has 28 bits)");
  const std::size_t cap = std::min(std::size_t{capacity_} * 2, kMaxNodes);
  auto bigger = std::make_unique_for_overwrite<Node[]>(cap);
  std::memcpy(bigger.get(), base_, std::size_t{size_} * sizeof(Node));
  storage_ = std::move(bigger);
  base_ = storage_.get();
  if (tangents_) {
    auto more = std::make_unique_for_overwrite<Tangent[]>(cap);
    std::memcpy(more.get(), tangents_.get(), std::size_t{size_} * sizeof(Tangent));
    tangents_ = std::move(more);
  }
  capacity_ = static_cast<std::uint32_t>(cap);
}

Var Tape::input(double value) {
  if (!open_) throw Error("slope::Tape::input: no recording is open (call reset() first)");
  const auto k = static_cast<double>(inputs_.size());
  inputs_.push_back(value);
  inputs_among_ops_ = true;
  return push2(ops::kInputCode, 0, 0, 0, k, value);
}

Tensor Tape::inputs(std::span<const double> x) {
  if (!open_) throw Error("slope::Tape::inputs: no recording is open (call reset() first)");
  if (inputs_taken_ || !inputs_.empty())
    throw Error("slope::Tape::inputs: register the parameter block once, before other inputs");
  if (x.size() >= kMaxNodes)
    throw Error("slope::Tape::inputs: too many inputs: " + std::to_string(x.size()));
  inputs_taken_ = true;
  inputs_.assign(x.begin(), x.end());
  const auto first = static_cast<std::uint32_t>(size());
  while (capacity_ - size_ < x.size()) grow();
  Node* n = base_ + size_;
  const std::uint64_t word = Node::pack(ops::kInputCode, 0, 0);
  for (std::size_t k = 0; k < x.size(); ++k) n[k] = Node{word, 0, static_cast<double>(k), 0};
  size_ += static_cast<std::uint32_t>(x.size());
  if (first == 1)
    floor_ = size();  // nothing below the block needs sweeping
  else
    inputs_among_ops_ = true;
  return Tensor(inputs_.data(), first, static_cast<std::uint32_t>(x.size()), tag_);
}

Tensor Tape::inputs(std::span<const double> x, std::span<const double> v) {
  if (v.size() != x.size())
    throw Error("slope::Tape::inputs: v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  if (!tangents_) tangents_ = std::make_unique_for_overwrite<Tangent[]>(capacity_);
  const Tensor p = inputs(x);
  tangents_[0] = Tangent{0, 0, 0, 0};
  for (std::size_t k = 0; k < v.size(); ++k) tangents_[p.first_slot() + k] = Tangent{v[k], 0, 0, 0};
  dual_ = true;
  hot_tag_ = kSpecialTag;
  return p;
}

void Tape::reverse_dual(const Var& y) {
  if (!dual_)
    throw Error("slope::Tape::reverse_dual: the recording has no tangents (use inputs(x, v))");
  if (begin_sweep(y, "reverse_dual")) sweep_from(y.slot(), true);
}

void Tape::reverse_replayed(std::uint32_t out) {
  clear_adjoints();
  base_[out].adj = 1.0;
  sweep_from(out, false);
}

void Tape::reverse_dual_replayed(std::uint32_t out) {
  if (!dual_) throw Error("slope::Tape::reverse_dual_replayed: the replay had no tangents");
  clear_adjoints();
  base_[out].adj = 1.0;
  sweep_from(out, true);
}

namespace {
template <bool kSkipZeros>
void sweep_scalars(Node* nodes, Tangent* tan, std::size_t out, std::size_t floor, bool dual,
                   bool write_back) {
  if (dual)
    sweep_dual<kSkipZeros>(nodes, tan, out, floor);
  else if (write_back)
    sweep_first_order<true, kSkipZeros>(nodes, out, floor);
  else
    sweep_first_order<false, kSkipZeros>(nodes, out, floor);
}
}  // namespace

void Tape::sweep_from(std::size_t out, bool dual) {
  zeros_ = ZeroAdjoints::multiplied;
  sweep_once(out, dual);
  if (!gradient_has_nan(dual)) [[likely]]
    return;
  // A NaN reached the inputs: from 0·∞ at a node whose adjoint is zero (recorded but unused, the
  // branch `where` did not take, a use scaled by 0) or from a real NaN on the way. Again, with
  // zero adjoints passing nothing on; a real NaN comes out again.
  clear_adjoints();
  base_[out].adj = 1.0;
  zeros_ = ZeroAdjoints::skipped;
  sweep_once(out, dual);
  zeros_ = ZeroAdjoints::multiplied;
}

void Tape::sweep_once(std::size_t out, bool dual) {
  const bool skip = zeros_ == ZeroAdjoints::skipped;
  if (!dual && plan_swept_)
    reverse_plan(static_cast<std::uint32_t>(out));
  else if (tensor_count() > 0)
    reverse_segmented(out, dual);
  else if (skip)
    sweep_scalars<true>(base_, tangents_.get(), out, floor_, dual, inputs_among_ops_);
  else
    sweep_scalars<false>(base_, tangents_.get(), out, floor_, dual, inputs_among_ops_);
  ops_clean_ = !dual && !inputs_among_ops_;
}

namespace {
// False when some value is NaN or ±∞ (its exponent bits all ones). Flags in four independent
// lanes, ORed: a search with an exit per element, or one running minimum, waits on the previous
// element (W2-small: 7–12 % of a replayed gradient, for its 100 inputs against 200 nodes).
template <std::size_t kStride>
bool all_finite(const double* first, std::size_t count) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ull;
  auto bad = [first](std::size_t i) {
    std::uint64_t bits;
    std::memcpy(&bits, first + i * kStride, sizeof bits);
    return (bits & kExponent) == kExponent;
  };
  bool b0 = false, b1 = false, b2 = false, b3 = false;
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) b0 |= bad(i), b1 |= bad(i + 1), b2 |= bad(i + 2), b3 |= bad(i + 3);
  for (; i < count; ++i) b0 |= bad(i);
  return !(b0 | b1 | b2 | b3);
}
}  // namespace

// A NaN (or ±∞: then the second sweep is spare, and gives the same) among the inputs' adjoints.
bool Tape::gradient_has_nan(bool dual) const {
  if (plan_gradient_) return !all_finite<1>(plan_adjoints_.get(), floor_);
  // Inputs among the ops: their adjoints are anywhere on the tape (a write-back sweep kept all).
  const std::size_t end = inputs_among_ops_ ? size_ : std::min<std::size_t>(floor_, size_);
  if (end <= 1) return false;
  constexpr std::size_t kNode = sizeof(Node) / sizeof(double),
                        kTangent = sizeof(Tangent) / sizeof(double);
  static_assert(sizeof(Node) % sizeof(double) == 0 && sizeof(Tangent) % sizeof(double) == 0);
  if (!all_finite<kNode>(&base_[1].adj, end - 1)) return true;
  return dual && !all_finite<kTangent>(&tangents_[1].adj, end - 1);
}

void Tape::reverse_segmented(std::size_t out, bool dual) {
  // Scalar nodes [mark, hi] were recorded after tensor node k: sweep them, then run k's rule.
  detail::TensorList& list = *tensors_;
  list.use_pool();
  std::size_t hi = out;
  auto sweep_down_to = [&](std::size_t lo) {
    if (hi < lo) return;
    if (zeros_ == ZeroAdjoints::skipped)
      sweep_scalars<true>(base_, tangents_.get(), hi, lo, dual, inputs_among_ops_);
    else
      sweep_scalars<false>(base_, tangents_.get(), hi, lo, dual, inputs_among_ops_);
    hi = lo - 1;
  };
  for (std::size_t k = list.nodes.size(); k-- > 0;) {
    detail::TensorNode& n = list.nodes[k];
    if (!n.active()) continue;
    sweep_down_to(std::max<std::size_t>(n.mark, floor_));
    try {
      n.op->backward(*this, list, n);
    } catch (const std::exception&) {
      detail::rethrow_as_error("slope: the reverse rule of tensor op #" + std::to_string(k) +
                               " threw");
    }
  }
  sweep_down_to(floor_);
}

void Tape::clear_adjoints() {
  if (plan_gradient_) {
    // The plan's sweep left adjoints only at the inputs, in its own array, and the nodes' all
    // zero (its seed included): no 32-byte node line needs touching.
    std::fill(plan_adjoints_.get(), plan_adjoints_.get() + floor_, 0.0);
    plan_gradient_ = false;
    ops_clean_ = tangents_clean_ = false;  // until a sweep completes
    return;
  }
  // Recording and the dual forward sweep zero each node's adjoint, and a completed first-order
  // sweep leaves the adjoints of the nodes it swept zero: then only the inputs below the floor
  // (the gradient just read) need clearing.
  if (swept_) {
    const std::uint32_t end = ops_clean_ ? std::min<std::uint32_t>(floor_, size_) : size_;
    for (std::uint32_t i = 0; i < end; ++i) base_[i].adj = 0;
    if (dual_ && !tangents_clean_)
      for (std::uint32_t i = 0; i < size_; ++i) tangents_[i].adj = 0;
  }
  if (swept_ && tensors_) {
    tensors_->use_pool();
    for (detail::TensorNode& n : tensors_->nodes) {
      if (n.has_adj) detail::recycle(std::move(n.adj));
      if (n.has_adj_tan) detail::recycle(std::move(n.adj_tan));
      n.has_adj = n.has_adj_tan = false;
    }
  }
  swept_ = true;
  ops_clean_ = tangents_clean_ = false;  // until a sweep completes
}

bool Tape::begin_sweep(const Var& y, const char* call) {
  clear_adjoints();
  if (!y.is_active()) return false;
  if (y.tag_ != tag_ || y.slot() >= size())
    throw Error(std::string("slope::Tape::") + call + ": the output Var (value " +
                detail::fmt(y.value_) + ") is not from this recording (recording #" +
                std::to_string(y.tag_) + ", tape is at #" + std::to_string(tag_) + ")");
  base_[y.slot()].adj = 1.0;
  return true;
}

void Tape::reverse(const Var& y) {
  if (begin_sweep(y, "reverse")) sweep_from(y.slot(), false);
}

void Tape::adjoints(std::uint32_t first, std::span<double> out) const {
  if (plan_gradient_) {
    std::copy_n(plan_adjoints_.get() + first, out.size(), out.begin());
    return;
  }
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = base_[first + k].adj;
}

double Tape::adjoint(const Var& x) const {
  if (x.is_active() && (x.tag_ != tag_ || x.slot() >= size()))
    throw Error("slope::Tape::adjoint: the Var (value " + detail::fmt(x.value_) +
                ") is not from this recording");
  return x.is_active() ? adjoint(x.slot()) : 0.0;
}

void Tape::throw_stale(double value, std::uint32_t tag, const char* op) {
  const Tape* t = active();
  std::string msg = std::string("slope: ") + op + ": a Var (value " + detail::fmt(value) +
                    ", recording #" + std::to_string(tag) + ") ";
  if (t == nullptr)
    msg += "was used after its tape was cleared: no recording is active on this thread";
  else
    msg += "is not from the active tape (recording #" + std::to_string(t->tag_) +
           "): its tape was cleared, or it belongs to another tape or thread";
  throw Error(msg);
}

void Tape::throw_mixed(double av, std::uint32_t at, double bv, std::uint32_t bt, const char* op) {
  throw Error(std::string("slope: ") + op + ": mixes handles of two tapes (recording #" +
              std::to_string(at) + " and #" + std::to_string(bt) + ", values " + detail::fmt(av) +
              " and " + detail::fmt(bv) + ")");
}

void Tape::throw_not_finite(const char* op, double z, double a, double b, int arity) const {
  std::string msg = std::string("slope: nan check: ") + op + "(" + detail::fmt(a);
  if (arity == 2) msg += ", " + detail::fmt(b);
  throw Error(msg + ") = " + detail::fmt(z));
}

Recording::Recording(Tape& tape, Mode mode) : tape_(&tape), previous_(Tape::active_) {
  pooled_ = false;
  tape_->reset(mode);
  Tape::active_ = tape_;
}

Recording::Recording(Mode mode) : previous_(Tape::active_) {
  if (pool.depth == pool.tapes.size()) pool.tapes.push_back(std::make_unique<Tape>());
  tape_ = pool.tapes[pool.depth++].get();
  tape_->reset(mode);
  Tape::active_ = tape_;
}

Recording::~Recording() {
  tape_->close();
  Tape::active_ = previous_;
  if (!pooled_) return;
  // Tensor values and adjoints can be large (N-sized per op) and their handles are stale now:
  // their memory goes to the tape's array pool for the next recording, as the scalar nodes'
  // buffer is kept for it.
  if (tape_->tensors_) tape_->tensors_->clear();
  --pool.depth;
}

const char* symbol(Compare c) {
  static constexpr const char* symbols[] = {"<", "<=", ">", ">=", "==", "!="};
  return symbols[static_cast<int>(c)];
}

void Tape::guard(Compare c, const Var& a, const Var& b, bool outcome) {
  if (mode_ != Mode::replay || !open_) return;
  const bool ours_a = a.is_active() && a.tag_ == tag_, ours_b = b.is_active() && b.tag_ == tag_;
  if (!ours_a && !ours_b) return;  // constants, or handles of another recording
  // A guard is one more handle of the nodes it compares: neither may be folded into a later op.
  a.share();
  b.share();
  guards_.push_back(
      Guard{ours_a ? a.slot() : 0, ours_b ? b.slot() : 0, a.value_, b.value_, c, outcome});
}

const Guard* Tape::broken_guard() const {
  for (const Guard& g : guards_) {
    // After a tensor op that threw, the nodes from reached_ on hold no value of this replay.
    if (g.a >= reached_ || g.b >= reached_) continue;
    const double a = g.a != 0 ? values_[g.a] : g.ca, b = g.b != 0 ? values_[g.b] : g.cb;
    if (compare(g.cmp, a, b) != g.outcome) return &g;
  }
  return nullptr;
}

std::unique_ptr<Tape> Tape::clone() const {
  if (open_) throw Error("slope::Tape::clone: the recording is still open");
  auto t = std::make_unique<Tape>();
  t->capacity_ = std::max<std::uint32_t>(size_, 1);
  t->storage_ = std::make_unique_for_overwrite<Node[]>(t->capacity_);
  t->base_ = t->storage_.get();
  std::memcpy(t->base_, base_, std::size_t{size_} * sizeof(Node));
  t->size_ = size_;
  t->tag_ = t->hot_tag_ = new_tag();
  t->mode_ = mode_;
  t->temp_mark_ = temp_mark_;
  t->linear_mark_ = linear_mark_;
  t->floor_ = floor_;
  t->inputs_taken_ = inputs_taken_;
  t->inputs_among_ops_ = inputs_among_ops_;
  const std::span<const double> x = input_values();
  t->inputs_.assign(x.begin(), x.end());
  t->guards_ = guards_;
  t->pinned_ = pinned_;
  t->swept_ = true;  // the copied adjoints are cleared by the next sweep
  t->ops_clean_ = false;
  if (tensors_) {
    t->tensors_.reset(new detail::TensorList());
    t->tensors_->nodes.reserve(tensors_->nodes.size());
    for (const detail::TensorNode& n : tensors_->nodes) t->tensors_->nodes.push_back(n.copy());
  }
  return t;
}

Var log_sum_exp(std::span<const Var> xs) {
  if (xs.empty()) throw Error("slope::log_sum_exp: needs at least one operand, got 0");
  Var acc = xs[0];
  for (std::size_t i = 1; i < xs.size(); ++i) acc = log_sum_exp(std::move(acc), xs[i]);
  return acc;
}

namespace detail {

void throw_not_1d(const char* call, const char* arg, std::size_t dims) {
  throw Error(std::string("slope::") + call + ": " + arg + " must be 1-D, got " +
              std::to_string(dims) + " dimensions");
}

void throw_non_scalar(const char* call, std::size_t size) {
  throw Error(std::string("slope::") + call +
              ": f must return a scalar (slope::Var) to be differentiated, it returned a tensor "
              "of shape (" +
              std::to_string(size) + ",)");
}

void check_output(const Tape& tape, const Var& y, const char* call) {
  if (y.is_active() && y.tag() != tape.tag())
    throw Error(std::string("slope::") + call + ": f returned a Var (value " + fmt(y.value()) +
                ") from another recording; build the result from the parameters it was given");
}

static void require_nonempty(std::span<const double> x, const char* call) {
  if (x.empty()) throw Error(std::string("slope::") + call + ": x is empty (size 0)");
}

Tensor begin_recording(Tape& tape, std::span<const double> x, const char* call) {
  require_nonempty(x, call);
  return tape.inputs(x);
}

Tensor begin_hvp_recording(Tape& tape, std::span<const double> x, std::span<const double> v,
                           const char* call) {
  require_nonempty(x, call);
  if (v.size() != x.size())
    throw Error(std::string("slope::") + call + ": v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  return tape.inputs(x, v);
}

HvpResult finish_dual_hvp(Tape& tape, const Var& y, const Tensor& p, const char* call) {
  check_output(tape, y, call);
  tape.reverse_dual(y);
  HvpResult r{y.value(), xt::xarray<double>::from_shape({p.size()}),
              xt::xarray<double>::from_shape({p.size()})};
  for (std::size_t k = 0; k < p.size(); ++k) {
    const auto slot = p.first_slot() + static_cast<std::uint32_t>(k);
    r.grad(k) = tape.adjoint(slot);
    r.hv(k) = tape.hvp_adjoint(slot);
  }
  return r;
}

ValueAndGrad finish_gradient(Tape& tape, const Var& y, const Tensor& p, const char* call) {
  check_output(tape, y, call);
  tape.reverse(y);
  xt::xarray<double> g = xt::xarray<double>::from_shape({p.size()});
  const Node* inputs = tape.nodes() + p.first_slot();
  double* out = g.data();
  for (std::size_t k = 0; k < p.size(); ++k) out[k] = inputs[k].adj;
  return {y.value(), std::move(g)};
}

}  // namespace detail
}  // namespace slope
