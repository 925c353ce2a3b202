// SPDX-License-Identifier: MIT
// Recorded functions: a tape of their own, replayed at new parameters and new data.

#include <slope/autodiff/function.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <system_error>
#include <thread>

#include <slope/core/hessian.hpp>

#include "rethrow.hpp"
#include "tensor_list.hpp"

namespace slope {

namespace detail {

struct Binding {
  PlaceholderSpec now;                // what the node reads
  std::vector<std::size_t> recorded;  // the shape while recording
  std::uint32_t node;
  unsigned index;
};

struct FunctionState {
  std::unique_ptr<Tape> tape;
  std::uint32_t out = 0;  // the output's slot; 0 when f returned a constant
  double constant = 0;
  std::uint32_t first = 0;  // the parameters' first slot
  std::size_t n = 0;
  std::vector<Binding> bindings;
  // parallel_value_and_grad's clones and per-shard results, kept for the next call.
  std::vector<Function> clones;
  std::vector<std::vector<double>> shard_grads;
  // Whether the output is a sum or mean over the data's rows (row_combine), found at the first
  // gradient, and one block's gradient.
  std::optional<std::optional<RowFlow>> by_rows;
  std::vector<double> block_grad;

  Binding& binding(std::string_view name, const char* call);
  void check_x(std::span<const double> x, const char* call) const;
  // The forward sweep at x (and v), then its checks in this order: guards and values read out
  // (StaleRecording), what the sweep ran into, the NaN check (slope::Error).
  void replay(std::span<const double> x, std::span<const double> v, bool dual, const char* call);
  void check_value_reads(const char* call);
  // The replay in dual numbers along v, then H·v into hv (and ∇f into g unless it is empty);
  // returns f(x). `call` names the entry point in errors.
  double hvp(std::span<const double> x, std::span<const double> v, std::span<double> g,
             std::span<double> hv, const char* call);
  // How a gradient walks the bound rows: in blocks of `chunk` rows, or all at once (chunk 0:
  // the function is not a sum or mean over rows, or the rows fit one block).
  struct Blocks {
    RowFlow combine = RowFlow::none;
    std::size_t rows = 0, chunk = 0;
  };
  Blocks blocks();
  /// f(x) and ∇f(x) into g: by blocks of rows when `by_blocks` and blocks() has some, else one
  /// replay over all the bound data.
  double grad(std::span<const double> x, std::span<double> g, bool by_blocks);
  double grad_by_blocks(std::span<const double> x, std::span<double> g, const Blocks& blocks);
  // Points a placeholder's node at new memory; allocates nothing when the rank is unchanged.
  void rebind(Binding& b, const double* data, std::span<const std::size_t> shape,
              std::shared_ptr<const Array> own, const char* call);
};

namespace {

// Rows per replay of a block of rows of `row_bytes` bytes each: 256 KiB of data, so a block fits
// a core's L2 with the sweep's own arrays. Shared by value_and_grad's blocks and the threads'.
std::size_t chunk_rows(std::size_t row_bytes) {
  constexpr std::size_t kChunkBytes = std::size_t{1} << 18;
  return std::max<std::size_t>(1, kChunkBytes / std::max<std::size_t>(1, row_bytes));
}

std::string shape_text(std::span<const std::size_t> s) {
  return core::shape(s);
}

// The boundary of every derivative call: what a replay throws leaves as a slope::Error (or a
// subclass) or std::bad_alloc, never as another library's exception (xtensor's, Boost's).
template <class F>
decltype(auto) translate_errors(const char* call, F&& f) {
  try {
    return f();
  } catch (const std::exception&) {
    rethrow_as_error(call);
  }
}

// The product of the extents from axis `from` on: the elements of one row when from = 1.
std::size_t product(const std::vector<std::size_t>& shape, std::size_t from) {
  std::size_t p = 1;
  for (std::size_t d = from; d < shape.size(); ++d) p *= shape[d];
  return p;
}

}  // namespace

Binding& FunctionState::binding(std::string_view name, const char* call) {
  for (Binding& b : bindings)
    if (b.now.name == name) return b;
  std::string known;
  for (const Binding& b : bindings) known += (known.empty() ? "'" : ", '") + b.now.name + "'";
  throw Error(std::string("slope::Function::") + call + ": no placeholder named '" +
              std::string(name) + "' (" +
              (known.empty() ? std::string("the function has none") : "it has " + known) + ")");
}

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
                         " now; record again (slope::AutoFunction does)");
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
                           "record again (slope::AutoFunction does)");
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

