// SPDX-License-Identifier: MIT
// Placeholders and their bindings: pointing a recording's data nodes at new memory, or keeping
// a bind for the next recording when the recording pinned the placeholder's leading extent.

#include <slope/autodiff/function.hpp>

#include <algorithm>
#include <string>

#include "function_state.hpp"

namespace slope {

// ---- Placeholder ----

Placeholder::Placeholder(std::string name, const xt::xarray<double>& data)
    : name_(std::move(name)), data_(&data) {}
Placeholder::Placeholder(std::string name, xt::xarray<double>&& data)
    : name_(std::move(name)), own_(std::make_shared<const xt::xarray<double>>(std::move(data))) {
  data_ = own_.get();
}

namespace detail {

namespace {

// Only the leading extent of a placeholder may change: a slope::Error otherwise.
void check_trailing(const Binding& b, std::span<const std::size_t> s, const char* call) {
  const std::vector<std::size_t>& r = b.recorded;
  bool trailing = s.size() == r.size();
  for (std::size_t d = 1; trailing && d < s.size(); ++d) trailing = s[d] == r[d];
  if (!trailing)
    throw Error(std::string("slope::Function::") + call + ": placeholder '" + b.now.name +
                "' was recorded with shape " + core::shape(r) + "; cannot bind shape " +
                core::shape(s) + ": only the leading extent may change");
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

void FunctionState::rebind(Binding& b, const double* data, std::span<const std::size_t> s,
                           std::shared_ptr<const Array> own, const char* call) {
  const std::vector<std::size_t>& r = b.recorded;
  check_trailing(b, s, call);
  if (!s.empty() && s[0] != r[0] && (tape->pinned_placeholders() >> b.index & 1u) != 0)
    throw StaleRecording(std::string("slope::Function::") + call + ": placeholder '" + b.now.name +
                         "' is pinned to " + std::to_string(r[0]) +
                         " rows (the recording read a shape or an element of a tensor computed "
                         "from it), cannot bind shape " +
                         core::shape(s) +
                         "; record again (Function::on_stale(OnStale::record_again) does)");
  TensorNode& node = TensorAccess::list(*tape)[b.node];
  node.ext = data;
  node.ext_shape.resize(s.size());
  std::copy(s.begin(), s.end(), node.ext_shape.begin());
  b.now.data = data;
  b.now.shape.assign(s.begin(), s.end());
  b.now.own = std::move(own);
}

RowsView rows_view(std::string_view name, const Array& data, std::size_t begin, std::size_t end) {
  if (data.dimension() == 0 || begin > end || end > data.shape()[0])
    throw Error("slope::Function::bind_rows: rows [" + std::to_string(begin) + ", " +
                std::to_string(end) + ") out of range for shape " + core::shape(data.shape()) +
                " (placeholder '" + std::string(name) + "')");
  Shape shape = data.shape();
  const std::size_t width = data.size() / std::max<std::size_t>(shape[0], 1);
  shape[0] = end - begin;
  return {data.data() + begin * width, shape};
}

}  // namespace detail

// ---- Function's bindings ----

void Function::bind(std::string_view name, const xt::xarray<double>& data) {
  bind_to(name, data.data(), {data.shape().data(), data.shape().size()}, nullptr, "bind");
}

void Function::bind(std::string_view name, xt::xarray<double>&& data) {
  auto own = std::make_shared<const xt::xarray<double>>(std::move(data));
  // The data and shape stay where they are when `own` moves into the binding.
  const double* p = own->data();
  const std::span<const std::size_t> shape{own->shape().data(), own->shape().size()};
  bind_to(name, p, shape, std::move(own), "bind");
}

void Function::bind_rows(std::string_view name, const xt::xarray<double>& data, std::size_t begin,
                         std::size_t end) {
  s_->binding(name, "bind_rows");  // an unknown name before a range error
  const detail::RowsView rows = detail::rows_view(name, data, begin, end);
  bind_to(name, rows.data, {rows.shape.data(), rows.shape.size()}, nullptr, "bind_rows");
}

void Function::bind_to(std::string_view name, const double* data,
                       std::span<const std::size_t> shape,
                       std::shared_ptr<const xt::xarray<double>> own, const char* call) {
  detail::Binding& b = s_->binding(name, call);
  detail::Rerecorder& r = *again_;
  if (r.pending.empty()) {
    if (r.on_stale == OnStale::raise) return s_->rebind(b, data, shape, std::move(own), call);
    try {
      s_->rebind(b, data, shape, own, call);
      return;
    } catch (const StaleRecording&) {
      // The recording depends on the old extent: record again at the next call.
    }
  }
  // A new recording is due: it reads this bind (the last one of each placeholder).
  detail::check_trailing(b, shape, call);
  std::erase_if(r.pending, [&](const detail::PlaceholderSpec& p) { return p.name == name; });
  r.pending.push_back({std::string(name), data, {shape.begin(), shape.end()}, std::move(own)});
}

std::vector<std::string> Function::placeholders() const {
  std::vector<std::string> r;
  for (const detail::Binding& b : s_->bindings) r.push_back(b.now.name);
  return r;
}

std::vector<std::size_t> Function::bound_shape(std::string_view name) const {
  const detail::Binding& b = s_->binding(name, "bound_shape");
  for (const detail::PlaceholderSpec& p : again_->pending)
    if (p.name == name) return p.shape;
  return b.now.shape;
}

}  // namespace slope
