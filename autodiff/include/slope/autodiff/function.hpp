// SPDX-License-Identifier: MIT
#pragma once

// Record once, replay many times. A recorded Function replays its forward and reverse sweeps at
// new parameters and new data without recording again, and without allocating once warm.
//
//   slope::Placeholder X("X", X_train), y("y", y_train);   // data that changes between calls
//   auto loss = [](const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
//     return slope::mean(slope::square(slope::matmul(X, p.slice(0, 3)) + p[3] - y));
//   };
//   slope::Function F = slope::record(loss, x0, X, y);
//   F.bind("X", X_batch);                  // any number of rows; other extents are checked
//   F.bind("y", y_batch);
//   auto [fx, g] = F.value_and_grad(x);    // replayed, not recorded
//   double f = F.value_and_grad(x, g_out); // into a buffer: no heap allocation once warm
//
// Branches. A comparison of values on the tape while recording (`if (r > delta)`) is kept as a
// guard. A replay at a point where a guard's outcome differs is stale: it never follows the
// recorded branch. What it does instead is the Function's OnStale option. By default
// (OnStale::raise) it throws slope::StaleRecording; with OnStale::record_again it records f
// again there (record() keeps a copy of f) and carries on. slope::AutoFunction is a Function
// recorded with record_again set.
//
//   slope::Function H = slope::record(huber, x0);
//   H.on_stale(slope::OnStale::record_again);
//   auto [fh, gh] = H.value_and_grad(x);  // any x: records again when a branch flips
//   std::size_t n = H.recordings();       // 1 + the times it recorded again
//
// Ops that branch inside their own rule (abs, max, min, maximum, where's operands, ...) are exact
// on replay and need no guard. Reading a tensor's value, shape or one element while recording is
// outside the tape's view: a value read is checked like a guard; a shape or element read pins
// the placeholders it depends on to their recorded leading extent (binding another extent is
// stale too: StaleRecording, or with record_again a new recording at the next call).
//
// Errors. A replay sweeps forward without stopping (a value may become NaN), then checks, in this
// order: the guards (StaleRecording), what the sweep ran into (a tensor op that failed at the new
// shapes: slope::Error), the NaN check, then sweeps back. So a point on another branch is always
// a StaleRecording, which record_again records again at, whatever else went wrong there. The NaN
// check (slope::set_nan_check) is read at each replay, not at recording: turning it on covers
// Functions recorded before; it names the first op whose replayed value is NaN or ±Inf. Nothing
// but slope::Error (and std::bad_alloc) leaves value, value_and_grad, hvp, hessian or
// parallel_value_and_grad (recording again calls f, whose own exceptions pass through).
//
// Threads. A Function is used by one thread at a time; clone() gives a copy for another thread,
// and parallel_value_and_grad splits the rows of the data among threads.
// (runs as examples/replay.cpp)

#include <concepts>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/core/error.hpp>
#include <slope/autodiff/functional.hpp>
#include <slope/autodiff/tape.hpp>
#include <slope/autodiff/tensor.hpp>
#include <slope/autodiff/tensor_ops.hpp>

namespace slope {

/// Thrown by a replay whose guard flips (the recording followed another branch), or by a bind
/// of a new leading extent that the recording depends on, when the Function's option is
/// OnStale::raise. Record again (OnStale::record_again does).
class StaleRecording : public Error {
 public:
  using Error::Error;
};

/// What a Function does when its recording is stale: a replay at a point where a guard flips or
/// a value read while recording differs, or a bind of another leading extent to a placeholder
/// the recording pinned.
enum class OnStale {
  /// Throw slope::StaleRecording (the default): nothing is recorded behind the caller's back.
  raise,
  /// Record f again at the point and with the data of the call that found the recording stale,
  /// and answer that call from the new recording. A bind that a pinned placeholder refuses is
  /// kept and recorded with at the next call.
  record_again,
};

/// Named data that a Function reads and that can be rebound between replays (a mini-batch). The
/// value given here is used while recording. An lvalue xt::xarray<double> is referenced, not
/// copied (keep it alive while a Function reads it); anything else is evaluated into an array
/// the placeholder and the Functions recorded with it share.
class Placeholder {
 public:
  Placeholder(std::string name, const xt::xarray<double>& data);
  Placeholder(std::string name, xt::xarray<double>&& data);
  template <DataArg E>
  requires(!std::same_as<std::remove_cvref_t<E>, xt::xarray<double>>)
      Placeholder(std::string name, E&& data)
      : Placeholder(std::move(name), xt::xarray<double>(std::forward<E>(data))) {}

