// SPDX-License-Identifier: MIT
// Recording f on a Function's own tape, clones, and AutoFunction recording again.

#include <slope/autodiff/function.hpp>

#include <algorithm>
#include <string>

#include "function_state.hpp"

namespace slope {

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

using detail::FunctionState;

// ---- clones ----

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

}  // namespace slope
