// SPDX-License-Identifier: MIT
// The README's tour, line for line: a custom loss checked and minimised on Auto MPG.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <slope/models.hpp>
#include <slope/optim.hpp>
#include <sstream>

namespace {

using namespace slope;

TEST(Tour, CustomCauchyLossOnAutoMpg) {
  // --- README: begin
  // Cauchy loss: squared error near zero, only logarithmic for outliers.
  models::Loss cauchy("cauchy", [](const Tensor& out, const Tensor& y) {
    return mean(log1p(square(out - y)));
  });

  auto data = models::auto_mpg({"weight", "horsepower"});
  data.X = models::Standardizer::fit(data.X).apply(data.X);
  auto f = models::objective(models::LinearRegression(2), cauchy, data);

  auto report = check_gradient(f, std::vector<double>{-1.0, -1.0, 20.0});
  auto r = optim::NewtonCG().minimize(f, std::vector<double>(3, 0.0));
  std::printf("%s after %zu iterations: loss %.6f, w = (%.4f, %.4f), b = %.4f\n",
              optim::to_string(r.reason).c_str(), r.iterations, r.value, r.x[0], r.x[1], r.x[2]);
  // --- README: end
  std::ostringstream table;
  table << report;
  EXPECT_TRUE(report.ok) << table.str();
  EXPECT_EQ(r.reason, optim::StopReason::gradient_tolerance);
  EXPECT_LT(r.gradient_norm, 1e-8);
  // The robust fit's loss is below the least-squares line's Cauchy loss.
  const double b = xt::mean(data.y)();
  std::vector<double> at_mean{0.0, 0.0, b};
  EXPECT_LT(r.value, f.value(at_mean, {}));
  // Heavier cars and more horsepower both mean fewer miles per gallon.
  EXPECT_LT(r.x[0], 0.0);
  EXPECT_LT(r.x[1], 0.0);
}

}  // namespace
