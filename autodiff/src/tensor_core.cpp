// SPDX-License-Identifier: MIT
// Tensor nodes on the tape: creating them, handles, constants, scalars in and out (the
// broadcasting every op's reverse rule shares is in tensor_broadcast.cpp).

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <sstream>
#include <string>

#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope {
namespace detail {

std::size_t size_of(const Shape& s) {
  return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
}

namespace {
// The pool fresh() and recycle() use: the list of the tape being recorded or swept (set by
// TensorList::use_pool), or this thread's own when none has been.
thread_local ArrayPool thread_pool;
thread_local ArrayPool* current_pool = nullptr;
ArrayPool& pool() { return current_pool != nullptr ? *current_pool : thread_pool; }
}  // namespace

void TensorList::use_pool() { current_pool = &pool; }

TensorList::~TensorList() {
  if (current_pool == &pool) current_pool = nullptr;
}

Array fresh(const Shape& shape) {
  const std::size_t n = size_of(shape);
  ArrayPool& p = pool();
  const auto it = p.by_size.find(n);
  if (it != p.by_size.end() && !it->second.empty()) {
    Array a = std::move(it->second.back());
    it->second.pop_back();
    p.held -= n;
    a.resize(shape);
    return a;
  }
  return Array::from_shape(shape);
}

Array zeros(const Shape& shape) {
  Array a = fresh(shape);
  std::fill(a.begin(), a.end(), 0.0);
  return a;
}

void recycle(Array&& a) {
  ArrayPool& p = pool();
  const std::size_t n = a.size();
  if (p.held + n > p.limit) return;
  p.held += n;
  std::vector<Array>& same = p.by_size[n];
  // Room for every array of a recording at once: a warm replay never grows it.
  if (same.capacity() == 0) same.reserve(p.slots);
  same.push_back(std::move(a));
}

std::size_t TensorList::footprint() const {
  std::size_t total = 0;
  for (const TensorNode& n : nodes)
    total += n.own.size() + (n.has_tan ? n.tan.size() : 0) + (n.has_adj ? n.adj.size() : 0) +
             (n.has_adj_tan ? n.adj_tan.size() : 0);
  return total;
}

void TensorList::clear() {
  use_pool();
  pool.limit = std::max(pool.limit, footprint());
  for (TensorNode& n : nodes) {
    recycle(std::move(n.own));
    if (n.has_tan) recycle(std::move(n.tan));
    if (n.has_adj) recycle(std::move(n.adj));
    if (n.has_adj_tan) recycle(std::move(n.adj_tan));
  }
  nodes.clear();
  value_reads.clear();
}

TensorNode TensorNode::copy() const {
  TensorNode c;
  c.own = own;
  c.ext = ext;
  c.ext_shape = ext_shape;
  c.op = op != nullptr ? op->clone() : nullptr;
  c.placeholders = placeholders;
  c.mark = mark;
  c.live = live;
  return c;
}

Out output(const Tape& tape, TensorNode& self, const Shape& s) {
  const std::size_t n = size_of(s);
  auto fit = [&](Array& a) {
    if (a.size() != n) {
      recycle(std::move(a));
      a = fresh(s);
    } else if (!std::equal(a.shape().begin(), a.shape().end(), s.begin(), s.end())) {
      a.resize(s);
    }
  };
  fit(self.own);
  self.has_tan = TensorAccess::dual(tape) && self.live;
  if (!self.has_tan) return {self.own.data(), nullptr};
  fit(self.tan);
  return {self.own.data(), self.tan.data()};
}

Tape& TensorAccess::active(const char* op) {
  Tape* t = Tape::active();
  if (t == nullptr)
    throw Error(std::string("slope: ") + op +
                ": no recording is active on this thread (tensor ops run inside the function "
                "given to value_and_grad, grad, hvp or hessian)");
  return *t;
}

TensorList& TensorAccess::list(Tape& t) {
  if (!t.tensors_) t.tensors_.reset(new TensorList());
  t.tensors_->use_pool();  // every op starts here: its arrays come from this tape's pool
  return *t.tensors_;
}

namespace {
void check_finite(const Array& value, const char* name) {
  const auto bad =
      std::find_if(value.begin(), value.end(), [](double v) { return !std::isfinite(v); });
  if (bad != value.end())
    throw Error(std::string("slope: nan check: ") + name + " produced " + core::number(*bad) +
                " at flat index " + std::to_string(bad - value.begin()) + " of shape " +
                core::shape(value.shape()));
}

TensorNode& new_node(Tape& t, TensorList& l) {
  if (l.nodes.size() >= Tensor::kNoNode)
    throw Error("slope::Tape: too many tensor nodes in one recording");
  TensorNode& n = l.nodes.emplace_back();
  n.mark = static_cast<std::uint32_t>(t.size());
  return n;
}

}  // namespace

Tensor TensorAccess::handle(Tape& t, TensorList& l, std::uint32_t index) {
  return Tensor(&t, index, static_cast<std::uint32_t>(l.nodes[index].value().size()), t.tag_);
}

Tensor TensorAccess::record(Tape& t, std::unique_ptr<TensorOp> op,
                            std::initializer_list<std::uint32_t> operands, const char* name) {
  return record(t, std::move(op), std::span<const std::uint32_t>(operands.begin(), operands.size()),
                name);
}

Tensor TensorAccess::record(Tape& t, std::unique_ptr<TensorOp> op,
                            std::span<const std::uint32_t> operands, const char* name) {
  TensorList& l = list(t);
  bool live = false;
  std::uint64_t placeholders = 0;
  for (std::uint32_t k : operands) {
    live = live || l.nodes[k].live;
    placeholders |= l.nodes[k].placeholders;
  }
  const auto index = static_cast<std::uint32_t>(l.nodes.size());
  TensorNode& n = new_node(t, l);
  n.op = std::move(op);
  n.live = live;
  n.placeholders = placeholders;
  try {
    n.op->forward(t, l, n);
    if (t.nan_check_) check_finite(n.own, name);
  } catch (...) {
    l.nodes.pop_back();
    throw;
  }
  return TensorAccess::handle(t, l, index);
}

Tensor TensorAccess::add_computed(Tape& t, Array value, Array* tan, std::unique_ptr<TensorOp> op) {
  TensorList& l = list(t);
  const auto index = static_cast<std::uint32_t>(l.nodes.size());
  TensorNode& n = new_node(t, l);
  n.own = std::move(value);
  if (tan != nullptr) {
    n.tan = std::move(*tan);
    n.has_tan = true;
  }
  n.op = std::move(op);
  n.live = true;
  return TensorAccess::handle(t, l, index);
}

Tensor TensorAccess::add_data(Tape& t, const Array* data, Array own) {
  TensorList& l = list(t);
  const auto index = static_cast<std::uint32_t>(l.nodes.size());
  TensorNode& n = new_node(t, l);
  if (data != nullptr) {
    n.ext = data->data();
    n.ext_shape = data->shape();
  } else {
    n.own = std::move(own);
  }
  return TensorAccess::handle(t, l, index);
}

Tensor TensorAccess::add_placeholder(Tape& t, unsigned index, const double* data,
                                     const Shape& shape) {
  TensorList& l = list(t);
  const auto k = static_cast<std::uint32_t>(l.nodes.size());
  TensorNode& n = new_node(t, l);
  n.ext = data;
  n.ext_shape = shape;
  n.placeholders = std::uint64_t{1} << index;
  return TensorAccess::handle(t, l, k);
}

Var TensorAccess::push_scalar(Tape& t, double z, double tangent) {
  // Its operands are itself with partials 0: the scalar sweep passes over it, and the tensor
  // node recorded right after it reads its adjoint.
  const Var v = t.push2(ops::kTensorCode, t.size_, t.size_, 0, 0, z);
  if (t.dual_) t.tangents_[v.slot()] = Tangent{tangent, 0, 0, 0};
  return v;
}

void TensorAccess::note_value_read(Tape& t, std::uint32_t node) {
  TensorList& l = list(t);
  const TensorNode& n = l[node];
  if (t.mode_ != Mode::replay || !t.is_open() || (!n.live && n.placeholders == 0)) return;
  const ValueRef v = n.value();
  Array copy = Array::from_shape(v.shape());
  std::copy(v.begin(), v.end(), copy.begin());
  l.value_reads.push_back({node, std::move(copy)});
}

namespace {

Array& adj_buffer(TensorNode& n) {
  if (!n.has_adj) {
    n.adj = zeros(n.value().shape());
    n.has_adj = true;
  }
  return n.adj;
}
Array& adj_tan_buffer(TensorNode& n) {
  if (!n.has_adj_tan) {
    n.adj_tan = zeros(n.value().shape());
    n.has_adj_tan = true;
  }
  return n.adj_tan;
}

// Scalars into a tensor: a block of inputs, stacked Vars, or one Var broadcast into an op. Its
// reverse rule hands each element's adjoint to its scalar node; a replay reads the scalars'
// new values.
struct FromScalars final : OpBase<FromScalars> {
  std::vector<std::uint32_t> slots;  // empty for a contiguous block
  std::vector<double> constants;     // the values of constant elements (slot 0) of a stack
  std::uint32_t first = 0;
  std::uint32_t slot(std::size_t i) const {
    return slots.empty() ? first + static_cast<std::uint32_t>(i) : slots[i];
  }
  void forward(Tape& tape, TensorList&, TensorNode& self) override {
    if (!TensorAccess::replaying(tape)) return;  // recording: the handles gave the values
    const Out o = output(tape, self, self.own.shape());
    for (std::size_t i = 0; i < self.own.size(); ++i) {
      const std::uint32_t k = slot(i);
      o.v[i] = k != 0 ? TensorAccess::replayed(tape, k) : constants[i];
      if (o.t != nullptr) o.t[i] = TensorAccess::tangent(tape, k);
    }
  }
  void backward(Tape& tape, TensorList&, TensorNode& self) override {
    if (!self.has_adj) return;
    const double* g = self.adj.data();
    const double* gt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    for (std::size_t i = 0; i < self.adj.size(); ++i)
      TensorAccess::add_adjoint(tape, slot(i), g[i], gt != nullptr ? gt[i] : 0.0);
  }
};

Tensor from_scalars(Tape& t, std::unique_ptr<FromScalars> op, Array value) {
  Array tan;
  const bool dual = TensorAccess::dual(t);
  if (dual) {
    tan = fresh(value.shape());
    for (std::size_t i = 0; i < value.size(); ++i)
      tan.flat(i) = TensorAccess::tangent(t, op->slot(i));
  }
  return TensorAccess::add_computed(t, std::move(value), dual ? &tan : nullptr, std::move(op));
}

// One element of a tensor as a scalar node (indexing, item(), and every reduction to a Var).
struct Element final : OpBase<Element> {
  std::uint32_t src;
  std::size_t flat;
  std::uint32_t out;
  Element(std::uint32_t s, std::size_t f, std::uint32_t o) : src(s), flat(f), out(o) {}
  // The one element of a sum or mean over the rows; any other element is data-dependent.
  RowFlow row_flow(const TensorList&, std::span<const RowFlow> flow,
                   const TensorNode&) const override {
    return (flow[src] == RowFlow::sum || flow[src] == RowFlow::mean) && flat == 0 ? flow[src]
                                                                                  : RowFlow::mixed;
  }
  std::uint32_t scalar_slot() const override { return out; }
  void forward(Tape& tape, TensorList& list, TensorNode&) override {
    if (!TensorAccess::replaying(tape)) return;  // recording: push_scalar set the value
    const TensorNode& s = list[src];
    const ValueRef v = s.value();
    if (flat >= v.size())
      throw Error("slope: element: flat index " + std::to_string(flat) +
                  " out of range for shape " + core::shape(v.shape()));
    TensorAccess::set_scalar(tape, out, v.flat(flat), s.has_tan ? s.tan.flat(flat) : 0.0);
  }
  void backward(Tape& tape, TensorList& list, TensorNode&) override {
    const double g = TensorAccess::adjoint(tape, out);
    const double gt = TensorAccess::adjoint_tangent(tape, out);
    TensorNode& s = list[src];
    if (!s.active() || (g == 0 && gt == 0)) return;
    adj_buffer(s).flat(flat) += g;
    if (TensorAccess::dual(tape)) adj_tan_buffer(s).flat(flat) += gt;
  }
};

}  // namespace

[[noreturn]] void throw_stale_tensor(const Tensor& x, const Tape* t, const char* op) {
  if (x.tag() == 0)
    throw Error(std::string("slope: ") + op + ": an empty (default-constructed) Tensor handle");
  std::string msg =
      std::string("slope: ") + op + ": a Tensor from recording #" + std::to_string(x.tag()) + " ";
  if (t == nullptr)
    msg += "was used after its recording ended: no recording is active on this thread";
  else
    msg += "is not from the active tape (recording #" + std::to_string(TensorAccess::tag(*t)) +
           "): its recording ended, or it belongs to another tape or thread";
  throw Error(msg);
}


Var element_of(Tape& t, std::uint32_t src, std::size_t flat, bool pin) {
  TensorList& l = TensorAccess::list(t);
  const TensorNode& s = l[src];
  if (pin) TensorAccess::pin(t, s.placeholders);
  const double z = s.value().flat(flat);
  const double zt = s.has_tan ? s.tan.flat(flat) : 0.0;
  if (!s.live && s.placeholders == 0) return Var(z);
  // A scalar of a placeholder-dependent tensor is a node too, so a replay refreshes it.
  const Var v = TensorAccess::push_scalar(t, z, zt);
  TensorAccess::record(t, std::make_unique<Element>(src, flat, v.slot()), {src}, "element");
  return v;
}

std::uint32_t node_index(Tape& t, const Tensor& x, const char* op) {
  if (x.tag() != TensorAccess::tag(t) || x.tag() == 0) throw_stale_tensor(x, &t, op);
  return x.node();
}

std::uint32_t node_of(const Tensor& x, const char* op) {
  return node_index(TensorAccess::active(op), x, op);
}

std::uint32_t node_of(const Var& v, const char* op) {
  Tape& t = TensorAccess::active(op);
  if (!v.is_active()) return TensorAccess::add_data(t, nullptr, Array(v.value())).node();
  if (v.tag() != TensorAccess::tag(t))
    throw Error(std::string("slope: ") + op + ": a Var (value " + core::number(v.value()) + ", recording #" +
                std::to_string(v.tag()) +
                ") is not from the active tape: its recording ended, or it belongs to another "
                "tape or thread");
  auto fs = std::make_unique<FromScalars>();
  fs->slots = {v.slot()};
  fs->constants = {0.0};
  return from_scalars(t, std::move(fs), Array(v.value())).node();
}

std::uint32_t node_of(double c, const char* op) {
  return TensorAccess::add_data(TensorAccess::active(op), nullptr, Array(c)).node();
}

std::uint32_t node_of(const xt::xarray<double>& data, const char* op) {
  return TensorAccess::add_data(TensorAccess::active(op), &data, Array()).node();
}

std::uint32_t node_of(xt::xarray<double>&& data, const char* op) {
  return TensorAccess::add_data(TensorAccess::active(op), nullptr, std::move(data)).node();
}

Array& adjoint_buffer(TensorNode& n) { return adj_buffer(n); }
Array& adjoint_tangent_buffer(TensorNode& n) { return adj_tan_buffer(n); }

}  // namespace detail

