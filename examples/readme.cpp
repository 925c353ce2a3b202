// SPDX-License-Identifier: MIT
// The README's "A custom loss in 15 lines", exactly as the README shows it (everything below this
// comment). It checks nothing itself: its test (examples/CMakeLists.txt) passes only when it
// prints the line the README says it prints.
// clang-format off
#include <cstdio>
#include <slope/models.hpp>
#include <slope/optim.hpp>
using namespace slope;

int main() {
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
}