  const std::string& name() const { return name_; }
  const xt::xarray<double>& data() const { return *data_; }
  const std::shared_ptr<const xt::xarray<double>>& owned() const { return own_; }

 private:
  std::string name_;
  const xt::xarray<double>* data_;
  std::shared_ptr<const xt::xarray<double>> own_;
};

/// A writable contiguous vector of doubles (xt::xarray<double>, std::vector<double>, ...).
template <class G>
concept OutVector = requires(G& g) {
  { g.data() } -> std::convertible_to<double*>;
  { g.size() } -> std::convertible_to<std::size_t>;
};

/// Rows of placeholder data for parallel_value_and_grad.
struct Rows {
  std::string name;
  const xt::xarray<double>& data;
};

/// How per-shard results combine: a mean loss weights shard k by (its rows) / (all rows), a sum
/// adds them.
enum class Combine { mean, sum };

class Function;
namespace detail {
ValueAndGrad parallel_value_and_grad(Function& f, std::span<const double> x,
                                     std::span<const Rows> data, std::size_t threads,
                                     Combine combine);
}  // namespace detail

namespace detail {
struct FunctionState;
struct Rerecorder;
struct PlaceholderSpec;
class FunctionBuilder;
/// Records f again at a point and with the given placeholder bindings.
using Recorder = std::function<Function(std::span<const double>, std::vector<PlaceholderSpec>)>;
void keep_recorder(Function& fn, Recorder recorder);
}  // namespace detail

/// A recorded scalar function of a parameter vector (and of placeholder data). Move-only; see
/// clone(). Every evaluation checks the guards first and, when one flips, throws StaleRecording
/// or records again (on_stale()), before any other error of the replay (see Errors above).
class Function {
 public:
  Function(Function&&) noexcept;
  Function& operator=(Function&&) noexcept;
  ~Function();

  /// Number of parameters.
  std::size_t dimension() const;

  template <ParamVector X>
  double value(const X& x) {
    return value_span(detail::as_span(x, "Function::value", "x"));
  }
  template <ParamVector X>
  ValueAndGrad value_and_grad(const X& x) {
    ValueAndGrad r{0.0, xt::xarray<double>::from_shape({dimension()})};
    r.value = grad_span(detail::as_span(x, "Function::value_and_grad", "x"),
                        {r.grad.data(), r.grad.size()});
    return r;
  }
  /// f(x), with ∇f(x) written to g_out (of length dimension()): no allocation once warm.
  template <ParamVector X, OutVector G>
  double value_and_grad(const X& x, G& g_out) {
    return grad_span(detail::as_span(x, "Function::value_and_grad", "x"),
                     {g_out.data(), static_cast<std::size_t>(g_out.size())});
  }
  template <ParamVector X>
  xt::xarray<double> grad(const X& x) {
    return value_and_grad(x).grad;
  }
  /// H(x)·v by a replay in dual numbers (forward over reverse).
  template <ParamVector X, ParamVector V>
  xt::xarray<double> hvp(const X& x, const V& v) {
    xt::xarray<double> hv = xt::xarray<double>::from_shape({dimension()});
    hvp_span(detail::as_span(x, "Function::hvp", "x"), detail::as_span(v, "Function::hvp", "v"),
             {hv.data(), hv.size()});
    return hv;
  }
  /// f(x), with H(x)·v written to hv_out: no allocation once warm.
  template <ParamVector X, ParamVector V, OutVector H>
  double hvp(const X& x, const V& v, H& hv_out) {
    return hvp_span(detail::as_span(x, "Function::hvp", "x"),
                    detail::as_span(v, "Function::hvp", "v"),
                    {hv_out.data(), static_cast<std::size_t>(hv_out.size())});
  }
  /// The dense Hessian: dimension() dual replays, symmetrised as (H + Hᵀ)/2.
  template <ParamVector X>
  xt::xarray<double> hessian(const X& x) {
    return hessian_span(detail::as_span(x, "Function::hessian", "x"));
  }

  /// What a stale recording does: throw StaleRecording (OnStale::raise, the default) or record
  /// f again (OnStale::record_again, which needs the copy of f that record() keeps: f must be
  /// copyable). Binds already waiting for a new recording are recorded with at the next call
  /// either way.
  void on_stale(OnStale policy);
  OnStale on_stale() const;
  /// How many times f has been recorded: 1 after record(), one more each time it recorded again.
  std::size_t recordings() const;

