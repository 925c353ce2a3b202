// SPDX-License-Identifier: MIT
#include <slope/optim/gradient_descent.hpp>

#include "tracker.hpp"
#include "vec.hpp"

namespace slope::optim {

GradientDescent::GradientDescent(Options options) : o_(std::move(options)) {
  o_.learning_rate.validate("GradientDescent");
  detail::validate(o_.stop, "GradientDescent");
}

Result GradientDescent::minimize(Objective& f, Span x0, const Callbacks& callbacks) {
  detail::Tracker t("GradientDescent", f, x0, o_.stop, callbacks);
  std::vector<double> x(x0.begin(), x0.end()), g(x.size());
  double step = 0.0;
  for (std::size_t k = 0;; ++k) {
    const double fx = t.value_and_grad(x, g);
    if (t.observe(k, x, fx, g, step)) break;
    step = o_.learning_rate.at(k);
    vec::axpy(-step, g, x);
  }
  return t.finish();
}

}  // namespace slope::optim
