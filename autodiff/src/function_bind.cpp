// SPDX-License-Identifier: MIT
// Placeholders and their bindings: pointing a recording's data nodes at new memory.

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

std::string shape_text(std::span<const std::size_t> s) { return core::shape(s); }

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

// ---- Function's bindings ----

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
                std::to_string(end) + ") out of range for shape " + core::shape(data.shape()) +
                " (placeholder '" + b.now.name + "')");
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

}  // namespace slope
