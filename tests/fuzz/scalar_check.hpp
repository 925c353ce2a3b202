// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "compare.hpp"
#include "scalar_gen.hpp"

namespace fuzz {

struct Outcome {
  Stats stats;
  std::vector<Mismatch> mismatches;
};

/// Evaluates one case every way (double; Slope fresh: value_and_grad, hvp, hessian; a recorded
/// slope::Function at the recording point and replayed at two nearby points, or an AutoFunction
/// where a branch flips) and compares with the oracle.
Outcome check_scalar(const ScalarCase& c);

}  // namespace fuzz