void FunctionState::rebind(Binding& b, const double* data, std::span<const std::size_t> s,
                           std::shared_ptr<const Array> own, const char* call) {
  const std::vector<std::size_t>& r = b.recorded;
  bool trailing = s.size() == r.size();
  for (std::size_t d = 1; trailing && d < s.size(); ++d) trailing = s[d] == r[d];
  if (!trailing)
    throw Error(std::string("slope::Function::") + call + ": placeholder '" + b.now.name +
                "' was recorded with shape " + shape_text(r) + "; cannot bind shape " +
                shape_text(s) + ": only the leading extent may change");
  if (!s.empty() && s[0] != r[0] && (tape->pinned_placeholders() >> b.index & 1u) != 0)
    throw StaleRecording(std::string("slope::Function::") + call + ": placeholder '" + b.now.name +
                         "' is pinned to " + std::to_string(r[0]) +
                         " rows (the recording read a shape or an element of a tensor computed "
                         "from it), cannot bind shape " +
                         shape_text(s) + "; record again (slope::AutoFunction does)");
  TensorNode& node = TensorAccess::list(*tape)[b.node];
  node.ext = data;
  node.ext_shape.resize(s.size());
  std::copy(s.begin(), s.end(), node.ext_shape.begin());
  b.now.data = data;
  b.now.shape.assign(s.begin(), s.end());
  b.now.own = std::move(own);
}

PlaceholderSpec rows_spec(std::string_view name, const xt::xarray<double>& data, std::size_t begin,
                          std::size_t end) {
  if (data.dimension() == 0 || begin > end || end > data.shape()[0])
    throw Error("slope::Function::bind_rows: rows [" + std::to_string(begin) + ", " +
                std::to_string(end) + ") out of range for shape " + core::shape(data.shape()) +
                " (placeholder '" + std::string(name) + "')");
  std::vector<std::size_t> shape(data.shape().begin(), data.shape().end());
  const std::size_t width = data.size() / std::max<std::size_t>(shape[0], 1);
  shape[0] = end - begin;
  return {std::string(name), data.data() + begin * width, std::move(shape), nullptr};
}

}  // namespace detail

using detail::FunctionState;

// ---- Placeholder ----

Placeholder::Placeholder(std::string name, const xt::xarray<double>& data)
    : name_(std::move(name)), data_(&data) {}
Placeholder::Placeholder(std::string name, xt::xarray<double>&& data)
    : name_(std::move(name)), own_(std::make_shared<const xt::xarray<double>>(std::move(data))) {
  data_ = own_.get();
}

// ---- recording ----

namespace detail {

FunctionBuilder::FunctionBuilder(std::span<const double> x0, std::vector<PlaceholderSpec> specs,
                                 const char* call)
    : state_(std::make_unique<FunctionState>()), call_(call) {
  if (specs.size() > 64)
    throw Error(std::string("slope::") + call + ": at most 64 placeholders, got " +
                std::to_string(specs.size()));
  for (std::size_t i = 0; i < specs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (specs[i].name == specs[j].name)
        throw Error(std::string("slope::") + call + ": two placeholders are named '" +
                    specs[i].name + "'");
  state_->tape = std::make_unique<Tape>();
  recording_.emplace(*state_->tape, Mode::replay);
  Tape& tape = *state_->tape;
  params_ = begin_recording(tape, x0, call);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto index = static_cast<unsigned>(i);
    const Shape shape(specs[i].shape.begin(), specs[i].shape.end());
    data_.push_back(TensorAccess::add_placeholder(tape, index, specs[i].data, shape));
    const std::vector<std::size_t> recorded = specs[i].shape;
    state_->bindings.push_back(Binding{std::move(specs[i]), recorded, data_.back().node(), index});
  }
}

FunctionBuilder::~FunctionBuilder() = default;

Function FunctionBuilder::finish(const Var& y) {
  Tape& tape = *state_->tape;
  check_output(tape, y, call_);
  state_->out = y.is_active() ? y.slot() : 0;
  state_->constant = y.value();
  state_->first = params_.first_slot();
  state_->n = params_.size();
  recording_.reset();  // closes the tape: the handles of the recording are stale from here
  return Function(std::move(state_));
}

}  // namespace detail

