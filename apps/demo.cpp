// SPDX-License-Identifier: MIT
// `slope demo`: the worked example's mean-squared-error loss of a line through seven cars (README,
// "The worked example"), at w = b = 0, with its gradient and Hessian from the tape, the same loss
// written with tensors, and a check against the hand-derived formulas of that example.

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>
#include <string_view>
#include <vector>

#include <xtensor/xadapt.hpp>

#include <slope/autodiff.hpp>

#include <fmt/format.h>

#include "command_line.hpp"
#include "exit_codes.hpp"

namespace {

// The seven cars: car weight in 1000s of pounds → miles per gallon.
constexpr std::array<double, 7> kPounds = {3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37};
constexpr std::array<double, 7> kMpg = {18, 15, 18, 16, 15, 14, 24};
constexpr double kM = static_cast<double>(kPounds.size());

// MSE = (1/M) Σ (w·x + b − y)², parameters p = (w, b).
slope::Var mse(const slope::Tensor& p) {
  slope::Var s = 0.0;
  for (std::size_t i = 0; i < kPounds.size(); ++i) s += square(p[0] * kPounds[i] + p[1] - kMpg[i]);
  return s / kM;
}

// The same loss over whole columns: mean((w·x + b − y)²).
const xt::xarray<double> kPoundsColumn = xt::adapt(kPounds);
const xt::xarray<double> kMpgColumn = xt::adapt(kMpg);
slope::Var tensor_mse(const slope::Tensor& p) {
  return slope::mean(slope::square(p[0] * kPoundsColumn + p[1] - kMpgColumn));
}

// The worked example's hand-derived gradient: ∂/∂w = (1/M) Σ 2x(wx + b − y), ∂/∂b = (1/M) Σ 2(wx + b − y).
xt::xarray<double> seed_gradient(const xt::xarray<double>& p) {
  double gw = 0, gb = 0;
  for (std::size_t i = 0; i < kPounds.size(); ++i) {
    const double r = p(0) * kPounds[i] + p(1) - kMpg[i];
    gw += 2 * kPounds[i] * r / kM;
    gb += 2 * r / kM;
  }
  return {gw, gb};
}

}  // namespace

int run_demo(int argc, char** argv) {
  boost::program_options::options_description desc("slope demo options (it takes no others)");
  desc.add_options()("help,h", "this help");
  boost::program_options::variables_map vm;
  if (!parse_command_line(argc, argv, desc, "demo", vm)) return kExitOk;
  const std::vector<double> at{0.0, 0.0};
  const auto [loss, g] = slope::value_and_grad(mse, at);
  const auto h = slope::hessian(mse, at);

  fmt::print("Seven cars, weight (1000 lb) -> mpg; model mpg = w * weight + b; loss = MSE\n");
  fmt::print("at w = 0, b = 0 (computed by the tape):\n");
  fmt::print("  loss      {:.6f}\n", loss);
  fmt::print("  gradient  (dL/dw, dL/db) = ({:.6f}, {:.6f})\n", g(0), g(1));
  fmt::print("  Hessian   [[{:.6f}, {:.6f}],\n             [{:.6f}, {:.6f}]]\n", h(0, 0), h(0, 1),
             h(1, 0), h(1, 1));
  fmt::print("  one gradient-descent step, learning rate 0.01: w = {:.5f}, b = {:.5f}\n\n",
             -0.01 * g(0), -0.01 * g(1));

  // The tensor form must agree with the scalar loop to rounding.
  const auto [tloss, tg] = slope::value_and_grad(tensor_mse, at);
  const auto th = slope::hessian(tensor_mse, at);
  double diff = std::fabs(tloss - loss);
  for (std::size_t i = 0; i < 2; ++i) {
    diff = std::max(diff, std::fabs(tg(i) - g(i)));
    for (std::size_t j = 0; j < 2; ++j) diff = std::max(diff, std::fabs(th(i, j) - h(i, j)));
  }
  const bool same = diff <= 1e-12 * std::max(1.0, std::fabs(loss));
  fmt::print("The same loss with tensors, mean(square(w * weight + b - mpg)):\n");
  fmt::print(
      "  loss {:.6f}, gradient ({:.6f}, {:.6f}); largest difference from the scalar form "
      "{:.1e}{}\n\n",
      tloss, tg(0), tg(1), diff, same ? "" : "  <- MISMATCH");

  fmt::print("Gradient check against the hand-derived formulas and finite differences:\n");
  const auto report = slope::check_gradient(mse, at, seed_gradient);
  std::cout << report;
  return report.ok && same ? kExitOk : kExitCheckFailed;
}
