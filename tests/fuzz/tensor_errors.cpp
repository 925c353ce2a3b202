// SPDX-License-Identifier: MIT
// The error paths of the tensor fuzzer: whatever goes in, what comes out is a value or a
// slope::Error (never a crash, a foreign exception or a hang), and misuse is an Error.

#include <cmath>
#include <limits>
#include <optional>

#include "tensor_run.hpp"

namespace fuzz {
namespace {

// Every entry point on f at x: fresh gradient and HVP, a recording replayed. Values unchecked.
template <class Fn>
void everything(TensorRun& run, const std::string& what, Fn& f, const std::vector<double>& x,
                const std::vector<double>& v, std::optional<double> expected = {}) {
  run.call(what + " value_and_grad", [&] {
    const auto vg = slope::value_and_grad(f, x);
    if (expected && !(vg.value == *expected))
      run.comparer().fail(what, what + ": value " + std::to_string(vg.value) + ", expected " +
                                    std::to_string(*expected));
  });
  run.call(what + " hvp", [&] { (void)slope::hvp(f, x, v); });
  run.call(what + " record", [&] {
    slope::Function F = slope::record(f, x);
    (void)F.value_and_grad(x);
    (void)F.hvp(x, v);
  });
}

// f must throw slope::Error (it is a misuse).
template <class Fn>
void must_throw(TensorRun& run, const std::string& what, Fn&& f) {
  bool threw = false;
  run.call(what, [&] {
    try {
      f();
    } catch (const slope::Error&) {
      threw = true;
      throw;
    }
  });
  if (!threw) run.comparer().fail(what, what + ": accepted without a slope::Error");
}

}  // namespace

void tensor_error_paths(std::mt19937_64& rng, const TensorProgram& p, TensorRun& run) {
  const int R = p.R, C = p.C, K = p.K;
  const std::size_t n = std::size_t(R * C + C + 1), RC = std::size_t(R * C);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  std::vector<double> x(n), v(n);
  for (auto& xi : x) xi = u(rng);
  for (auto& vi : v) vi = u(rng);
  const double s = x.back();
  auto matrix = [&](const slope::Tensor& t) { return t.slice(0, RC).reshape({R, C}); };

  // Empty tensors into every reduction (over all, and along each axis of a (0, C) matrix) and
  // into softmax and log_softmax.
  for (int red = 0; red < kReductions; ++red) {
    auto all = [&](const slope::Tensor& t) { return reduce_all(red, t.slice(0, 0)) + t[n - 1]; };
    everything(run, "reduction " + std::to_string(red) + " of an empty tensor", all, x, v,
               red == 0 ? std::optional<double>(s) : std::nullopt);
    for (int axis : {0, -1}) {
      auto along = [&](const slope::Tensor& t) {
        return slope::sum(reduce_axis(red, matrix(t).slice(0, 0), axis)) + t[n - 1];
      };
      everything(run, "reduction " + std::to_string(red) + " along an axis of a (0, C) matrix",
                 along, x, v, red == 0 ? std::optional<double>(s) : std::nullopt);
    }
  }
  for (int log : {0, 1})
    for (int axis : {0, -1}) {
      auto sm = [&](const slope::Tensor& t) {
        const slope::Tensor e = matrix(t).slice(0, 0);
        return slope::sum(log ? slope::log_softmax(e, axis) : slope::softmax(e, axis)) + t[n - 1];
      };
      everything(run, std::string(log ? "log_softmax" : "softmax") + " of an empty tensor", sm, x,
                 v, s);
    }

  // NaN and Inf inputs, through the program and through the special functions.
  const TensorData data(p);
  std::vector<double> bad = x;
  const double kBad[] = {std::numeric_limits<double>::quiet_NaN(), HUGE_VAL, -HUGE_VAL};
  bad[std::uniform_int_distribution<std::size_t>(0, n - 1)(rng)] =
      kBad[std::uniform_int_distribution<int>(0, 2)(rng)];
  auto prog = [&](const slope::Tensor& t) { return run_tensor(p, t, data, data.E); };
  everything(run, "the program at a NaN/Inf point", prog, bad, v);
  auto special = [&](const slope::Tensor& t) {
    const slope::Tensor a = matrix(t);
    return slope::sum(slope::digamma(a) + slope::lgamma(a) + slope::tgamma(a));
  };
  everything(run, "digamma + lgamma + tgamma at a NaN/Inf point", special, bad, v);

  // Mismatched shapes, axes out of range, indices out of range.
  // (R, C) and (R, C + 1) do not broadcast unless C = 1, (R + 1, C) unless R = 1.
  const xt::xarray<double> wrong =
      xt::ones<double>(C > 1 ? std::vector<std::size_t>{std::size_t(R), std::size_t(C + 1)}
                             : std::vector<std::size_t>{std::size_t(R + 1), std::size_t(C)});
  const xt::xarray<double> inner = xt::ones<double>({std::size_t(C + 1), std::size_t(K)});
  if (R > 1 || C > 1)
    must_throw(run, "add of (R,C) and a shape that does not broadcast", [&] {
      (void)slope::grad([&](const slope::Tensor& t) { return slope::sum(matrix(t) + wrong); }, x);
    });
  must_throw(run, "matmul of (R,C) and (C+1,K)", [&] {
    (void)slope::grad(
        [&](const slope::Tensor& t) { return slope::sum(slope::matmul(matrix(t), inner)); }, x);
  });
  must_throw(run, "softmax along axis 2 of a matrix", [&] {
    (void)slope::grad(
        [&](const slope::Tensor& t) { return slope::sum(slope::softmax(matrix(t), 2)); }, x);
  });
  must_throw(run, "sum along axis -3 of a matrix", [&] {
    (void)slope::grad([&](const slope::Tensor& t) { return slope::sum(slope::sum(matrix(t), -3)); },
                      x);
  });
  must_throw(run, "gather_rows past the end", [&] {
    const std::vector<std::size_t> idx{0, std::size_t(R)};
    (void)slope::grad(
        [&](const slope::Tensor& t) { return slope::sum(slope::gather_rows(matrix(t), idx)); }, x);
  });
  if (R != C)
    must_throw(run, "concatenate of (R,C) and (C,R) along axis 0", [&] {
      (void)slope::grad(
          [&](const slope::Tensor& t) {
            return slope::sum(slope::concatenate({matrix(t), slope::transpose(matrix(t))}, 0));
          },
          x);
    });

  // Bad bindings of a recording's placeholder.
  auto fe = [&](const slope::Tensor& t, const slope::Tensor& E) {
    return run_tensor(p, t, data, E);
  };
  std::optional<slope::Function> F;
  if (!run.call("record with a placeholder",
                [&] { F.emplace(slope::record(fe, x, slope::Placeholder("E", data.E))); }))
    return;
  must_throw(run, "bind of an unknown placeholder", [&] { F->bind("e", data.E); });
  must_throw(run, "bind of another trailing extent", [&] {
    F->bind("E", xt::xarray<double>(xt::ones<double>({std::size_t(C), std::size_t(K + 1)})));
  });
  must_throw(run, "bind_rows past the end",
             [&] { F->bind_rows("E", data.E, 0, std::size_t(C + 1)); });
  run.call("bind of another leading extent, then a replay", [&] {
    F->bind("E", xt::xarray<double>(xt::ones<double>({std::size_t(C + 1), std::size_t(K)})));
    (void)F->value_and_grad(x);
  });
}

}  // namespace fuzz
