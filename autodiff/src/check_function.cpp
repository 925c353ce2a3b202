// SPDX-License-Identifier: MIT
// The derivative checks of a recorded Function: its replays against differences of its replays,
// at the data bound to its placeholders.

#include "check_rules.hpp"

#include <string>

#include <slope/autodiff/function.hpp>

namespace slope::detail {

namespace {
void check_dimension(const Function& f, std::span<const double> x, const char* call) {
  if (x.size() != f.dimension())
    throw Error(std::string("slope::") + call + ": x has length " + std::to_string(x.size()) +
                ", the Function's dimension is " + std::to_string(f.dimension()));
}
}  // namespace

CheckReport check_function_gradient(Function& f, std::span<const double> x,
                                    const xt::xarray<double>* analytic, const CheckOptions& opt) {
  check_dimension(f, x, "check_gradient");
  const xt::xarray<double> ad = f.value_and_grad(x).grad;
  return compare_gradient([&f](std::span<const double> at) { return f.value(at); }, x, ad, analytic,
                          opt);
}

CheckReport check_function_hvp(Function& f, std::span<const double> x, std::span<const double> v,
                               const CheckOptions& opt) {
  check_dimension(f, x, "check_hvp");
  if (v.size() != x.size())
    throw Error("slope::check_hvp: v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  const xt::xarray<double> ad = f.hvp(x, v);
  return compare_hvp([&f](std::span<const double> at) { return f.grad(at); }, x, v, ad, opt);
}

}  // namespace slope::detail