using detail::TensorAccess;

std::uint32_t Tensor::node() const {
  if (node_ == kNoNode && values_ != nullptr) {
    Tape& t = TensorAccess::active("Tensor");
    if (tag_ != TensorAccess::tag(t)) detail::throw_stale_tensor(*this, &t, "Tensor");
    auto fs = std::make_unique<detail::FromScalars>();
    fs->first = first_;
    detail::Array v = detail::fresh(detail::Shape{std::size_t{n_}});
    std::copy(values_, values_ + n_, v.data());
    node_ = detail::from_scalars(t, std::move(fs), std::move(v)).node_;
  }
  return node_;
}

Tensor stack(std::span<const Var> xs) {
  Tape& t = TensorAccess::active("stack");
  auto fs = std::make_unique<detail::FromScalars>();
  detail::Array v = detail::fresh(detail::Shape{xs.size()});
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Var& x = xs[i];
    if (x.is_active() && x.tag() != TensorAccess::tag(t))
      throw Error("slope: stack: element " + std::to_string(i) + " (value " +
                  core::number(x.value()) + ", recording #" + std::to_string(x.tag()) +
                  ") is not from the active tape");
    fs->slots.push_back(x.slot());  // a constant's slot is the sink, 0
    fs->constants.push_back(x.value());
    v(i) = x.value();
  }
  return detail::from_scalars(t, std::move(fs), std::move(v));
}

}  // namespace slope
