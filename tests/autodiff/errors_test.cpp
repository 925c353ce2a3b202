// SPDX-License-Identifier: MIT
// Misuse gives slope::Error with a message naming the call and the values involved.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

// Runs `body`, expects slope::Error, and checks every fragment appears in its message.
template <class Body>
void expect_error(Body body, std::initializer_list<std::string> fragments) {
  try {
    body();
    ADD_FAILURE() << "expected slope::Error";
  } catch (const slope::Error& e) {
    const std::string msg = e.what();
    for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << msg;
  }
}

TEST(Errors, ErrorIsARuntimeError) {
  static_assert(std::is_base_of_v<std::runtime_error, slope::Error>);
}

TEST(Errors, AVarUsedAfterItsTapeWasCleared) {
  Var leaked;
  slope::grad([&](const Tensor& p) { return leaked = p[0] * 2.0; }, std::vector<double>{1.5});
  expect_error([&] { (void)(leaked + 1.0); }, {"add", "cleared", "value 3"});
  expect_error([&] { (void)exp(leaked); }, {"exp", "cleared"});
  // Inside another recording the stale handle does not match the active tape either.
  expect_error(
      [&] {
        slope::grad([&](const Tensor& p) { return p[0] * leaked; }, std::vector<double>{1.0});
      },
      {"mul", "recording #"});
  EXPECT_EQ(slope::value(leaked), 3.0);  // its value is still readable
}

TEST(Errors, MixingHandlesOfTwoTapes) {
  auto outer = [](const Tensor& p) {
    const Var a = p[0];
    slope::grad([&](const Tensor& q) { return q[0] + a; }, std::vector<double>{1.0});
    return a;
  };
  expect_error([&] { slope::grad(outer, std::vector<double>{2.0}); },
               {"add", "mixes handles of two tapes"});
}

TEST(Errors, GradientOfANonScalar) {
  expect_error(
      [] {
        slope::grad([](const Tensor& p) { return p; }, std::vector<double>{1, 2, 3});
      },
      {"grad", "scalar", "(3,)"});
  expect_error(
      [] {
        slope::value_and_grad([](const Tensor& p) { return p; }, std::vector<double>{1, 2});
      },
      {"value_and_grad", "(2,)"});
}

TEST(Errors, HvpWithVOfTheWrongLength) {
  auto f = [](const Tensor& p) { return p[0] * p[1] * p[2]; };
  expect_error(
      [&] {
        slope::hvp(f, std::vector<double>{1, 2, 3}, std::vector<double>{1, 2});
      },
      {"hvp", "v has length 2", "x has length 3"});
  expect_error(
      [&] {
        slope::check_hvp(f, std::vector<double>{1, 2, 3}, std::vector<double>{1});
      },
      {"length 1", "length 3"});
}

TEST(Errors, EmptyOrNon1DX) {
  auto f = [](const Tensor& p) { return Var(static_cast<double>(p.size())); };
  for (auto call :
       {+[](decltype(f) g) { slope::grad(g, std::vector<double>{}); },
        +[](decltype(f) g) { slope::value_and_grad(g, xt::xarray<double>::from_shape({0})); },
        +[](decltype(f) g) { slope::hessian(g, std::vector<double>{}); }})
    expect_error([&] { call(f); }, {"x is empty", "size 0"});
  expect_error(
      [&] {
        slope::grad(f, xt::xarray<double>{{1.0, 2.0}});
      },
      {"grad", "1-D", "2 dimensions"});
}

TEST(Errors, IndexOutOfRange) {
  expect_error(
      [] {
        slope::grad([](const Tensor& p) { return p[3]; }, std::vector<double>{1, 2});
      },
      {"index 3", "size 2"});
}

TEST(Errors, EmptyLogSumExp) {
  expect_error([] { (void)slope::log_sum_exp(std::vector<Var>{}); }, {"log_sum_exp", "0"});
}

TEST(Errors, NanCheckNamesTheOpAndItsOperands) {
  auto f = [](const Tensor& p) { return log(p[0] - 2.0) + sqrt(p[1]); };
  const std::vector<double> x{1.0, 4.0};
  EXPECT_FALSE(slope::nan_check());
  EXPECT_TRUE(std::isnan(slope::value_and_grad(f, x).value));  // off by default: NaN flows
  slope::set_nan_check(true);
  expect_error([&] { slope::value_and_grad(f, x); }, {"nan check", "log(-1)", "nan"});
  expect_error(
      [&] { slope::grad([](const Tensor& p) { return 1.0 / p[0]; }, std::vector<double>{0.0}); },
      {"div(0, 1)", "inf"});
  slope::set_nan_check(false);
}

TEST(Errors, CheckToleranceMustBeNonNegative) {
  auto f = [](const Tensor& p) { return p[0]; };
  expect_error(
      [&] {
        slope::check_gradient(f, std::vector<double>{1}, slope::CheckOptions{-1, 0});
      },
      {"rtol -1"});
}

}  // namespace
