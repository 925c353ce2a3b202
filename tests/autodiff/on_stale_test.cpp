// SPDX-License-Identifier: MIT
// What a Function does when its recording is stale (Function::on_stale): OnStale::raise throws
// StaleRecording, OnStale::record_again records f again at the point and with the data of the
// call and answers it, counting recordings(). AutoFunction is a Function with record_again set.

#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/autodiff.hpp>

namespace {

using slope::Function;
using slope::OnStale;
using slope::Placeholder;
using slope::Tensor;
using slope::Var;
using Array = xt::xarray<double>;
using Point = std::vector<double>;

// x² for x > 0, −3x otherwise: a guard on p[0] > 0.
Var kinked(const Tensor& p) {
  if (p[0] > 0.0) return p[0] * p[0];
  return -3.0 * p[0];
}

TEST(OnStale, RaiseThrowsAcrossTheBranchAndRecordAgainAnswersOnBothSides) {
  Function F = slope::record(kinked, Point{2.0});
  EXPECT_EQ(F.on_stale(), OnStale::raise);
  EXPECT_EQ(F.recordings(), 1u);
  EXPECT_EQ(F.guard_count(), 1u);
  // The recorded side replays.
  const auto at3 = F.value_and_grad(Point{3.0});
  EXPECT_EQ(at3.value, 9.0);
  EXPECT_EQ(at3.grad(0), 6.0);
  // The other side: every call refuses, nothing is recorded.
  EXPECT_THROW(F.value(Point{-1.0}), slope::StaleRecording);
  EXPECT_THROW(F.value_and_grad(Point{-1.0}), slope::StaleRecording);
  EXPECT_THROW(F.hvp(Point{-1.0}, Point{1.0}), slope::StaleRecording);
  EXPECT_THROW(F.hessian(Point{-1.0}), slope::StaleRecording);
  EXPECT_EQ(F.recordings(), 1u);

  F.on_stale(OnStale::record_again);
  EXPECT_EQ(F.on_stale(), OnStale::record_again);
  const auto at_minus1 = F.value_and_grad(Point{-1.0});
  EXPECT_EQ(at_minus1.value, 3.0);
  EXPECT_EQ(at_minus1.grad(0), -3.0);
  EXPECT_EQ(F.recordings(), 2u);
  // Now recorded on the x <= 0 side: replays there, no new recording.
  EXPECT_EQ(F.value(Point{-2.0}), 6.0);
  EXPECT_EQ(F.grad(Point{-0.5})(0), -3.0);
  EXPECT_EQ(F.hvp(Point{-2.0}, Point{1.0})(0), 0.0);
  EXPECT_EQ(F.hessian(Point{-2.0})(0, 0), 0.0);
  EXPECT_EQ(F.recordings(), 2u);
  // Back across: recorded again, at the point of the call.
  EXPECT_EQ(F.hessian(Point{1.5})(0, 0), 2.0);
  EXPECT_EQ(F.recordings(), 3u);
  std::vector<double> g(1);
  EXPECT_EQ(F.value_and_grad(Point{0.5}, g), 0.25);
  EXPECT_EQ(g[0], 1.0);
  std::vector<double> hv(1);
  EXPECT_EQ(F.hvp(Point{-4.0}, Point{2.0}, hv), 12.0);
  EXPECT_EQ(hv[0], 0.0);
  EXPECT_EQ(F.recordings(), 4u);

  // And back to raise.
  F.on_stale(OnStale::raise);
  EXPECT_THROW(F.value(Point{3.0}), slope::StaleRecording);
  EXPECT_EQ(F.recordings(), 4u);
}

// s(p, X) = p₀ Σ X_i² + p₁, with a loop over the elements of X: its length is read while
// recording, which pins X to it.
auto sum_of_squares = [](const Tensor& p, const Tensor& X) {
  Var s = 0.0;
  for (std::size_t i = 0; i < X.size(); ++i) s += p[0] * X[i] * X[i];
  return s + p[1];
};

TEST(OnStale, RecordAgainRebindsAPinnedPlaceholderToAnotherExtent) {
  const Array three = {1.0, 2.0, 3.0};           // Σ X² = 14
  const Array five = {1.0, 1.0, 2.0, 2.0, 0.5};  // Σ X² = 10.25
  const Point x{2.0, 0.5};
  Function F = slope::record(sum_of_squares, x, Placeholder("X", three));
  EXPECT_EQ(F.value(x), 28.5);
  EXPECT_THROW(F.bind("X", five), slope::StaleRecording);
  EXPECT_EQ(F.bound_shape("X"), (std::vector<std::size_t>{3}));

  F.on_stale(OnStale::record_again);
  F.bind("X", five);  // kept for the next call, which records again
  EXPECT_EQ(F.bound_shape("X"), (std::vector<std::size_t>{5}));
  EXPECT_EQ(F.recordings(), 1u);
  const auto vg = F.value_and_grad(x);
  EXPECT_EQ(vg.value, 21.0);
  EXPECT_EQ(vg.grad(0), 10.25);
  EXPECT_EQ(vg.grad(1), 1.0);
  EXPECT_EQ(F.recordings(), 2u);
  // The same extent replays; another one records again (rows of a bigger array, owned data).
  const Array other = {3.0, 0.0, 1.0, 1.0, 1.0};  // Σ X² = 12
  F.bind("X", other);
  EXPECT_EQ(F.value(x), 24.5);
  EXPECT_EQ(F.recordings(), 2u);
  F.bind_rows("X", other, 1, 3);  // {0, 1}
  EXPECT_EQ(F.grad(x)(0), 1.0);
  EXPECT_EQ(F.recordings(), 3u);
  F.bind("X", Array{4.0});
  EXPECT_EQ(F.value(Point{1.0, -1.0}), 15.0);
  EXPECT_EQ(F.recordings(), 4u);
  // A waiting bind is still checked: only the leading extent may change, names must exist.
  F.bind("X", five);
  EXPECT_THROW(F.bind("X", Array(xt::zeros<double>({5, 2}))), slope::Error);
  EXPECT_THROW(F.bind("Y", five), slope::Error);
  // And a call at a point of the wrong length records nothing.
  EXPECT_THROW(F.value(Point{1.0}), slope::Error);
  EXPECT_EQ(F.recordings(), 4u);
  EXPECT_EQ(F.value(x), 21.0);
  EXPECT_EQ(F.recordings(), 5u);
}

// parallel_value_and_grad records with a bind that waits first, then replays blocks of rows: a
// stale block (here: fewer rows than the pinned extent) throws whatever on_stale() says.
TEST(OnStale, ParallelValueAndGradRecordsWaitingBindsButRaisesOnAStaleBlock) {
  const Array three = {1.0, 2.0, 3.0};
  const Array five = {1.0, 1.0, 2.0, 2.0, 0.5};  // Σ X² = 10.25
  const Point x{2.0, 0.5};
  Function F = slope::record(sum_of_squares, x, Placeholder("X", three));
  F.on_stale(OnStale::record_again);
  F.bind("X", five);
  EXPECT_THROW(slope::parallel_value_and_grad(F, x, {{"X", five}}, 2), slope::StaleRecording);
  EXPECT_EQ(F.recordings(), 2u);
  EXPECT_EQ(F.bound_shape("X"), (std::vector<std::size_t>{5}));
  EXPECT_EQ(F.value(x), 21.0);
  EXPECT_EQ(F.recordings(), 2u);
}

TEST(OnStale, ClonesKeepTheOptionAndRecordAgainOnTheirOwn) {
  Function F = slope::record(kinked, Point{2.0});
  F.on_stale(OnStale::record_again);
  Function G = F.clone();
  EXPECT_EQ(G.on_stale(), OnStale::record_again);
  EXPECT_EQ(G.value(Point{-1.0}), 3.0);
  EXPECT_EQ(G.recordings(), 2u);
  EXPECT_EQ(F.recordings(), 1u);
  EXPECT_EQ(F.value(Point{2.0}), 4.0);
}

// A callable that cannot be copied: record() cannot keep it, so the Function cannot record again.
struct MoveOnly {
  std::unique_ptr<double> scale = std::make_unique<double>(2.0);
  Var operator()(const Tensor& p) const { return *scale * p[0]; }
};

TEST(OnStale, RecordAgainNeedsACopyableF) {
  Function F = slope::record(MoveOnly{}, Point{1.0});
  EXPECT_EQ(F.value(Point{3.0}), 6.0);
  EXPECT_THROW(F.on_stale(OnStale::record_again), slope::Error);
  EXPECT_EQ(F.on_stale(), OnStale::raise);
}

double value_at(Function& F, const Point& x) { return F.value(x); }

TEST(OnStale, AutoFunctionIsAFunctionThatRecordsAgain) {
  slope::AutoFunction A(kinked, Point{2.0});
  EXPECT_EQ(A.on_stale(), OnStale::record_again);
  EXPECT_EQ(&A.function(), static_cast<Function*>(&A));
  EXPECT_EQ(value_at(A, Point{3.0}), 9.0);
  EXPECT_EQ(value_at(A, Point{-1.0}), 3.0);
  EXPECT_EQ(A.recordings(), 2u);
  // Moved into a Function, it keeps recording again.
  Function F = std::move(A);
  EXPECT_EQ(F.grad(Point{4.0})(0), 8.0);
  EXPECT_EQ(F.recordings(), 3u);
  // With placeholders, a pinned extent records again as well.
  const Array three = {1.0, 2.0, 3.0}, two = {2.0, 2.0};
  slope::AutoFunction S(sum_of_squares, Point{1.0, 0.0}, Placeholder("X", three));
  S.bind("X", two);
  EXPECT_EQ(S.value(Point{1.0, 0.0}), 8.0);
  EXPECT_EQ(S.recordings(), 2u);
}

}  // namespace
