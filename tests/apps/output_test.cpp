// SPDX-License-Identifier: MIT
// Extreme numbers through every printed path of the slope command: the train table, summary and
// history, and the check table. 1e306 must not become 307 digits, −1e-300 not "-0.00000", and
// NaN and ±inf must read as such.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "check_output.hpp"
#include "numbers.hpp"
#include "progress.hpp"
#include "train_output.hpp"

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Numbers, FixedWhereItReadsWellScientificElsewhere) {
  EXPECT_EQ(fixed_or_sci(303.714285714, 5), "303.71429");
  EXPECT_EQ(fixed_or_sci(0.0, 5), "0.00000");
  EXPECT_EQ(fixed_or_sci(1e306, 5), "1.00000e+306");
  EXPECT_EQ(fixed_or_sci(8.28247125833532e306, 6), "8.282471e+306");
  EXPECT_EQ(fixed_or_sci(-1e-300, 6), "-1.000000e-300");
  EXPECT_EQ(fixed_or_sci(kNan, 5), "nan");
  EXPECT_EQ(fixed_or_sci(kInf, 5), "inf");
  EXPECT_EQ(fixed_or_sci(-kInf, 5), "-inf");
  EXPECT_EQ(general(2.5e-8, 3), "2.5e-08");
  EXPECT_EQ(general(-kInf, 3), "-inf");
}

TEST(TrainOutput, SummaryKeepsExtremeNumbers) {
  slope::optim::Result r;
  r.value = 1e306;
  r.gradient_norm = kInf;
  r.iterations = 3;
  r.reason = slope::optim::StopReason::diverged;
  const std::vector<std::string> names{"weight", "horsepower", "bias"};
  const std::vector<double> raw{-1e-300, kNan, -kInf}, standardized{kInf, 1e-310, 5e307};
  std::ostringstream out;
  print_summary(out, r, "iteration", 1e-8, names, raw, &standardized);
  const std::string s = out.str();
  EXPECT_TRUE(has(s, "stopped: diverged after 3 iterations\n")) << s;
  EXPECT_TRUE(has(s, "loss: 1.000000e+306\n")) << s;
  EXPECT_TRUE(has(s, "weight = -1.000000e-300, horsepower = nan, bias = -inf (raw features)\n"))
      << s;
  EXPECT_TRUE(
      has(s, "standardized: weight = inf, horsepower = 1.000000e-310, bias = 5.000000e+307\n"))
      << s;
  EXPECT_TRUE(has(s, "gradient norm: inf\n")) << s;
}

TEST(TrainOutput, TableKeepsExtremeNumbers) {
  Progress bar(10);  // not a terminal here: draws nothing
  std::ostringstream out;
  const std::vector<std::string> names{"weight", "bias"};
  auto row = table(
      out, names, 1, [](slope::optim::Span x) { return std::vector<double>(x.begin(), x.end()); },
      bar);
  const std::vector<double> x{-1e-300, kNan};
  slope::optim::State s;
  s.iteration = 0;
  s.loss = 1e306;
  s.x = x;
  row(s);
  s.iteration = 1;
  s.loss = -kInf;
  const std::vector<double> y{kInf, 7.5};
  s.x = y;
  row(s);
  const std::string t = out.str();
  EXPECT_TRUE(has(t, "        0    1.00000e+306 -1.00000e-300         nan\n")) << t;
  EXPECT_TRUE(has(t, "        1            -inf         inf     7.50000\n")) << t;
  EXPECT_FALSE(bar.shown());
}

TEST(TrainOutput, HistoryRoundTripsExtremeNumbers) {
  slope::optim::Result r;
  r.history.push_back({0, 1e306, kInf, 0, {-1e-300, kNan}});
  const std::string csv = history_csv(
      r, {"a,b", "bias"},
      [](slope::optim::Span x) { return std::vector<double>(x.begin(), x.end()); }, true);
  EXPECT_EQ(csv,
            "iteration,loss,gradient_norm,step,\"a,b\",bias,\"a,b (standardized)\",bias "
            "(standardized)\n0,1e+306,inf,0,-1e-300,nan,-1e-300,nan\n");
}

TEST(CheckOutput, TableKeepsExtremeNumbers) {
  slope::CheckReport r;
  r.ok = false;
  r.what = "gradient";
  r.max_abs_error = kInf;
  r.max_rel_error = kNan;
  r.rows.push_back({.index = 0,
                    .ad = 1e306,
                    .analytic = std::nullopt,
                    .fd = -1e-300,
                    .abs_error = kInf,
                    .rel_error = kNan,
                    .ok = false});
  r.rows.push_back({.index = 1,
                    .ad = kNan,
                    .analytic = std::nullopt,
                    .fd = -kInf,
                    .abs_error = kNan,
                    .rel_error = kNan,
                    .ok = false});
  std::ostringstream out;
  print_check(out, r, {"weight", "bias"}, 10);
  const std::string s = out.str();
  EXPECT_TRUE(has(s, "gradient check FAILED: worst weight, max abs error inf, max rel error nan"))
      << s;
  EXPECT_TRUE(has(
      s, "    weight                1e+306               -1e-300         inf         nan  NO\n"))
      << s;
  EXPECT_TRUE(has(
      s, "      bias                   nan                  -inf         nan         nan  NO\n"))
      << s;
}

}  // namespace
