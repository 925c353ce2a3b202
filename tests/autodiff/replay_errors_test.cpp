// SPDX-License-Identifier: MIT
// Errors of replays: guards are checked before anything else a replay ran into (so AutoFunction
// records again), the NaN check covers replays, and no exception but slope::Error (and
// std::bad_alloc) leaves a derivative call.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

// The tensor-op interface, for an op that throws another library's exception on demand.
#include "../../autodiff/src/tensor_list.hpp"

namespace slope::detail {
namespace {

bool forward_throws = false;
bool backward_throws = false;

// The identity, throwing std::runtime_error from its forward or reverse rule when asked to: a
// stand-in for an xtensor or Boost error inside a tensor op.
struct InjectedOp final : OpBase<InjectedOp> {
  std::uint32_t src;
  explicit InjectedOp(std::uint32_t s) : src(s) {}
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (forward_throws) throw std::runtime_error("injected forward failure");
    const TensorNode& x = list[src];
    const Out o = output(tape, self, x.value().shape());
    std::copy(x.value().begin(), x.value().end(), o.v);
    if (o.t != nullptr) {
      if (x.tangent() != nullptr)
        std::copy_n(x.tangent(), x.value().size(), o.t);
      else
        std::fill_n(o.t, x.value().size(), 0.0);
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (backward_throws) throw std::runtime_error("injected reverse failure");
    if (!self.has_adj) return;
    Array g = self.adj;
    if (TensorAccess::dual(tape) && self.has_adj_tan) {
      Array gt = self.adj_tan;
      accumulate(list[src], std::move(g), &gt);
    } else {
      accumulate(list[src], std::move(g), nullptr);
    }
  }
};

Tensor injected(const Tensor& a) {
  Tape& tape = TensorAccess::active("injected");
  const std::uint32_t ia = node_index(tape, a, "injected");
  return TensorAccess::record(tape, std::make_unique<InjectedOp>(ia), {ia}, "injected");
}

}  // namespace
}  // namespace slope::detail

