// SPDX-License-Identifier: MIT
// Built against the installed package by run_install_test.cmake: proves the exported target
// carries its include paths, its dependencies and a linkable library.
#include <cstdio>
#include <vector>

#include <slope/autodiff.hpp>

int main() {
  auto [fx, g] =
      slope::value_and_grad([](const slope::Tensor& p) { return p[0] * p[0] + 3.0 * p[1]; },
                            std::vector<double>{2.0, 5.0});
  std::printf("f = %g, grad = (%g, %g)\n", fx, g(0), g(1));
  // Exact comparisons are intended: every value here is a small integer, exact in double.
  return fx == 19.0 && g(0) == 4.0 && g(1) == 3.0 ? 0 : 1;
}
