// SPDX-License-Identifier: MIT
#include <autodiff/ops/special.hpp>

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
using Quiet = bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                          bmp::overflow_error<bmp::ignore_error>,
                          bmp::evaluation_error<bmp::ignore_error>, bmp::promote_double<false>>;
}  // namespace

double erf(double x) { return boost::math::erf(x, Quiet()); }
double erfc(double x) { return boost::math::erfc(x, Quiet()); }
double lgamma(double x) { return boost::math::lgamma(x, Quiet()); }
double tgamma(double x) { return boost::math::tgamma(x, Quiet()); }
double digamma(double x) { return boost::math::digamma(x, Quiet()); }
double trigamma(double x) { return boost::math::trigamma(x, Quiet()); }
double polygamma(int n, double x) { return boost::math::polygamma(n, x, Quiet()); }

}  // namespace slope::special
