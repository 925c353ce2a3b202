// SPDX-License-Identifier: MIT
// Tensor nodes on the tape: creating them, handles, constants, scalars in and out, and the
// broadcasting bookkeeping every op's reverse rule shares.

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <sstream>
#include <string>

#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include <autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope {
namespace detail {

std::string shape_str(const Shape& s) {
  std::string r = "(";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) r += ',';
    r += std::to_string(s[i]);
  }
  return r + (s.size() == 1 ? ",)" : ")");
}
std::string shape_str(const std::vector<std::size_t>& s) {
  return shape_str(Shape(s.begin(), s.end()));
}

namespace {

// Released arrays by element count. Bounded by the largest set of arrays one recording released,
// so shapes that keep changing (mini-batches of many sizes) cannot make it grow without end.
struct ArrayPool {
  std::map<std::size_t, std::vector<Array>> by_size;
  std::size_t held = 0;   // doubles
  std::size_t limit = 0;  // doubles
};
thread_local ArrayPool array_pool;

}  // namespace

Array fresh(const Shape& shape) {
  const std::size_t n =
      std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  const auto it = array_pool.by_size.find(n);
  if (it != array_pool.by_size.end() && !it->second.empty()) {
    Array a = std::move(it->second.back());
    it->second.pop_back();
    array_pool.held -= n;
    a.reshape(shape);
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
  const std::size_t n = a.size();
  if (n < 1024 || array_pool.held + n > array_pool.limit) return;  // small ones: malloc is cheap
  array_pool.held += n;
  array_pool.by_size[n].push_back(std::move(a));
}

void TensorList::clear() {
  std::size_t released = 0;
  for (const TensorNode& n : nodes)
    released += n.own.size() + (n.has_tan ? n.tan.size() : 0) + (n.has_adj ? n.adj.size() : 0) +
                (n.has_adj_tan ? n.adj_tan.size() : 0);
  array_pool.limit = std::max(array_pool.limit, released);
  for (TensorNode& n : nodes) {
    recycle(std::move(n.own));
    if (n.has_tan) recycle(std::move(n.tan));
    if (n.has_adj) recycle(std::move(n.adj));
    if (n.has_adj_tan) recycle(std::move(n.adj_tan));
  }
  nodes.clear();
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
  return *t.tensors_;
}

Tensor TensorAccess::add(Tape& t, Array value, Array* tan, std::unique_ptr<TensorOp> op,
                         const char* name) {
  if (t.nan_check_) {
    const auto bad =
        std::find_if(value.begin(), value.end(), [](double v) { return !std::isfinite(v); });
    if (bad != value.end())
      throw Error(std::string("slope: nan check: ") + name + " produced " + fmt(*bad) +
                  " at flat index " + std::to_string(bad - value.begin()) + " of shape " +
                  shape_str(value.shape()));
  }
  TensorList& l = list(t);
  if (l.nodes.size() >= Tensor::kNoNode)
    throw Error("slope::Tape: too many tensor nodes in one recording");
  const auto index = static_cast<std::uint32_t>(l.nodes.size());
  TensorNode& n = l.nodes.emplace_back();
  n.own = std::move(value);
  if (tan != nullptr) {
    n.tan = std::move(*tan);
    n.has_tan = true;
  }
  n.op = std::move(op);
  n.mark = t.size_;
  return Tensor(&t, index, static_cast<std::uint32_t>(n.own.size()), t.tag_);
}

Tensor TensorAccess::add_data(Tape& t, const Array* data, Array own) {
  TensorList& l = list(t);
  const auto index = static_cast<std::uint32_t>(l.nodes.size());
  TensorNode& n = l.nodes.emplace_back();
  n.data = data;
  n.own = std::move(own);
  n.mark = t.size_;
  return Tensor(&t, index, static_cast<std::uint32_t>(n.value().size()), t.tag_);
}

Var TensorAccess::push_scalar(Tape& t, double z, double tangent) {
  // Its operands are itself with partials 0: the scalar sweep passes over it, and the tensor
  // node recorded right after it reads its adjoint.
  const Var v = t.push2(ops::kTensorCode, t.size_, t.size_, 0, 0, z);
  if (t.dual_) t.tangents_[v.slot()] = Tangent{tangent, 0, 0, 0};
  return v;
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
// reverse rule hands each element's adjoint to its scalar node.
struct FromScalars final : TensorOp {
  std::vector<std::uint32_t> slots;  // empty for a contiguous block
  std::uint32_t first = 0;
  std::uint32_t slot(std::size_t i) const {
    return slots.empty() ? first + static_cast<std::uint32_t>(i) : slots[i];
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
  return TensorAccess::add(t, std::move(value), dual ? &tan : nullptr, std::move(op), "stack");
}

// One element of a tensor as a scalar node (indexing, item(), and every reduction to a Var).
struct Element final : TensorOp {
  std::uint32_t src;
  std::size_t flat;
  std::uint32_t out;
  Element(std::uint32_t s, std::size_t f, std::uint32_t o) : src(s), flat(f), out(o) {}
  void backward(Tape& tape, TensorList& list, TensorNode&) override {
    const double g = TensorAccess::adjoint(tape, out);
    const double gt = TensorAccess::adjoint_tangent(tape, out);
    TensorNode& s = list[src];
    if (!s.active() || (g == 0 && gt == 0)) return;
    adj_buffer(s).flat(flat) += g;
    if (TensorAccess::dual(tape)) adj_tan_buffer(s).flat(flat) += gt;
  }
};

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

}  // namespace

Var element_of(Tape& t, std::uint32_t src, std::size_t flat) {
  TensorList& l = TensorAccess::list(t);
  const TensorNode& s = l[src];
  const double z = s.value().flat(flat);
  const double zt = s.has_tan ? s.tan.flat(flat) : 0.0;
  if (!s.active()) return Var(z);
  const Var v = TensorAccess::push_scalar(t, z, zt);
  TensorAccess::add(t, Array(), nullptr, std::make_unique<Element>(src, flat, v.slot()), "element");
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
    throw Error(std::string("slope: ") + op + ": a Var (value " + fmt(v.value()) + ", recording #" +
                std::to_string(v.tag()) +
                ") is not from the active tape: its recording ended, or it belongs to another "
                "tape or thread");
  auto fs = std::make_unique<FromScalars>();
  fs->slots = {v.slot()};
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

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ea = i + a.size() >= n ? a[i + a.size() - n] : 1;
    const std::size_t eb = i + b.size() >= n ? b[i + b.size() - n] : 1;
    if (ea != eb && ea != 1 && eb != 1)
      throw Error(std::string("slope: ") + op + ": shapes " + shape_str(a) + " and " +
                  shape_str(b) + " do not broadcast");
    out[i] = ea == 1 ? eb : ea;
  }
  return out;
}

Array unbroadcast(Array g, const Shape& target) {
  if (std::equal(g.shape().begin(), g.shape().end(), target.begin(), target.end())) return g;
  if (std::accumulate(target.begin(), target.end(), std::size_t{1}, std::multiplies<>()) == 1) {
    // A scalar broadcast (the bias of a linear model): a plain sum, not an xtensor reducer.
    Array r = fresh(target);
    r.flat(0) = std::accumulate(g.begin(), g.end(), 0.0);
    recycle(std::move(g));
    return r;
  }
  const std::size_t lead = g.dimension() - target.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < lead; ++i) axes.push_back(i);
  for (std::size_t i = 0; i < target.size(); ++i)
    if (target[i] == 1 && g.shape()[lead + i] != 1) axes.push_back(lead + i);
  Array r = xt::sum(g, axes);
  r.reshape(target);
  recycle(std::move(g));
  return r;
}

