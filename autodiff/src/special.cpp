// SPDX-License-Identifier: MIT
#include <slope/autodiff/ops/special.hpp>

#include <cmath>
#include <exception>
#include <limits>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

namespace slope::special {

namespace {
// Return ±Inf/NaN at poles and outside the domain instead of throwing: an op's value is data,
// and the NaN check (set_nan_check) is where a bad value becomes an error.
namespace bmp = boost::math::policies;
using Quiet =
    bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                bmp::overflow_error<bmp::ignore_error>, bmp::evaluation_error<bmp::ignore_error>,
                bmp::rounding_error<bmp::ignore_error>,
                bmp::indeterminate_result_error<bmp::ignore_error>, bmp::promote_double<false>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Some Boost paths raise through the default policy whatever policy they were given (polygamma
// truncates its argument to an integer: NaN, ±Inf and -1e300 throw rounding_error). No exception
// but slope::Error may leave the library, so a Boost error of any kind becomes NaN.
template <class F>
double quiet(F f) noexcept {
  try {
    return f();
  } catch (const std::exception&) {
    return kNaN;
  }
}
}  // namespace

double erf(double x) {
  return quiet([x] { return boost::math::erf(x, Quiet()); });
}
double erfc(double x) {
  return quiet([x] { return boost::math::erfc(x, Quiet()); });
}
double lgamma(double x) {
  return quiet([x] { return boost::math::lgamma(x, Quiet()); });
}
double tgamma(double x) {
  return quiet([x] { return boost::math::tgamma(x, Quiet()); });
}
double digamma(double x) {
  return quiet([x] { return boost::math::digamma(x, Quiet()); });
}
double trigamma(double x) {
  return quiet([x] { return boost::math::trigamma(x, Quiet()); });
}
// ψₙ(+∞) = 0; NaN, −∞ and the poles 0, −1, −2, ... give NaN (as trigamma does), without calling
// Boost, which would throw there.
double polygamma(int n, double x) {
  if (std::isnan(x)) return x;
  if (std::isinf(x)) return x > 0 ? 0.0 : kNaN;
  if (x <= 0 && x == std::floor(x)) return kNaN;
  return quiet([n, x] { return boost::math::polygamma(n, x, Quiet()); });
}

}  // namespace slope::special
