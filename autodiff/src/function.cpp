// SPDX-License-Identifier: MIT
// Recorded functions: a tape of their own, replayed at new parameters and new data.

#include <slope/autodiff/function.hpp>

#include <algorithm>
#include <cmath>

#include <slope/core/hessian.hpp>

#include "function_state.hpp"

namespace slope {

namespace detail {

std::size_t chunk_rows(std::size_t row_bytes) {
  constexpr std::size_t kChunkBytes = std::size_t{1} << 18;
  return std::max<std::size_t>(1, kChunkBytes / std::max<std::size_t>(1, row_bytes));
}

namespace {

// The product of the extents from axis `from` on: the elements of one row when from = 1.
std::size_t product(const std::vector<std::size_t>& shape, std::size_t from) {
  std::size_t p = 1;
  for (std::size_t d = from; d < shape.size(); ++d) p *= shape[d];
  return p;
}

}  // namespace

void FunctionState::check_x(std::span<const double> x, const char* call) const {
  if (x.size() != n)
    throw Error(std::string("slope::Function::") + call + ": x has length " +
                std::to_string(x.size()) + ", the function has " + std::to_string(n) +
                " parameters");
}

void FunctionState::replay(std::span<const double> x, std::span<const double> v, bool dual,
                           const char* call) {
  check_x(x, call);
  if (dual) {
    if (v.size() != n)
      throw Error(std::string("slope::Function::") + call + ": v has length " +
                  std::to_string(v.size()) + ", the function has " + std::to_string(n) +
                  " parameters");
    tape->sweep(x, v);
  } else {
    tape->sweep(x);
  }
  // Guards first: a point on another branch is stale whatever else its sweep ran into (a NaN,
  // a rule or a tensor op that threw), so AutoFunction records again there.
  if (const Guard* g = tape->broken_guard()) {
    const double a = g->a != 0 ? tape->replayed_value(g->a) : g->ca;
    const double b = g->b != 0 ? tape->replayed_value(g->b) : g->cb;
    throw StaleRecording(std::string("slope::Function::") + call +
                         ": the recording took a branch this point does not: " + core::number(g->ca) + " " +
                         symbol(g->cmp) + " " + core::number(g->cb) + " was " +
                         (g->outcome ? "true" : "false") + " while recording, " + core::number(a) + " " +
                         symbol(g->cmp) + " " + core::number(b) + " is " + (g->outcome ? "false" : "true") +
                         " now; record again (on_stale(slope::OnStale::record_again) does)");
  }
  if (tape->tensor_count() != 0) check_value_reads(call);
  tape->check_replay("slope::Function::", call);
}

double FunctionState::hvp(std::span<const double> x, std::span<const double> v,
                          std::span<double> g, std::span<double> hv, const char* call) {
  replay(x, v, true, call);
  if (out == 0) {
    std::fill(hv.begin(), hv.end(), 0.0);
    std::fill(g.begin(), g.end(), 0.0);
    return constant;
  }
  tape->reverse_dual_replayed(out);
  for (std::size_t k = 0; k < n; ++k) {
    const auto slot = first + static_cast<std::uint32_t>(k);
    hv[k] = tape->hvp_adjoint(slot);
    if (!g.empty()) g[k] = tape->adjoint(slot);
  }
  return tape->replayed_value(out);
}

void FunctionState::check_value_reads(const char* call) {
  const TensorList& list = TensorAccess::list(*tape);
  for (const TensorList::ValueRead& r : list.value_reads) {
    if (r.node >= tape->tensors_replayed()) continue;  // a tensor op before it threw
    const ValueRef now = list.nodes[r.node].value();
    if (now.size() != r.value.size() || !std::equal(now.begin(), now.end(), r.value.begin()))
      throw StaleRecording(std::string("slope::Function::") + call +
                           ": the recording read the value of a tensor of shape " +
                           core::shape(r.value.shape()) +
                           " (Tensor::value, values or item value), which differs at this point; "
                           "record again (on_stale(slope::OnStale::record_again) does)");
  }
}

FunctionState::Blocks FunctionState::blocks() {
  if (bindings.empty()) return {};
  if (!by_rows) by_rows = row_combine(*tape, out);
  if (!*by_rows) return {};
  // Every placeholder is row data (row_combine): a block is the same rows of each.
  const std::size_t rows = bindings[0].now.shape[0];
  std::size_t row_bytes = 0;
  for (const Binding& b : bindings) {
    if (b.now.shape[0] != rows) return {};
    row_bytes += sizeof(double) * product(b.now.shape, 1);
  }
  const std::size_t chunk = chunk_rows(row_bytes);
  if (rows <= chunk) return {};
  return {**by_rows, rows, chunk};
}

double FunctionState::grad(std::span<const double> x, std::span<double> g, bool by_blocks) {
  if (by_blocks)
    if (const Blocks b = blocks(); b.chunk != 0) return grad_by_blocks(x, g, b);
  replay(x, {}, false, "value_and_grad");
  if (out == 0) {
    std::fill(g.begin(), g.end(), 0.0);
    return constant;
  }
  tape->reverse_replayed(out);
  tape->adjoints(first, g);
  return tape->replayed_value(out);
}

// A sum over rows is the sum of its blocks' sums; a mean, their means weighted by their rows.
// Each block is swept forward and back while its rows are in cache, so the data is read from
// memory once per gradient rather than once per sweep. The nodes are pointed at each block in
// place (nothing is re-checked or allocated) and back at all the bound rows afterwards.
double FunctionState::grad_by_blocks(std::span<const double> x, std::span<double> g,
                                     const Blocks& blocks) {
  const auto [combine, rows, chunk] = blocks;
  check_x(x, "value_and_grad");
  TensorList& list = TensorAccess::list(*tape);
  struct Restore {
    FunctionState& s;
    TensorList& list;
    ~Restore() {
      for (const Binding& b : s.bindings) {
        list[b.node].ext = b.now.data;
        list[b.node].ext_shape[0] = b.now.shape[0];
      }
    }
  } restore{*this, list};
  block_grad.resize(n);
  std::fill(g.begin(), g.end(), 0.0);
  double value = 0;
  for (std::size_t begin = 0; begin < rows; begin += chunk) {
    const std::size_t end = std::min(rows, begin + chunk);
    for (const Binding& b : bindings) {
      list[b.node].ext = b.now.data + begin * product(b.now.shape, 1);
      list[b.node].ext_shape[0] = end - begin;
    }
    const double w = combine == RowFlow::mean
                         ? static_cast<double>(end - begin) / static_cast<double>(rows)
                         : 1.0;
    value += w * grad(x, block_grad, false);
    for (std::size_t j = 0; j < n; ++j) g[j] += w * block_grad[j];
  }
  return value;
}

}  // namespace detail

using detail::FunctionState;

// ---- Function ----

Function::Function(std::unique_ptr<FunctionState> s)
    : s_(std::move(s)), again_(std::make_unique<detail::Rerecorder>()) {}
Function::Function(Function&&) noexcept = default;
Function& Function::operator=(Function&&) noexcept = default;
Function::~Function() = default;

std::size_t Function::dimension() const { return s_->n; }
std::size_t Function::guard_count() const { return s_->tape->guards().size(); }
std::size_t Function::node_count() const { return s_->tape->size(); }
std::size_t Function::tensor_count() const { return s_->tape->tensor_count(); }
TapeStats Function::stats() const { return s_->tape->stats(); }
std::size_t Function::block_rows() const { return s_->blocks().chunk; }

double Function::eval(std::span<const double> x) {
  return detail::translate_errors("slope::Function::value", [&] {
    s_->replay(x, {}, false, "value");
    return s_->out != 0 ? s_->tape->replayed_value(s_->out) : s_->constant;
  });
}

double Function::eval_grad(std::span<const double> x, std::span<double> g) {
  if (g.size() != s_->n)
    throw Error("slope::Function::value_and_grad: the gradient buffer has length " +
                std::to_string(g.size()) + ", the function has " + std::to_string(s_->n) +
                " parameters");
  return detail::translate_errors("slope::Function::value_and_grad",
                                  [&] { return s_->grad(x, g, true); });
}

double Function::eval_hvp(std::span<const double> x, std::span<const double> v, std::span<double> g,
                          std::span<double> hv) {
  if (hv.size() != s_->n || (!g.empty() && g.size() != s_->n))
    throw Error("slope::Function::hvp: the output buffer has length " + std::to_string(hv.size()) +
                ", the function has " + std::to_string(s_->n) + " parameters");
  return detail::translate_errors("slope::Function::hvp",
                                  [&] { return s_->hvp(x, v, g, hv, "hvp"); });
}

xt::xarray<double> Function::eval_hessian(std::span<const double> x) {
  const std::size_t n = s_->n;
  s_->check_x(x, "hessian");
  return detail::translate_errors("slope::Function::hessian", [&] {
    xt::xarray<double> h = xt::xarray<double>::from_shape({n, n});
    std::vector<double> e(n), col(n);
    core::hessian_from_hvps(n, {h.data(), h.size()}, e, col,
                            [&](std::span<const double> u, std::span<double> c) {
                              s_->hvp(x, u, {}, c, "hessian");
                            });
    return h;
  });
}

}  // namespace slope