  /// Binds placeholder `name` to new data: referenced (keep it alive while the Function reads
  /// it) or, for an rvalue, owned by the Function. The leading extent may change (unless the
  /// recording pinned it: StaleRecording, or with OnStale::record_again a new recording at the
  /// next call); any other mismatch is a slope::Error naming the placeholder and both shapes.
  void bind(std::string_view name, const xt::xarray<double>& data);
  void bind(std::string_view name, xt::xarray<double>&& data);
  /// Binds rows [begin, end) of data (referenced, not copied).
  void bind_rows(std::string_view name, const xt::xarray<double>& data, std::size_t begin,
                 std::size_t end);
  std::vector<std::string> placeholders() const;
  /// The shape of the data currently bound to a placeholder.
  std::vector<std::size_t> bound_shape(std::string_view name) const;

  /// Guards kept from the recording (comparisons of values on the tape).
  std::size_t guard_count() const;
  /// Scalar nodes (ops and inputs) and tensor nodes of the recording.
  std::size_t node_count() const;
  std::size_t tensor_count() const;
  /// What the recording and its compiled replay cost: nodes, Jacobian entries, bytes in use and
  /// at most (tape_stats.hpp). The replay is compiled at the first call that replays.
  TapeStats stats() const;

  /// Rows per block of a gradient replay, 0 when it sweeps all the bound rows at once. A function
  /// that is the mean (or sum) of all elements of a tensor whose row i reads row i of every
  /// placeholder only (elementwise ops, matmul(data, parameters), softmax and reductions along
  /// other axes) has a gradient over rows that is the row-weighted mean (sum) of the gradients of
  /// blocks of rows: value_and_grad then replays blocks of about 256 KiB of data, each forward
  /// and back while it is in cache, and reads the data from memory once instead of twice. Not
  /// for recordings with guards, pinned placeholders or values read out, nor when the output is
  /// computed further from the mean (log(mean(...)), mean + a penalty); value and hvp always
  /// sweep all rows at once.
  std::size_t block_rows() const;

  /// An independent copy (its own tape, the same bindings, on_stale() and copy of f) for use on
  /// another thread.
  Function clone() const;

 private:
  friend class detail::FunctionBuilder;
  friend struct detail::FunctionState;
  friend void detail::keep_recorder(Function&, detail::Recorder);
  friend ValueAndGrad detail::parallel_value_and_grad(Function&, std::span<const double>,
                                                      std::span<const Rows>, std::size_t, Combine);
  explicit Function(std::unique_ptr<detail::FunctionState> s);

  // The calls above on spans: each records again first when a bind waits for a new recording,
  // and again when the replay is stale and on_stale() is record_again.
  double value_span(std::span<const double> x);
  double grad_span(std::span<const double> x, std::span<double> g);
  double hvp_span(std::span<const double> x, std::span<const double> v, std::span<double> hv);
  xt::xarray<double> hessian_span(std::span<const double> x);
  // Records f again at x when binds wait for it, or when `stale` and on_stale() is record_again;
  // returns whether it did. `call` names the entry point in errors.
  bool record_again(std::span<const double> x, const char* call, bool stale);
  // Binds a placeholder, or keeps the bind for the next recording (see OnStale::record_again).
  void bind_to(std::string_view name, const double* data, std::span<const std::size_t> shape,
               std::shared_ptr<const xt::xarray<double>> own, const char* call);

  // One replay of the recording, throwing StaleRecording whatever on_stale() says.
  double eval(std::span<const double> x);
  double eval_grad(std::span<const double> x, std::span<double> g);
  /// f(x); g (when not empty) gets ∇f(x) and hv gets H(x)·v.
  double eval_hvp(std::span<const double> x, std::span<const double> v, std::span<double> g,
                  std::span<double> hv);
  xt::xarray<double> eval_hessian(std::span<const double> x);

  std::unique_ptr<detail::FunctionState> s_;   // the recording
  std::unique_ptr<detail::Rerecorder> again_;  // f, on_stale() and the binds waiting for it
};

namespace detail {

// A placeholder's name and the memory bound to it (row-major, `shape`).
struct PlaceholderSpec {
  std::string name;
  const double* data;
  std::vector<std::size_t> shape;
  std::shared_ptr<const xt::xarray<double>> own;  // keeps owned data alive
};

// Opens a recording on the new Function's own tape; finish() closes it.
class FunctionBuilder {
 public:
  FunctionBuilder(std::span<const double> x0, std::vector<PlaceholderSpec> placeholders,
                  const char* call);
  ~FunctionBuilder();
  FunctionBuilder(const FunctionBuilder&) = delete;
  FunctionBuilder& operator=(const FunctionBuilder&) = delete;
  const Tensor& params() const { return params_; }
  const Tensor& data(std::size_t i) const { return data_[i]; }
  Function finish(const Var& y);

