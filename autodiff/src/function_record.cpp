// SPDX-License-Identifier: MIT
// Recording f on a Function's own tape, and recording it again: the OnStale option, binds
// waiting for a new recording, and clones.

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

void keep_recorder(Function& fn, Recorder recorder) { fn.again_->record = std::move(recorder); }

}  // namespace detail

using detail::FunctionState;

// ---- recording again ----

void Function::on_stale(OnStale policy) {
  if (policy == OnStale::record_again && !again_->record)
    throw Error(
        "slope::Function::on_stale: this Function cannot record again: f could not be copied "
        "when it was recorded");
  again_->on_stale = policy;
}

OnStale Function::on_stale() const { return again_->on_stale; }

std::size_t Function::recordings() const { return again_->recordings; }

bool Function::record_again(std::span<const double> x, const char* call, bool stale) {
  detail::Rerecorder& r = *again_;
  if (r.pending.empty() && !(stale && r.on_stale == OnStale::record_again)) return false;
  if (!r.record)
    throw Error(std::string("slope::Function::") + call +
                ": a bind waits for a new recording, but this Function cannot record again (f "
                "could not be copied when it was recorded)");
  s_->check_x(x, call);
  // The placeholders as bound now, with the binds that waited for this recording.
  std::vector<detail::PlaceholderSpec> specs;
  specs.reserve(s_->bindings.size());
  for (const detail::Binding& b : s_->bindings) {
    const auto it =
        std::find_if(r.pending.begin(), r.pending.end(),
                     [&](const detail::PlaceholderSpec& p) { return p.name == b.now.name; });
    specs.push_back(it != r.pending.end() ? *it : b.now);
  }
  Function fresh = r.record(x, std::move(specs));
  s_ = std::move(fresh.s_);
  r.pending.clear();
  ++r.recordings;
  return true;
}

// Each call: a new recording first when binds wait for one; then the replay, and when it is
// stale and on_stale() is record_again, a new recording at x and the replay again.

double Function::value_span(std::span<const double> x) {
  record_again(x, "value", false);
  try {
    return eval(x);
  } catch (const StaleRecording&) {
    if (!record_again(x, "value", true)) throw;
  }
  return eval(x);
}

double Function::grad_span(std::span<const double> x, std::span<double> g) {
  record_again(x, "value_and_grad", false);
  try {
    return eval_grad(x, g);
  } catch (const StaleRecording&) {
    if (!record_again(x, "value_and_grad", true)) throw;
  }
  return eval_grad(x, g);
}

double Function::hvp_span(std::span<const double> x, std::span<const double> v,
                          std::span<double> hv) {
  record_again(x, "hvp", false);
  try {
    return eval_hvp(x, v, {}, hv);
  } catch (const StaleRecording&) {
    if (!record_again(x, "hvp", true)) throw;
  }
  return eval_hvp(x, v, {}, hv);
}

xt::xarray<double> Function::hessian_span(std::span<const double> x) {
  record_again(x, "hessian", false);
  try {
    return eval_hessian(x);
  } catch (const StaleRecording&) {
    if (!record_again(x, "hessian", true)) throw;
  }
  return eval_hessian(x);
}

// ---- clones ----

Function Function::clone() const {
  auto s = std::make_unique<FunctionState>();
  s->tape = s_->tape->clone();
  s->out = s_->out;
  s->constant = s_->constant;
  s->first = s_->first;
  s->n = s_->n;
  s->bindings = s_->bindings;
  Function c(std::move(s));
  *c.again_ = *again_;  // a copy of f, the option, the binds waiting
  return c;
}

}  // namespace slope
