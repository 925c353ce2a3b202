// SPDX-License-Identifier: MIT
#include <slope/models/check.hpp>

#include <string>

#include <xtensor/xarray.hpp>

namespace slope {

namespace {
void check_dimension(const optim::Objective& f, std::span<const double> x, const char* call) {
  if (x.size() != f.dimension())
    throw Error(std::string("slope::").append(call).append(": x has length ") +
                std::to_string(x.size()) + ", the objective's dimension is " +
                std::to_string(f.dimension()));
}
}  // namespace

CheckReport detail::check_objective_gradient(optim::Objective& f, std::span<const double> x,
                                             const xt::xarray<double>* analytic,
                                             const CheckOptions& opt) {
  check_dimension(f, x, "check_gradient");
  xt::xarray<double> ad = xt::xarray<double>::from_shape({x.size()});
  f.value_and_grad(x, std::span<double>(ad.data(), ad.size()), {});
  return detail::compare_gradient([&f](std::span<const double> at) { return f.value(at, {}); }, x,
                                  ad, analytic, opt);
}

CheckReport check_gradient(optim::Objective& f, std::span<const double> x,
                           const CheckOptions& opt) {
  return detail::check_objective_gradient(f, x, nullptr, opt);
}

CheckReport check_hvp(optim::Objective& f, std::span<const double> x, std::span<const double> v,
                      const CheckOptions& opt) {
  check_dimension(f, x, "check_hvp");
  if (!f.has_hvp()) throw Error("slope::check_hvp: the objective has no hvp");
  if (v.size() != x.size())
    throw Error("slope::check_hvp: v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  xt::xarray<double> ad = xt::xarray<double>::from_shape({x.size()});
  f.hvp(x, v, std::span<double>(ad.data(), ad.size()), {});
  auto grad_at = [&f](std::span<const double> at) {
    xt::xarray<double> g = xt::xarray<double>::from_shape({at.size()});
    f.value_and_grad(at, std::span<double>(g.data(), g.size()), {});
    return g;
  };
  return detail::compare_hvp(grad_at, x, v, ad, opt);
}

}  // namespace slope
