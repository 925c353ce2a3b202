// SPDX-License-Identifier: MIT
// The gnuplot scripts of apps/plot.cpp: when the loss axis is logarithmic, that data is written
// whole, and that the surface frames the path and the optimum.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "plot.hpp"

namespace {

using slope::optim::FunctionObjective;
using slope::optim::MutSpan;
using slope::optim::Result;
using slope::optim::Span;

Result run_with_losses(const std::vector<double>& losses) {
  Result r;
  for (std::size_t i = 0; i < losses.size(); ++i) r.history.push_back({i, losses[i], 0, 0, {}});
  return r;
}

Result run_along(const std::vector<std::array<double, 2>>& path) {
  Result r;
  for (std::size_t i = 0; i < path.size(); ++i)
    r.history.push_back({i, 1.0, 0, 0, {path[i][0], path[i][1]}});
  return r;
}

bool log_axis(const std::vector<double>& losses) {
  return loss_script(run_with_losses(losses), "t", "iteration").find("set logscale y") !=
         std::string::npos;
}

// The rows of the data block `name` ("$loss"), each as its numbers.
std::vector<std::vector<double>> block(const std::string& script, const std::string& name) {
  const auto begin = script.find(name + " << EOD\n");
  EXPECT_NE(begin, std::string::npos) << name << " missing from\n" << script;
  std::vector<std::vector<double>> rows;
  if (begin == std::string::npos) return rows;
  std::istringstream in(script.substr(begin + name.size() + 8));
  for (std::string line; std::getline(in, line) && line != "EOD";) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::istringstream fields(line);
    for (std::string f; fields >> f;) row.push_back(std::strtod(f.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}

// "set xrange [a:b]" → {a, b}.
std::array<double, 2> range(const std::string& script, const std::string& axis) {
  const std::string key = "set " + axis + "range [";
  const auto at = script.find(key);
  EXPECT_NE(at, std::string::npos) << key << " missing";
  if (at == std::string::npos) return {NAN, NAN};
  char* end = nullptr;
  const double lo = std::strtod(script.c_str() + at + key.size(), &end);
  EXPECT_EQ(*end, ':');
  return {lo, std::strtod(end + 1, nullptr)};
}

// f = (w − 3)² + 10(b + 2)²: minimum 0 at (3, −2).
double bowl(Span x, MutSpan g) {
  g[0] = 2 * (x[0] - 3);
  g[1] = 20 * (x[1] + 2);
  return (x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 2) * (x[1] + 2);
}
void bowl_hvp(Span, Span v, MutSpan hv) {
  hv[0] = 2 * v[0];
  hv[1] = 20 * v[1];
}

TEST(LossScript, LogAxisOnlyWhenTheLossFallsByMoreThanTwoDecades) {
  EXPECT_TRUE(log_axis({300, 30, 2.9}));           // 103×
  EXPECT_FALSE(log_axis({300, 30, 3.1}));          // 97×
  EXPECT_TRUE(log_axis({2.9, 30, 300}));           // a rising loss spans the decades as well
  EXPECT_FALSE(log_axis({300, 1, 0}));             // zero: no log axis can show it
  EXPECT_FALSE(log_axis({300, 1e-3, -1}));         // nor a negative loss
  EXPECT_TRUE(log_axis({NAN, 300, INFINITY, 1}));  // non-finite losses are not drawn
  EXPECT_FALSE(log_axis({5}));
  const std::string s = loss_script(run_with_losses({300, 1}), "t", "epoch");
  EXPECT_NE(s.find("set ylabel 'loss (log scale)'"), std::string::npos) << s;
  EXPECT_NE(s.find("set xlabel 'epoch'"), std::string::npos) << s;
}

TEST(LossScript, NumbersReadBackExactly) {
  const std::vector<double> losses{8e306, 1e-310, 0.1 + 0.2, 123456789.123456789};
  const std::string s = loss_script(run_with_losses(losses), "t", "iteration");
  EXPECT_NE(s.find("\n0 8e+306\n"), std::string::npos) << s;
  const auto rows = block(s, "$loss");
  ASSERT_EQ(rows.size(), losses.size());
  for (std::size_t i = 0; i < losses.size(); ++i) {
    EXPECT_EQ(rows[i][0], static_cast<double>(i));
    EXPECT_EQ(rows[i][1], losses[i]) << "row " << i;
  }
}

TEST(LossScript, NothingFiniteToDrawIsAnError) {
  EXPECT_THROW(loss_script(run_with_losses({NAN, INFINITY}), "t", "iteration"), slope::Error);
  EXPECT_THROW(loss_script(Result{}, "t", "iteration"), slope::Error);
}

TEST(FindOptimum, NewtonWithHessianAndLbfgsWithout) {
  const std::vector<double> from{-40, 17};
  FunctionObjective with_hvp(2, bowl, bowl_hvp);
  const auto a = find_optimum(with_hvp, from);
  ASSERT_TRUE(a.has_value());
  EXPECT_NEAR((*a)[0], 3, 1e-9);
  EXPECT_NEAR((*a)[1], -2, 1e-9);
  FunctionObjective gradient_only(2, bowl);
  const auto b = find_optimum(gradient_only, from);
  ASSERT_TRUE(b.has_value());
  EXPECT_NEAR((*b)[0], 3, 1e-6);
  EXPECT_NEAR((*b)[1], -2, 1e-6);
}

TEST(FindOptimum, NothingWhenThereIsNoMinimum) {
  // f = w + b falls without end.
  FunctionObjective plane(
      2,
      [](Span x, MutSpan g) {
        g[0] = g[1] = 1;
        return x[0] + x[1];
      },
      [](Span, Span, MutSpan hv) { hv[0] = hv[1] = 0; });
  const std::vector<double> from{0, 0};
  EXPECT_FALSE(find_optimum(plane, from).has_value());
}

TEST(SurfaceScript, FramesThePathAndTheOptimumAndMarksIt) {
  // A short path that stops well before the minimum at (3, −2).
  const std::vector<std::array<double, 2>> path{{0, 0}, {0.5, 0.4}, {1, 0.5}};
  FunctionObjective f(2, bowl, bowl_hvp);
  const std::string s = surface_script(f, run_along(path), {"w", "b"}, "t");
  const auto x = range(s, "x"), y = range(s, "y");
  const auto optimum = block(s, "$optimum");
  ASSERT_EQ(optimum.size(), 1u);
  EXPECT_NEAR(optimum[0][0], 3, 1e-9);
  EXPECT_NEAR(optimum[0][1], -2, 1e-9);
  EXPECT_LT(x[0], 0);
  EXPECT_GT(x[1], 3);
  EXPECT_LT(y[0], -2);
  EXPECT_GT(y[1], 0.5);
  const auto drawn = block(s, "$path");
  ASSERT_EQ(drawn.size(), path.size());
  for (const auto& p : drawn) {
    EXPECT_TRUE(x[0] < p[0] && p[0] < x[1]) << p[0];
    EXPECT_TRUE(y[0] < p[1] && p[1] < y[1]) << p[1];
  }
  EXPECT_NE(s.find("$optimum using 1:2 with points pt 6"), std::string::npos) << s;
  EXPECT_NE(s.find("title 'optimum'"), std::string::npos) << s;
}

TEST(SurfaceScript, WithoutAnOptimumThePathAloneIsFramed) {
  FunctionObjective plane(2, [](Span x, MutSpan g) {
    g[0] = g[1] = 1;
    return x[0] + x[1];
  });
  const std::string s = surface_script(plane, run_along({{0, 0}, {1, 2}}), {"w", "b"}, "t");
  EXPECT_EQ(s.find("optimum"), std::string::npos) << s;
  const auto x = range(s, "x"), y = range(s, "y");
  EXPECT_NEAR(x[0], -0.2, 1e-12);  // the path's box, widened by a fifth of its span
  EXPECT_NEAR(x[1], 1.2, 1e-12);
  EXPECT_NEAR(y[0], -0.4, 1e-12);
  EXPECT_NEAR(y[1], 2.4, 1e-12);
}

// gnuplot itself reads the extreme numbers (scripts/deps installs gnuplot-nox).
TEST(PlotLoss, GnuplotDrawsAHugeLoss) {
  const std::string gp = find_gnuplot();
  ASSERT_FALSE(gp.empty()) << "no gnuplot on PATH or in SLOPE_GNUPLOT (scripts/deps installs it)";
  const auto png = std::filesystem::temp_directory_path() / "slope-plot-script-test-loss.png";
  plot_loss(gp, run_with_losses({8e306, 1e300, 2.5}), "huge", "iteration", png.string());
  std::error_code ec;
  EXPECT_GT(std::filesystem::file_size(png, ec), 10000u);
  std::filesystem::remove(png, ec);
}

}  // namespace
