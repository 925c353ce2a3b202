// SPDX-License-Identifier: MIT
#include <slope/autodiff/tape.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>

#include <slope/autodiff/functional.hpp>
#include <slope/autodiff/tensor.hpp>
#include <slope/autodiff/var.hpp>

#include "replay.hpp"
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
  adjoints_ = Adjoints::untouched;
  inputs_among_ops_ = false;
  dual_ = false;
  tag_ = new_tag();
  mode_ = mode;
  temp_mark_ = mode == Mode::gradient ? Var::kTempBit : 0;
  linear_mark_ = mode == Mode::replay ? Var::kTempBit : 0;
  stage_ = Stage::recording;
  nan_check_ = nan_check();
  hot_tag_ = nan_check_ ? kSpecialTag : tag_;
  inputs_taken_ = false;
  inputs_.clear();
  inputs_in_values_ = false;
  guards_.clear();
  pinned_ = 0;
  if (replay_) replay_->forget();  // the next replay schedules this recording
  if (tensors_) tensors_->clear();
}

void Tape::close() {
  tag_ = hot_tag_ = new_tag();
  stage_ = Stage::closed;
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
  note_peak();
}

Var Tape::input(double value) {
  if (stage_ != Stage::recording)
    throw Error("slope::Tape::input: no recording is open (call reset() first)");
  const auto k = static_cast<double>(inputs_.size());
  inputs_.push_back(value);
  inputs_among_ops_ = true;
  return push2(ops::kInputCode, 0, 0, 0, k, value);
}

Tensor Tape::inputs(std::span<const double> x) {
  if (stage_ != Stage::recording)
    throw Error("slope::Tape::inputs: no recording is open (call reset() first)");
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
  if (!tangents_) {
    tangents_ = std::make_unique_for_overwrite<Tangent[]>(capacity_);
    note_peak();
  }
  const Tensor p = inputs(x);
  tangents_[0] = Tangent{0, 0, 0, 0};
  for (std::size_t k = 0; k < v.size(); ++k) tangents_[p.first_slot() + k] = Tangent{v[k], 0, 0, 0};
  dual_ = true;
  hot_tag_ = kSpecialTag;
  return p;
}

void Tape::throw_stale(double value, std::uint32_t tag, const char* op) {
  const Tape* t = active();
  std::string msg = std::string("slope: ") + op + ": a Var (value " + core::number(value) +
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
              std::to_string(at) + " and #" + std::to_string(bt) + ", values " + core::number(av) +
              " and " + core::number(bv) + ")");
}

void Tape::throw_not_finite(const char* op, double z, double a, double b, int arity) const {
  std::string msg = std::string("slope: nan check: ") + op + "(" + core::number(a);
  if (arity == 2) msg += ", " + core::number(b);
  throw Error(msg + ") = " + core::number(z));
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
  if (mode_ != Mode::replay || stage_ != Stage::recording) return;
  const bool ours_a = a.is_active() && a.tag_ == tag_, ours_b = b.is_active() && b.tag_ == tag_;
  if (!ours_a && !ours_b) return;  // constants, or handles of another recording
  // A guard is one more handle of the nodes it compares: neither may be folded into a later op.
  a.share();
  b.share();
  guards_.push_back(
      Guard{ours_a ? a.slot() : 0, ours_b ? b.slot() : 0, a.value_, b.value_, c, outcome});
}

const Guard* Tape::broken_guard() const {
  if (!replay_) return nullptr;  // not replayed: every guard has its recorded outcome
  const detail::Replay& r = *replay_;
  for (const Guard& g : guards_) {
    // After a tensor op that threw, the nodes from `reached_` on hold no value of this replay.
    if (g.a >= r.reached_ || g.b >= r.reached_) continue;
    const double a = g.a != 0 ? r.value(g.a) : g.ca, b = g.b != 0 ? r.value(g.b) : g.cb;
    if (compare(g.cmp, a, b) != g.outcome) return &g;
  }
  return nullptr;
}

std::unique_ptr<Tape> Tape::clone() const {
  if (stage_ == Stage::recording) throw Error("slope::Tape::clone: the recording is still open");
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
  t->stage_ = Stage::closed;
  t->adjoints_ = Adjoints::dirty;  // the copied adjoints are cleared by the next sweep
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
    throw Error(std::string("slope::") + call + ": f returned a Var (value " +
                core::number(y.value()) +
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
