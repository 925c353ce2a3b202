// SPDX-License-Identifier: MIT
#include <autodiff/tape.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>

#include <autodiff/functional.hpp>
#include <autodiff/tensor.hpp>
#include <autodiff/var.hpp>

namespace slope {

namespace {
// Tags are unique across all tapes and threads, so a handle from a cleared recording or from
// another tape never matches the active one (until 2³² recordings have passed).
std::atomic<std::uint32_t> next_tag{1};
std::atomic<bool> nan_check_on{false};

std::uint32_t new_tag() {
  std::uint32_t t = next_tag.fetch_add(1, std::memory_order_relaxed);
  if (t == 0) t = next_tag.fetch_add(1, std::memory_order_relaxed);  // 0 marks no recording
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

void Tape::reset(Mode mode) {
  if (!nodes_) {
    capacity_ = 1024;
    nodes_ = std::make_unique_for_overwrite<Node[]>(capacity_);
  }
  nodes_[0] = Node{Node::pack(ops::kInputCode, 0, 0), 0, 0};  // the sink
  size_ = 1;
  tag_ = new_tag();
  mode_ = mode;
  open_ = true;
  nan_check_ = nan_check();
  inputs_taken_ = false;
  inputs_.clear();
}

void Tape::close() {
  tag_ = new_tag();
  open_ = false;
}

std::size_t Tape::bytes_reserved() const {
  return capacity_ * sizeof(Node) + adjoint_.capacity() * sizeof(double);
}

void Tape::grow() {
  if (capacity_ >= kMaxNodes)
    throw Error("slope::Tape: recording exceeds " + std::to_string(kMaxNodes - 1) +
                " scalar nodes (the slot index has 28 bits)");
  const std::size_t cap = std::min(capacity_ * 2, kMaxNodes);
  auto bigger = std::make_unique_for_overwrite<Node[]>(cap);
  std::memcpy(bigger.get(), nodes_.get(), size_ * sizeof(Node));
  nodes_ = std::move(bigger);
  capacity_ = cap;
}

Var Tape::input(double value) {
  if (!open_) throw Error("slope::Tape::input: no recording is open (call reset() first)");
  const auto k = static_cast<double>(inputs_.size());
  inputs_.push_back(value);
  Var v = push(ops::kInputCode, 0, 0, 0, k, value);
  return Var(v.value_, v.slot(), v.tag_);
}

Tensor Tape::inputs(std::span<const double> x) {
  if (!open_) throw Error("slope::Tape::inputs: no recording is open (call reset() first)");
  if (inputs_taken_ || !inputs_.empty())
    throw Error("slope::Tape::inputs: register the parameter block once, before other inputs");
  if (x.size() >= kMaxNodes) throw Error("slope::Tape::inputs: too many inputs: " + std::to_string(x.size()));
  inputs_taken_ = true;
  inputs_.assign(x.begin(), x.end());
  const auto first = static_cast<std::uint32_t>(size_);
  for (std::size_t k = 0; k < x.size(); ++k) push(ops::kInputCode, 0, 0, 0, static_cast<double>(k), 0);
  return Tensor(inputs_.data(), first, static_cast<std::uint32_t>(x.size()), tag_);
}

const double* Tape::reverse(const Var& y) {
  adjoint_.assign(size_, 0.0);
  double* adj = adjoint_.data();
  if (!y.is_active()) return adj;
  if (y.tag_ != tag_ || y.slot() >= size_)
    throw Error("slope::Tape::reverse: the output Var (value " + detail::fmt(y.value_) +
                ") is not from this recording (recording #" + std::to_string(y.tag_) +
                ", tape is at #" + std::to_string(tag_) + ")");
  const Node* nodes = nodes_.get();
  adj[y.slot()] = 1.0;
  for (std::size_t i = y.slot(); i > 0; --i) {
    const double g = adj[i];
    const Node& n = nodes[i];
    adj[n.a()] += n.p0 * g;
    adj[n.b()] += n.p1 * g;
  }
  return adj;
}

void Tape::throw_stale(const Var& a, const char* op) {
  const Tape* t = active_;
  std::string msg = std::string("slope: ") + op + ": a Var (value " + detail::fmt(a.value_) +
                    ", recording #" + std::to_string(a.tag_) + ") ";
  if (t == nullptr)
    msg += "was used after its tape was cleared: no recording is active on this thread";
  else
    msg += "is not from the active tape (recording #" + std::to_string(t->tag_) +
           "): its tape was cleared, or it belongs to another tape or thread";
  throw Error(msg);
}

void Tape::throw_mixed(const Var& a, const Var& b, const char* op) {
  throw Error(std::string("slope: ") + op + ": mixes handles of two tapes (recording #" +
              std::to_string(a.tag_) + " and #" + std::to_string(b.tag_) + ", values " +
              detail::fmt(a.value_) + " and " + detail::fmt(b.value_) + ")");
}

void Tape::throw_not_finite(const char* op, double z, double a, double b, int arity) const {
  std::string msg = std::string("slope: nan check: ") + op + "(" + detail::fmt(a);
  if (arity == 2) msg += ", " + detail::fmt(b);
  throw Error(msg + ") = " + detail::fmt(z));
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
  --pool.depth;
}

void Tensor::throw_index(std::size_t i) const {
  throw Error("slope::Tensor: index " + std::to_string(i) + " out of range for size " +
              std::to_string(n_));
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
              "of shape (" + std::to_string(size) + ",)");
}

Tensor begin_recording(Tape& tape, std::span<const double> x, const char* call) {
  if (x.empty()) throw Error(std::string("slope::") + call + ": x is empty (size 0)");
  return tape.inputs(x);
}

ValueAndGrad finish_gradient(Tape& tape, const Var& y, const Tensor& p, const char* call) {
  if (y.is_active() && y.tag() != tape.tag())
    throw Error(std::string("slope::") + call + ": f returned a Var (value " + fmt(y.value()) +
                ") from another recording; build the result from the parameters it was given");
  const double* adj = tape.reverse(y);
  xt::xarray<double> g = xt::xarray<double>::from_shape({p.size()});
  std::copy_n(adj + p.first_slot(), p.size(), g.data());
  return {y.value(), std::move(g)};
}

}  // namespace detail
}  // namespace slope
