// SPDX-License-Identifier: MIT
// A CheckReport prints every number intact: huge, tiny, NaN and infinite values are neither
// cut to a column's width nor rounded to a few digits.

#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string text(const slope::CheckReport& r) {
  std::ostringstream out;
  out << r;
  return out.str();
}

void expect_has(const std::string& t, const std::string& s) {
  EXPECT_NE(t.find(s), std::string::npos) << "no \"" << s << "\" in\n" << t;
}

TEST(CheckReportText, PrintsExtremeValuesWhole) {
  slope::CheckReport r;
  r.what = "gradient";
  r.ok = false;
  r.max_abs_error = 1e306;
  r.max_rel_error = kNaN;
  r.rows.push_back({0, 1e306, -1e-300, 2.5e-300, 1e306, 1.0, false});
  r.rows.push_back({1, kInf, -kInf, kNaN, kNaN, kNaN, false});
  r.rows.push_back({2, -0.30000000000000004, 0.1, 123456789.125, 0.4, 3.2e-9, true});
  const std::string t = text(r);
  expect_has(t, "max abs error 1e+306, max rel error nan");
  expect_has(t, " 1e+306 ");
  expect_has(t, " -1e-300 ");
  expect_has(t, " 2.5e-300 ");
  expect_has(t, " inf ");
  expect_has(t, " -inf ");
  expect_has(t, " nan ");
  expect_has(t, " -0.30000000000000004 ");
  expect_has(t, " 123456789.125 ");
  expect_has(t, " 3.2e-09 ");
  expect_has(t, "coordinate 1: NaN or infinite values (AD inf, analytic -inf, finite diff nan)");
}

TEST(CheckReportText, PrintsWhatACheckFoundWhole) {
  // AD of exp at 1000 is +inf (and -inf for -exp); its finite differences are NaN.
  auto up = [](const Tensor& p) { return exp(p[0]); };
  auto down = [](const Tensor& p) { return -exp(p[0]); };
  const std::vector<double> x{1000.0};
  const std::string t = text(slope::check_gradient(up, x)) + text(slope::check_gradient(down, x));
  expect_has(t, " inf ");
  expect_has(t, " -inf ");
  expect_has(t, " nan ");
  // A tiny and a huge slope, exactly representable, come back digit for digit.
  auto tiny = [](const Tensor& p) { return -1e-300 * p[0]; };
  auto huge = [](const Tensor& p) { return 1e306 * p[0]; };
  const std::string u = text(slope::check_gradient(tiny, std::vector<double>{0.5})) +
                        text(slope::check_gradient(huge, std::vector<double>{0.5}));
  expect_has(u, " -1e-300 ");
  expect_has(u, " 1e+306 ");
}

}  // namespace