// ---- Function ----

Function::Function(std::unique_ptr<FunctionState> s) : s_(std::move(s)) {}
Function::Function(Function&&) noexcept = default;
Function& Function::operator=(Function&&) noexcept = default;
Function::~Function() = default;

std::size_t Function::dimension() const { return s_->n; }
std::size_t Function::guard_count() const { return s_->tape->guards().size(); }
std::size_t Function::node_count() const { return s_->tape->size(); }
std::size_t Function::tensor_count() const { return s_->tape->tensor_count(); }
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

void Function::bind(std::string_view name, const xt::xarray<double>& data) {
  detail::Binding& b = s_->binding(name, "bind");
  s_->rebind(b, data.data(), {data.shape().data(), data.shape().size()}, nullptr, "bind");
}

void Function::bind(std::string_view name, xt::xarray<double>&& data) {
  detail::Binding& b = s_->binding(name, "bind");
  auto own = std::make_shared<const xt::xarray<double>>(std::move(data));
  s_->rebind(b, own->data(), {own->shape().data(), own->shape().size()}, own, "bind");
}

void Function::bind_rows(std::string_view name, const xt::xarray<double>& data, std::size_t begin,
                         std::size_t end) {
  detail::Binding& b = s_->binding(name, "bind_rows");
  if (data.dimension() == 0 || begin > end || end > data.shape()[0])
    throw Error("slope::Function::bind_rows: rows [" + std::to_string(begin) + ", " +
                std::to_string(end) + ") out of range for shape " +
                core::shape(data.shape()) + " (placeholder '" + b.now.name + "')");
  detail::Shape shape = data.shape();
  const std::size_t width = data.size() / std::max<std::size_t>(shape[0], 1);
  shape[0] = end - begin;
  s_->rebind(b, data.data() + begin * width, {shape.data(), shape.size()}, nullptr, "bind_rows");
}

std::vector<std::string> Function::placeholders() const {
  std::vector<std::string> r;
  for (const detail::Binding& b : s_->bindings) r.push_back(b.now.name);
  return r;
}

std::vector<std::size_t> Function::bound_shape(std::string_view name) const {
  return s_->binding(name, "bound_shape").now.shape;
}

Function Function::clone() const {
  auto s = std::make_unique<FunctionState>();
  s->tape = s_->tape->clone();
  s->out = s_->out;
  s->constant = s_->constant;
  s->first = s_->first;
  s->n = s_->n;
  s->bindings = s_->bindings;
  return Function(std::move(s));
}

// ---- AutoFunction ----

void AutoFunction::bind_spec(detail::PlaceholderSpec spec) {
  if (pending_.empty()) {
    try {
      detail::Binding& b = function_.s_->binding(spec.name, "bind");
      function_.s_->rebind(b, spec.data, spec.shape, spec.own, "bind");
      return;
    } catch (const StaleRecording&) {
      // The recording depends on the old extent: record again at the next call.
    }
  }
  std::erase_if(pending_, [&](const detail::PlaceholderSpec& p) { return p.name == spec.name; });
  function_.s_->binding(spec.name, "bind");  // unknown names fail here, not at the next call
  pending_.push_back(std::move(spec));
}

void AutoFunction::bind(std::string_view name, const xt::xarray<double>& data) {
  bind_spec({std::string(name), data.data(), {data.shape().begin(), data.shape().end()}, nullptr});
}

void AutoFunction::bind(std::string_view name, xt::xarray<double>&& data) {
  auto own = std::make_shared<const xt::xarray<double>>(std::move(data));
  bind_spec(
      {std::string(name), own->data(), {own->shape().begin(), own->shape().end()}, std::move(own)});
}

void AutoFunction::bind_rows(std::string_view name, const xt::xarray<double>& data,
                             std::size_t begin, std::size_t end) {
  bind_spec(detail::rows_spec(name, data, begin, end));
}