void accumulate(TensorNode& n, Array g, Array* gt) {
  if (!n.active()) return;
  const Shape& s = n.value().shape();
  Array r = unbroadcast(std::move(g), s);
  if (n.has_adj) {
    n.adj += r;
    recycle(std::move(r));
  } else {
    n.adj = std::move(r);
    n.has_adj = true;
  }
  if (gt == nullptr) return;
  Array rt = unbroadcast(std::move(*gt), s);
  if (n.has_adj_tan) {
    n.adj_tan += rt;
    recycle(std::move(rt));
  } else {
    n.adj_tan = std::move(rt);
    n.has_adj_tan = true;
  }
}

std::size_t normalize_axis(std::ptrdiff_t axis, std::size_t dims, const char* op,
                           const Shape& shape) {
  const auto d = static_cast<std::ptrdiff_t>(dims);
  if (axis < -d || axis >= d)
    throw Error(std::string("slope: ") + op + ": axis " + std::to_string(axis) +
                " is out of range for shape " + shape_str(shape));
  return static_cast<std::size_t>(axis < 0 ? axis + d : axis);
}

Array& adjoint_buffer(TensorNode& n) { return adj_buffer(n); }
Array& adjoint_tangent_buffer(TensorNode& n) { return adj_tan_buffer(n); }

}  // namespace detail