 private:
  std::unique_ptr<FunctionState> state_;
  std::optional<Recording> recording_;
  Tensor params_;
  std::vector<Tensor> data_;
  const char* call_;
};

inline PlaceholderSpec spec_of(const Placeholder& p) {
  return {p.name(), p.data().data(), {p.data().shape().begin(), p.data().shape().end()}, p.owned()};
}

template <class F, std::size_t... I>
Function record_with(F& f, FunctionBuilder& b, std::index_sequence<I...>) {
  return b.finish(scalar_result(f(b.params(), b.data(I)...), "record"));
}

// f as a Recorder of a function of N placeholders.
template <std::size_t N, class F>
Recorder recorder_of(F f, const char* call) {
  return [f = std::move(f), call](std::span<const double> x,
                                  std::vector<PlaceholderSpec> specs) mutable {
    FunctionBuilder b(x, std::move(specs), call);
    return record_with(f, b, std::make_index_sequence<N>{});
  };
}

// Records f at x0 and keeps a copy of f to record again with (unless f cannot be copied).
template <class F, class... P>
Function record_as(const char* call, F&& f, std::span<const double> x0, const P&... data) {
  FunctionBuilder b(x0, {spec_of(data)...}, call);
  Function fn = record_with(f, b, std::index_sequence_for<P...>{});
  if constexpr (std::copy_constructible<std::decay_t<F>>)
    keep_recorder(fn, recorder_of<sizeof...(P)>(std::decay_t<F>(std::forward<F>(f)), call));
  return fn;
}

}  // namespace detail

/// Records f at x0 for replay: f(p) -> Var, or f(p, X, y, ...) -> Var with one Tensor per
/// placeholder (constant data, rebindable with F.bind). The Function keeps a copy of f, to
/// record again with when on_stale() is OnStale::record_again.
template <class F, ParamVector X, class... P>
requires(std::same_as<std::remove_cvref_t<P>, Placeholder>&&...) Function
    record(F&& f, const X& x0, const P&... data) {
  return detail::record_as("record", std::forward<F>(f), detail::as_span(x0, "record", "x0"),
                           data...);
}

/// A Function recorded with OnStale::record_again: it records itself again whenever a replay
/// would be stale (a guard flipped, or a pinned placeholder got another extent), at the point and
/// with the data of that call. The same as record(f, x0, data...) then
/// on_stale(OnStale::record_again); kept as a name of its own.
class AutoFunction : public Function {
 public:
  template <class F, ParamVector X, class... P>
  requires(std::same_as<std::remove_cvref_t<P>, Placeholder>&&...)
      AutoFunction(F f, const X& x0, const P&... data)
      : Function(detail::record_as("AutoFunction", std::move(f),
                                   detail::as_span(x0, "AutoFunction", "x0"), data...)) {
    static_assert(std::copy_constructible<F>, "AutoFunction records f again: f must be copyable");
    on_stale(OnStale::record_again);
  }

  /// The Function it is (AutoFunction used to wrap one).
  Function& function() { return *this; }
};

/// f(x) and ∇f(x) over all rows of `data` (every entry has the same number of rows), split into
/// `threads` blocks of consecutive rows evaluated at once on clones of f (kept in f for the next
/// call; the caller's thread takes the first block). Each thread replays its block in chunks of
/// about 256 KiB of rows, so the data stays in cache from the forward to the reverse sweep: the
/// loss must be a mean (Combine::mean) or a sum (Combine::sum) over rows. Afterwards each
/// placeholder in `data` is bound to all of its rows. Binds waiting for a new recording are
/// recorded with first; a stale replay of a block throws StaleRecording whatever on_stale() says.
template <ParamVector X>
ValueAndGrad parallel_value_and_grad(Function& f, const X& x, std::span<const Rows> data,
                                     std::size_t threads, Combine combine = Combine::mean) {
  return detail::parallel_value_and_grad(f, detail::as_span(x, "parallel_value_and_grad", "x"),
                                         data, threads, combine);
}
template <ParamVector X>
ValueAndGrad parallel_value_and_grad(Function& f, const X& x, std::initializer_list<Rows> data,
                                     std::size_t threads, Combine combine = Combine::mean) {
  return detail::parallel_value_and_grad(f, detail::as_span(x, "parallel_value_and_grad", "x"),
                                         std::span<const Rows>(data.begin(), data.size()), threads,
                                         combine);
}

}  // namespace slope
