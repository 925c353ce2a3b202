// SPDX-License-Identifier: MIT
// The oracle in long double (the reference) and in double (its rounding estimates conditioning).

#include "oracle_eval.hpp"

namespace fuzz {

OracleResult oracle_long(const Program& p, std::span<const double> x, std::span<const double> v,
                         bool hessian) {
  return oracle_detail::evaluate<long double>(p, x, v, hessian);
}
OracleResult oracle_double(const Program& p, std::span<const double> x, std::span<const double> v,
                           bool hessian) {
  return oracle_detail::evaluate<double>(p, x, v, hessian);
}

}  // namespace fuzz
