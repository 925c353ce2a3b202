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
// guard. A replay at a point where a guard's outcome differs throws slope::StaleRecording instead
// of following the recorded branch; slope::AutoFunction records again there and carries on. Ops
// that branch inside their own rule (abs, max, min, maximum, where's operands, ...) are exact on
// replay and need no guard. Reading a tensor's value, shape or one element while recording is
// outside the tape's view: a shape or element read pins the placeholders it depends on to their
// recorded leading extent (binding another extent throws StaleRecording).
//
// Errors. A replay sweeps forward without stopping (a value may become NaN), then checks, in this
// order: the guards (StaleRecording), what the sweep ran into (a tensor op that failed at the new
// shapes: slope::Error), the NaN check, then sweeps back. So a point on another branch is always
// a StaleRecording, which AutoFunction records again at, whatever else went wrong there. The NaN
// check (slope::set_nan_check) is read at each replay, not at recording: turning it on covers
// Functions recorded before; it names the first op whose replayed value is NaN or ±Inf. Nothing
// but slope::Error (and std::bad_alloc) leaves value, value_and_grad, hvp, hessian or
// parallel_value_and_grad.
//
// Threads. A Function is used by one thread at a time; clone() gives a copy for another thread,
// and parallel_value_and_grad splits the rows of the data among threads.

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
/// of a new leading extent that the recording depends on. Record again (AutoFunction does).
class StaleRecording : public Error {
 public:
  using Error::Error;
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
class FunctionBuilder;
}  // namespace detail

/// A recorded scalar function of a parameter vector (and of placeholder data). Move-only; see
/// clone(). Every evaluation checks the guards first and throws StaleRecording when one flips,
/// before any other error of the replay (see Errors above).
class Function {
 public:
  Function(Function&&) noexcept;
  Function& operator=(Function&&) noexcept;
  ~Function();

  /// Number of parameters.
  std::size_t dimension() const;

  template <ParamVector X>
  double value(const X& x) {
    return eval(detail::as_span(x, "Function::value", "x"));
  }
  template <ParamVector X>
  ValueAndGrad value_and_grad(const X& x) {
    ValueAndGrad r{0.0, xt::xarray<double>::from_shape({dimension()})};
    r.value = eval_grad(detail::as_span(x, "Function::value_and_grad", "x"),
                        {r.grad.data(), r.grad.size()});
    return r;
  }
  /// f(x), with ∇f(x) written to g_out (of length dimension()): no allocation once warm.
  template <ParamVector X, OutVector G>
  double value_and_grad(const X& x, G& g_out) {
    return eval_grad(detail::as_span(x, "Function::value_and_grad", "x"),
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
    eval_hvp(detail::as_span(x, "Function::hvp", "x"), detail::as_span(v, "Function::hvp", "v"), {},
             {hv.data(), hv.size()});
    return hv;
  }
  /// f(x), with H(x)·v written to hv_out: no allocation once warm.
  template <ParamVector X, ParamVector V, OutVector H>
  double hvp(const X& x, const V& v, H& hv_out) {
    return eval_hvp(detail::as_span(x, "Function::hvp", "x"),
                    detail::as_span(v, "Function::hvp", "v"), {},
                    {hv_out.data(), static_cast<std::size_t>(hv_out.size())});
  }
  /// The dense Hessian: dimension() dual replays, symmetrised as (H + Hᵀ)/2.
  template <ParamVector X>
  xt::xarray<double> hessian(const X& x) {
    return eval_hessian(detail::as_span(x, "Function::hessian", "x"));
  }

  /// Binds placeholder `name` to new data: referenced (keep it alive while the Function reads
  /// it) or, for an rvalue, owned by the Function. The leading extent may change (unless the
  /// recording pinned it: StaleRecording); any other mismatch is a slope::Error naming the
  /// placeholder and both shapes.
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

  /// An independent copy (its own tape, the same bindings) for use on another thread.
  Function clone() const;

  // The cores of the calls above, on spans.
  double eval(std::span<const double> x);
  double eval_grad(std::span<const double> x, std::span<double> g);
  /// f(x); g (when not empty) gets ∇f(x) and hv gets H(x)·v.
  double eval_hvp(std::span<const double> x, std::span<const double> v, std::span<double> g,
                  std::span<double> hv);
  xt::xarray<double> eval_hessian(std::span<const double> x);

 private:
  friend class detail::FunctionBuilder;
  friend struct detail::FunctionState;
  friend class AutoFunction;
  friend ValueAndGrad detail::parallel_value_and_grad(Function&, std::span<const double>,
                                                      std::span<const Rows>, std::size_t, Combine);
  explicit Function(std::unique_ptr<detail::FunctionState> s);
  std::unique_ptr<detail::FunctionState> s_;
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

/// Rows [begin, end) of data as a binding (checked).
PlaceholderSpec rows_spec(std::string_view name, const xt::xarray<double>& data, std::size_t begin,
                          std::size_t end);

inline PlaceholderSpec spec_of(const Placeholder& p) {
  return {p.name(), p.data().data(), {p.data().shape().begin(), p.data().shape().end()}, p.owned()};
}

template <class F, std::size_t... I>
Function record_with(F& f, FunctionBuilder& b, std::index_sequence<I...>) {
  return b.finish(scalar_result(f(b.params(), b.data(I)...), "record"));
}

}  // namespace detail

/// Records f at x0 for replay: f(p) -> Var, or f(p, X, y, ...) -> Var with one Tensor per
/// placeholder (constant data, rebindable with F.bind).
template <class F, ParamVector X, class... P>
requires(std::same_as<std::remove_cvref_t<P>, Placeholder>&&...) Function
    record(F&& f, const X& x0, const P&... data) {
  detail::FunctionBuilder b(detail::as_span(x0, "record", "x0"), {detail::spec_of(data)...},
                            "record");
  return detail::record_with(f, b, std::index_sequence_for<P...>{});
}

/// A Function that records itself again whenever a replay would be stale (a guard flipped, or a
/// pinned placeholder got another extent), at the point and with the data of that call.
class AutoFunction {
 public:
  template <class F, ParamVector X, class... P>
  requires(std::same_as<std::remove_cvref_t<P>, Placeholder>&&...)
      AutoFunction(F f, const X& x0, const P&... data)
      : recorder_([f = std::move(f)](std::span<const double> x,
                                     std::vector<detail::PlaceholderSpec> specs) mutable {
          detail::FunctionBuilder b(x, std::move(specs), "AutoFunction");
          return detail::record_with(f, b, std::index_sequence_for<P...>{});
        }),
        function_(
            recorder_(detail::as_span(x0, "AutoFunction", "x0"), {detail::spec_of(data)...})) {}