void AutoFunction::rerecord(std::span<const double> x) {
  std::vector<detail::PlaceholderSpec> specs;
  for (const detail::Binding& b : function_.s_->bindings) {
    const auto it =
        std::find_if(pending_.begin(), pending_.end(),
                     [&](const detail::PlaceholderSpec& p) { return p.name == b.now.name; });
    specs.push_back(it != pending_.end() ? *it : b.now);
  }
  function_ = recorder_(x, std::move(specs));
  pending_.clear();
  ++recordings_;
}

// ---- threads ----

namespace detail {

ValueAndGrad parallel_value_and_grad(Function& f, std::span<const double> x,
                                     std::span<const Rows> data, std::size_t threads,
                                     Combine combine) {
  constexpr const char* call = "slope::parallel_value_and_grad";
  if (threads == 0) throw Error(std::string(call) + ": threads must be at least 1, got 0");
  if (data.empty()) throw Error(std::string(call) + ": no data to split (give at least one Rows)");
  const std::size_t rows = data[0].data.dimension() == 0 ? 0 : data[0].data.shape()[0];
  for (const Rows& r : data)
    if (r.data.dimension() == 0 || r.data.shape()[0] != rows)
      throw Error(std::string(call) + ": '" + r.name + "' has shape " + core::shape(r.data.shape()) +
                  ", '" + data[0].name + "' has " + std::to_string(rows) +
                  " rows: every entry needs the same number of rows");
  if (rows == 0) throw Error(std::string(call) + ": the data has no rows");
  const std::size_t k = std::min(threads, rows);
  FunctionState& s = *f.s_;
  s.check_x(x, "parallel_value_and_grad");
  // Each thread walks its block in chunks small enough to stay in cache between the forward and
  // the reverse sweep: the data is then read from memory once per gradient, not twice, which is
  // what lets two threads beat one on a memory-bound loss.
  std::size_t row_bytes = 0;
  for (const Rows& r : data) row_bytes += sizeof(double) * (r.data.size() / rows);
  const std::size_t chunk = chunk_rows(row_bytes);
  while (s.clones.size() + 1 < k) s.clones.push_back(f.clone());
  s.shard_grads.resize(2 * k);
  std::vector<double> values(k, 0.0);
  std::vector<std::exception_ptr> errors(k);
  const double all = static_cast<double>(rows);
  auto shard = [&](std::size_t i) {
    try {
      Function& g = i == 0 ? f : s.clones[i - 1];
      std::vector<double>& sum = s.shard_grads[2 * i];
      std::vector<double>& part = s.shard_grads[2 * i + 1];
      sum.assign(s.n, 0.0);
      part.resize(s.n);
      const std::size_t end = rows * (i + 1) / k;
      for (std::size_t b = rows * i / k; b < end; b += chunk) {
        const std::size_t e = std::min(end, b + chunk);
        for (const Rows& r : data) g.bind_rows(r.name, r.data, b, e);
        const double w = combine == Combine::mean ? static_cast<double>(e - b) / all : 1.0;
        values[i] += w * g.s_->grad(x, part, false);
        for (std::size_t j = 0; j < s.n; ++j) sum[j] += w * part[j];
      }
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(k - 1);
  std::size_t started = 1;
  try {
    for (; started < k; ++started) pool.emplace_back(shard, started);
  } catch (const std::system_error&) {
    // No thread to be had: this one runs the shards left after its own (a vector of joinable
    // threads must not unwind).
  }
  shard(0);
  for (std::size_t i = started; i < k; ++i) shard(i);
  for (std::thread& t : pool) t.join();
  for (const Rows& r : data) f.bind_rows(r.name, r.data, 0, rows);
  for (const std::exception_ptr& e : errors)
    if (e) translate_errors(call, [&] { std::rethrow_exception(e); });
  ValueAndGrad out{0.0, xt::zeros<double>({s.n})};
  for (std::size_t i = 0; i < k; ++i) {
    out.value += values[i];
    for (std::size_t j = 0; j < s.n; ++j) out.grad(j) += s.shard_grads[2 * i][j];
  }
  return out;
}

}  // namespace detail
}  // namespace slope
