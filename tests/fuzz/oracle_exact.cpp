// SPDX-License-Identifier: MIT
// The oracle in 50 decimal digits, asked only to confirm a mismatch: long double's 19 digits are
// not enough where forward mode itself cancels (1 + h′ − r′ with h′ ≈ r′ ≈ 1e20 in
// hypot(1, r) − r), and there the long-double reference is the wrong one.

#include <boost/multiprecision/cpp_bin_float.hpp>

#include "oracle_eval.hpp"

namespace fuzz {

OracleResult oracle_exact(const Program& p, std::span<const double> x, std::span<const double> v,
                          bool hessian) {
  return oracle_detail::evaluate<boost::multiprecision::cpp_bin_float_50>(p, x, v, hessian);
}

}  // namespace fuzz