namespace {

using slope::AutoFunction;
using slope::Function;
using slope::Placeholder;
using slope::StaleRecording;
using slope::Tensor;
using slope::Var;
using Array = xt::xarray<double>;
using Point = std::vector<double>;

// What f throws: "stale: <message>" for StaleRecording, "error: <message>" for any other
// slope::Error, "foreign: <message>" for another exception, "none" when it returns.
template <class F>
std::string outcome(F&& f) {
  try {
    f();
  } catch (const StaleRecording& e) {
    return std::string("stale: ") + e.what();
  } catch (const slope::Error& e) {
    return std::string("error: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("foreign: ") + e.what();
  }
  return "none";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

#define EXPECT_OUTCOME(stmt, kind, text)                                        \
  do {                                                                          \
    const std::string got_ = outcome([&] { (void)(stmt); });                    \
    EXPECT_TRUE(starts_with(got_, kind)) << #stmt << " gave " << got_;          \
    EXPECT_NE(got_.find(text), std::string::npos) << #stmt << " gave " << got_; \
  } while (false)

// Turns the NaN check on or off for a scope.
class NanCheck {
 public:
  explicit NanCheck(bool on) : was_(slope::nan_check()) { slope::set_nan_check(on); }
  ~NanCheck() { slope::set_nan_check(was_); }
  NanCheck(const NanCheck&) = delete;
  NanCheck& operator=(const NanCheck&) = delete;

 private:
  bool was_;
};

// Sets a flag of the injected op for a scope.
class Raise {
 public:
  explicit Raise(bool& flag) : flag_(flag) { flag_ = true; }
  ~Raise() { flag_ = false; }
  Raise(const Raise&) = delete;
  Raise& operator=(const Raise&) = delete;

 private:
  bool& flag_;
};

// ---- 1. guards before anything else ----

// At p[0] > 0: log(p[0])·p[1]; else p[0]²·p[1]. Recorded at p[0] > 0, replayed at p[0] < 0 the
// guard flips and the recorded log gives NaN.
Var log_branch(const Tensor& p) {
  if (p[0] > 0.0) return slope::log(p[0]) * p[1];
  return p[0] * p[0] * p[1];
}

TEST(ReplayErrors, GuardIsCheckedBeforeTheNanCheck) {
  const NanCheck on(true);
  Function F = slope::record(log_branch, Point{2, 3});
  const Point x{-1, 3}, v{1, 0};
  EXPECT_OUTCOME(F.value(x), "stale:", "took a branch");
  EXPECT_OUTCOME(F.value_and_grad(x), "stale:", "took a branch");
  EXPECT_OUTCOME(F.hvp(x, v), "stale:", "took a branch");
  EXPECT_OUTCOME(F.hessian(x), "stale:", "took a branch");

  AutoFunction A(log_branch, Point{2, 3});
  const auto r = A.value_and_grad(x);  // p0² p1: (3, (2 p0 p1, p0²) = (−6, 1))
  EXPECT_EQ(A.recordings(), 2u);
  EXPECT_DOUBLE_EQ(r.value, 3.0);
  EXPECT_DOUBLE_EQ(r.grad(0), -6.0);
  EXPECT_DOUBLE_EQ(r.grad(1), 1.0);
  EXPECT_DOUBLE_EQ(A.value(x), 3.0);
  const Array hv = A.hvp(x, v);  // H = [[2 p1, 2 p0], [2 p0, 0]]
  EXPECT_DOUBLE_EQ(hv(0), 6.0);
  EXPECT_DOUBLE_EQ(hv(1), -2.0);
  EXPECT_DOUBLE_EQ(A.hessian(x)(0, 1), -2.0);
}

// A recording whose taken branch ends in a tensor op that fails at other data: C has the
// recorded number of rows, so X + C fails once X is rebound to another number of rows.
const Array kC{10.0, 20.0, 30.0};
Var tensor_branch(const Tensor& p, const Tensor& X) {
  const Var s = slope::sum(X * p[0]);
  if (s > 0.0) return s + slope::sum(X + kC);
  return -s;
}

TEST(ReplayErrors, GuardIsCheckedBeforeAFailingTensorOp) {
  const Array X3{1.0, 2.0, 3.0}, X4{-1.0, -2.0, -3.0, -4.0};
  const Point x{1.0}, v{1.0};
  Placeholder X("X", X3);
  Function F = slope::record(tensor_branch, x, X);
  F.bind("X", X4);  // sum(X4·p0) < 0: the guard flips, and X4 + C cannot broadcast
  EXPECT_OUTCOME(F.value(x), "stale:", "took a branch");
  EXPECT_OUTCOME(F.value_and_grad(x), "stale:", "took a branch");
  EXPECT_OUTCOME(F.hvp(x, v), "stale:", "took a branch");
  EXPECT_OUTCOME(F.hessian(x), "stale:", "took a branch");

  AutoFunction A(tensor_branch, x, X);
  A.bind("X", X4);
  const auto r = A.value_and_grad(x);  // −p0·sum(X4) = 10 p0
  EXPECT_EQ(A.recordings(), 2u);
  EXPECT_DOUBLE_EQ(r.value, 10.0);
  EXPECT_DOUBLE_EQ(r.grad(0), 10.0);
  EXPECT_DOUBLE_EQ(A.value(Point{2.0}), 20.0);
  EXPECT_DOUBLE_EQ(A.hvp(x, v)(0), 0.0);
  EXPECT_DOUBLE_EQ(A.hessian(x)(0, 0), 0.0);
}

TEST(ReplayErrors, AFailingTensorOpWithoutAFlippedGuardIsItsOwnError) {
  const Array X3{1.0, 2.0, 3.0}, X4{1.0, 2.0, 3.0, 4.0};
  Placeholder X("X", X3);
  Function F = slope::record(tensor_branch, Point{1.0}, X);
  F.bind("X", X4);  // the guard holds; X4 + C fails
  const std::string got = outcome([&] { F.value(Point{1.0}); });
  EXPECT_TRUE(starts_with(got, "error:")) << got;
  EXPECT_NE(got.find("(4,)"), std::string::npos) << got;
  F.bind("X", X3);  // and the Function is usable again
  EXPECT_DOUBLE_EQ(F.value(Point{1.0}), 6.0 + 66.0);
}

Var injected_branch(const Tensor& p, const Tensor& X) {
  const Var s = slope::sum(X * p[0]);
  const Var t = slope::sum(slope::detail::injected(X * p[0]));
  if (s > 0.0) return t;
  return -t;
}

TEST(ReplayErrors, GuardIsCheckedBeforeARuleThatThrows) {
  const Array X3{1.0, 2.0, 3.0};
  Placeholder X("X", X3);
  Function F = slope::record(injected_branch, Point{1.0}, X);
  const Raise raise(slope::detail::forward_throws);
  EXPECT_OUTCOME(F.value(Point{-1.0}), "stale:", "took a branch");
  EXPECT_OUTCOME(F.value_and_grad(Point{-1.0}), "stale:", "took a branch");
  EXPECT_OUTCOME(F.hvp(Point{-1.0}, Point{1.0}), "stale:", "took a branch");
  // The guard holds: the op's own error, as a slope::Error naming the call.
  EXPECT_OUTCOME(F.value(Point{2.0}), "error:", "slope::Function::value");
  EXPECT_OUTCOME(F.value(Point{2.0}), "error:", "injected forward failure");
}

TEST(ReplayErrors, ParallelShardsCheckGuardsFirst) {
  const NanCheck on(true);
  const Array X4{1.0, 2.0, 3.0, 4.0}, Xneg{-1.0, -2.0, -3.0, -4.0};
  Placeholder X("X", X4);
  // At sum(X) > 0: log(p0)·sum(X); else p0·sum(X).
  auto f = [](const Tensor& p, const Tensor& Xs) -> Var {
    const Var s = slope::sum(Xs);
    if (s > 0.0) return slope::log(p[0]) * s;
    return p[0] * s;
  };
  Function F = slope::record(f, Point{2.0}, X);
  const slope::Rows rows[] = {{"X", Xneg}};
  EXPECT_OUTCOME(slope::parallel_value_and_grad(F, Point{-1.0}, rows, 2, slope::Combine::sum),
                 "stale:", "took a branch");
}

// ---- 2. the NaN check covers replays ----

Var log_times(const Tensor& p) { return slope::log(p[0]) * p[1]; }

TEST(ReplayErrors, NanCheckCoversEveryReplay) {
  Function F = slope::record(log_times, Point{2, 3});  // recorded with the check off
  const Point x{-1, 3}, v{1, 1};
  {
    const NanCheck off(false);
    EXPECT_TRUE(std::isnan(F.value(x)));
  }
  const NanCheck on(true);  // the setting at replay time counts
  EXPECT_OUTCOME(F.value(x), "error:", "slope::Function::value: nan check: log(-1) = ");
  EXPECT_OUTCOME(F.value_and_grad(x),
                 "error:", "slope::Function::value_and_grad: nan check: log(-1) = ");
  std::vector<double> g(2);
  EXPECT_OUTCOME(F.value_and_grad(x, g), "error:", "nan check: log(-1)");
  EXPECT_OUTCOME(F.hvp(x, v), "error:", "slope::Function::hvp: nan check: log(-1) = ");
  EXPECT_OUTCOME(F.hessian(x), "error:", "slope::Function::hessian: nan check: log(-1) = ");
  // A finite point still replays.
  EXPECT_DOUBLE_EQ(F.value(Point{1, 3}), 0.0);

  AutoFunction A(log_times, Point{2, 3});
  EXPECT_OUTCOME(A.value(x), "error:", "nan check: log(-1)");
  EXPECT_EQ(A.recordings(), 1u);  // not stale: nothing to record again
}

TEST(ReplayErrors, NanCheckNamesBinaryOpsAndInfinities) {
  auto f = [](const Tensor& p) { return p[1] / (p[0] - 1.0) + p[0] * p[1]; };
  Function F = slope::record(f, Point{2, 3});
  const NanCheck on(true);
  EXPECT_OUTCOME(F.value_and_grad(Point{1, 3}), "error:", "div(3, 0) = inf");
}

TEST(ReplayErrors, NanCheckTakenAtReplayTime) {
  Function F = [] {
    const NanCheck on(true);
    return slope::record(log_times, Point{2, 3});
  }();
  const NanCheck off(false);
  EXPECT_TRUE(std::isnan(F.value_and_grad(Point{-1, 3}).value));
}

TEST(ReplayErrors, NanCheckCoversTensorReplays) {
  const Array X3{1.0, 2.0, 3.0};
  Placeholder X("X", X3);
  auto f = [](const Tensor& p, const Tensor& Xs) { return slope::sum(slope::log(Xs * p[0])); };
  Function F = slope::record(f, Point{1.0}, X);
  const NanCheck on(true);
  EXPECT_OUTCOME(F.value(Point{-1.0}), "error:", "slope::Function::value: nan check: tensor op");
  EXPECT_OUTCOME(F.value_and_grad(Point{-1.0}), "error:", "nan check: tensor op");
  EXPECT_OUTCOME(F.hvp(Point{-1.0}, Point{1.0}), "error:", "nan check: tensor op");
  const slope::Rows rows[] = {{"X", X3}};
  EXPECT_OUTCOME(slope::parallel_value_and_grad(F, Point{-1.0}, rows, 2),
                 "error:", "nan check: tensor op");
}

TEST(ReplayErrors, NanCheckCoversGradientsByBlocksOfRows) {
  Array X = xt::ones<double>({std::size_t{40000}, std::size_t{1}});
  Placeholder Xp("X", X);
  auto f = [](const Tensor& p, const Tensor& Xs) { return slope::mean(slope::log(Xs * p[0])); };
  Function F = slope::record(f, Point{1.0}, Xp);
  ASSERT_GT(F.block_rows(), 0u);
  const NanCheck on(true);
  EXPECT_OUTCOME(F.value_and_grad(Point{-1.0}), "error:", "nan check: tensor op");
}

// ---- 3. only slope::Error leaves a derivative call ----

Var through_injected(const Tensor& p, const Tensor& X) {
  return slope::sum(slope::detail::injected(X * p[0]));
}

TEST(ReplayErrors, ForeignExceptionsOfAReplayBecomeSlopeErrors) {
  const Array X3{1.0, 2.0, 3.0};
  Placeholder X("X", X3);
  Function F = slope::record(through_injected, Point{1.0}, X);
  AutoFunction A(through_injected, Point{1.0}, X);
  const Point x{2.0}, v{1.0};
  EXPECT_DOUBLE_EQ(F.value_and_grad(x).grad(0), 6.0);
  EXPECT_DOUBLE_EQ(F.hvp(x, v)(0), 0.0);
  {
    const Raise raise(slope::detail::forward_throws);
    EXPECT_OUTCOME(F.value(x), "error:", "slope::Function::value: tensor op #");
    EXPECT_OUTCOME(F.value(x), "error:", "injected forward failure");
    EXPECT_OUTCOME(F.value_and_grad(x), "error:", "slope::Function::value_and_grad");
    EXPECT_OUTCOME(F.hvp(x, v), "error:", "slope::Function::hvp");
    EXPECT_OUTCOME(F.hessian(x), "error:", "slope::Function::hessian");
    EXPECT_OUTCOME(A.value(x), "error:", "injected forward failure");
    EXPECT_OUTCOME(A.value_and_grad(x), "error:", "injected forward failure");
    EXPECT_OUTCOME(A.hvp(x, v), "error:", "injected forward failure");
    EXPECT_OUTCOME(A.hessian(x), "error:", "injected forward failure");
    const slope::Rows rows[] = {{"X", X3}};
    EXPECT_OUTCOME(slope::parallel_value_and_grad(F, x, rows, 2),
                   "error:", "injected forward failure");
  }
  {
    const Raise raise(slope::detail::backward_throws);
    EXPECT_OUTCOME(F.value_and_grad(x), "error:", "injected reverse failure");
    EXPECT_OUTCOME(F.hvp(x, v), "error:", "injected reverse failure");
    EXPECT_OUTCOME(F.hessian(x), "error:", "injected reverse failure");
    EXPECT_OUTCOME(A.value_and_grad(x), "error:", "injected reverse failure");
    const slope::Rows rows[] = {{"X", X3}};
    EXPECT_OUTCOME(slope::parallel_value_and_grad(F, x, rows, 2),
                   "error:", "injected reverse failure");
    // The free functions' reverse sweeps too.
    auto g = [](const Tensor& p) { return slope::sum(slope::detail::injected(p)); };
    EXPECT_OUTCOME(slope::value_and_grad(g, x), "error:", "injected reverse failure");
  }
  // Nothing is left broken.
  EXPECT_DOUBLE_EQ(F.value_and_grad(x).value, 12.0);
  EXPECT_DOUBLE_EQ(A.value(x), 12.0);
}

// ---- 4. a guard whose node was folded away ----

TEST(ReplayErrors, AGuardOnAFoldedNodeIsNeverASpuriousStaleRecording) {
  // t = 2·p0 is a scaled temporary; a replay recording may fold it into t + p1 (a linear node
  // at t's slot). The guard must still compare t, or say it cannot.
  auto f = [](const Tensor& p) {
    Var t = p[0] * 2.0;
    if (t > 1.0) return std::move(t) + p[1];
    return -p[1];
  };
  Function F = slope::record(f, Point{1, -5});
  const std::string got = outcome([&] {
    EXPECT_DOUBLE_EQ(F.value(Point{1, -5}), -3.0);
    EXPECT_DOUBLE_EQ(F.value(Point{2, -9}), -5.0);
  });
  EXPECT_TRUE(got == "none" ||
              (starts_with(got, "error:") && got.find("folded") != std::string::npos))
      << got;
}

}  // namespace