  template <ParamVector X>
  double value(const X& x) {
    const auto xs = detail::as_span(x, "AutoFunction::value", "x");
    return retry(xs, [&] { return function_.eval(xs); });
  }
  template <ParamVector X>
  ValueAndGrad value_and_grad(const X& x) {
    ValueAndGrad r{0.0, xt::xarray<double>::from_shape({function_.dimension()})};
    r.value = value_and_grad(x, r.grad);
    return r;
  }
  template <ParamVector X, OutVector G>
  double value_and_grad(const X& x, G& g_out) {
    const auto xs = detail::as_span(x, "AutoFunction::value_and_grad", "x");
    const std::span<double> g{g_out.data(), static_cast<std::size_t>(g_out.size())};
    return retry(xs, [&] { return function_.eval_grad(xs, g); });
  }
  template <ParamVector X, ParamVector V>
  xt::xarray<double> hvp(const X& x, const V& v) {
    const auto xs = detail::as_span(x, "AutoFunction::hvp", "x");
    const auto vs = detail::as_span(v, "AutoFunction::hvp", "v");
    xt::xarray<double> hv = xt::xarray<double>::from_shape({function_.dimension()});
    retry(xs, [&] { return function_.eval_hvp(xs, vs, {}, {hv.data(), hv.size()}); });
    return hv;
  }
  /// f(x), with H(x)·v written to hv_out: no allocation once warm.
  template <ParamVector X, ParamVector V, OutVector H>
  double hvp(const X& x, const V& v, H& hv_out) {
    const auto xs = detail::as_span(x, "AutoFunction::hvp", "x");
    const auto vs = detail::as_span(v, "AutoFunction::hvp", "v");
    const std::span<double> hv{hv_out.data(), static_cast<std::size_t>(hv_out.size())};
    return retry(xs, [&] { return function_.eval_hvp(xs, vs, {}, hv); });
  }
  template <ParamVector X>
  xt::xarray<double> hessian(const X& x) {
    const auto xs = detail::as_span(x, "AutoFunction::hessian", "x");
    xt::xarray<double> h;
    retry(xs, [&] {
      h = function_.eval_hessian(xs);
      return 0.0;
    });
    return h;
  }

  /// Binds like Function::bind; a new leading extent the recording pinned records again at
  /// the next call.
  void bind(std::string_view name, const xt::xarray<double>& data);
  void bind(std::string_view name, xt::xarray<double>&& data);
  void bind_rows(std::string_view name, const xt::xarray<double>& data, std::size_t begin,
                 std::size_t end);

  /// How many times f has been recorded (1 after construction).
  std::size_t recordings() const { return recordings_; }
  Function& function() { return function_; }

 private:
  using Recorder =
      std::function<Function(std::span<const double>, std::vector<detail::PlaceholderSpec>)>;
  template <class Eval>
  double retry(std::span<const double> x, Eval&& eval) {
    if (!pending_.empty()) rerecord(x);
    try {
      return eval();
    } catch (const StaleRecording&) {
      rerecord(x);
      return eval();
    }
  }
  void rerecord(std::span<const double> x);
  void bind_spec(detail::PlaceholderSpec spec);

  Recorder recorder_;
  Function function_;
  std::size_t recordings_ = 1;
  std::vector<detail::PlaceholderSpec> pending_;  // bindings that need a new recording
};

/// f(x) and ∇f(x) over all rows of `data` (every entry has the same number of rows), split into
/// `threads` blocks of consecutive rows evaluated at once on clones of f (kept in f for the next
/// call; the caller's thread takes the first block). Each thread replays its block in chunks of
/// about 256 KiB of rows, so the data stays in cache from the forward to the reverse sweep: the
/// loss must be a mean (Combine::mean) or a sum (Combine::sum) over rows. Afterwards each
/// placeholder in `data` is bound to all of its rows.
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