// ---- the handle ----

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

namespace {
const detail::TensorNode& node_of_handle(const Tensor& x, const char* what) {
  Tape* t = Tape::active();
  if (t == nullptr || TensorAccess::tag(*t) != x.tag()) detail::throw_stale_tensor(x, t, what);
  return TensorAccess::list(*t)[x.node()];
}
}  // namespace

std::size_t Tensor::dimension() const {
  if (values_ != nullptr) return 1;
  return node_of_handle(*this, "Tensor::dimension").value().dimension();
}

std::vector<std::size_t> Tensor::shape() const {
  if (values_ != nullptr) return {std::size_t{n_}};
  const auto& s = node_of_handle(*this, "Tensor::shape").value().shape();
  return {s.begin(), s.end()};
}

double Tensor::value(std::size_t i) const {
  if (i >= n_)
    throw Error("slope::Tensor::value: index " + std::to_string(i) + " out of range for size " +
                std::to_string(n_));
  if (values_ != nullptr) return values_[i];
  return node_of_handle(*this, "Tensor::value").value().flat(i);
}

std::vector<double> Tensor::values() const {
  if (values_ != nullptr) return {values_, values_ + n_};
  const auto& v = node_of_handle(*this, "Tensor::values").value();
  return {v.begin(), v.end()};
}

Tensor::Fields Tensor::element(std::size_t i) const {
  if (values_ != nullptr || dimension() == 1) {
    if (i >= n_)
      throw Error("slope::Tensor: index " + std::to_string(i) + " out of range for size " +
                  std::to_string(n_));
  } else {
    throw Error("slope::Tensor::operator[]: needs a 1-D tensor, got shape " +
                detail::shape_str(shape()) + " (use slice, reshape or item)");
  }
  const Var v = detail::element_of(TensorAccess::active("Tensor::operator[]"), node(), i);
  return {v.value(), v.slot(), v.tag()};
}

Var Tensor::item() const {
  if (n_ != 1)
    throw Error("slope::Tensor::item: needs a tensor of one element, got shape " +
                detail::shape_str(shape()));
  if (values_ != nullptr) return (*this)[0];
  return detail::element_of(TensorAccess::active("Tensor::item"), node(), 0);
}

xt::xarray<double> Tensor::value() const { return slope::value(*this); }

xt::xarray<double> value(const Tensor& t) {
  const std::vector<double> v = t.values();
  xt::xarray<double> r = xt::xarray<double>::from_shape(t.shape());
  std::copy(v.begin(), v.end(), r.data());
  return r;
}

Tensor stack(std::span<const Var> xs) {
  Tape& t = TensorAccess::active("stack");
  auto fs = std::make_unique<detail::FromScalars>();
  detail::Array v = detail::fresh(detail::Shape{xs.size()});
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Var& x = xs[i];
    if (x.is_active() && x.tag() != TensorAccess::tag(t))
      throw Error("slope: stack: element " + std::to_string(i) + " (value " +
                  detail::fmt(x.value()) + ", recording #" + std::to_string(x.tag()) +
                  ") is not from the active tape");
    fs->slots.push_back(x.slot());  // a constant's slot is the sink, 0
    v(i) = x.value();
  }
  return detail::from_scalars(t, std::move(fs), std::move(v));
}

}  // namespace slope
