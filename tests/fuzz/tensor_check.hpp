// SPDX-License-Identifier: MIT
#pragma once

#include <random>

#include "scalar_check.hpp"

namespace fuzz {

/// Generates one tensor program from rng and checks it (see tensor_check.cpp).
Outcome fuzz_tensor(std::mt19937_64& rng, bool verbose, long index);

}  // namespace fuzz
