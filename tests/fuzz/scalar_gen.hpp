// SPDX-License-Identifier: MIT
#pragma once

#include <random>
#include <vector>

#include "scalar_ir.hpp"

namespace fuzz {

struct ScalarCase {
  Program program;
  std::vector<double> x;  // the recording point
  std::vector<double> v;  // the HVP direction
};

struct GenOptions {
  bool moved_reuse = false;  // also read registers after std::move (documented misuse)
  double unguarded = 0.1;    // chance of feeding a restricted-domain op without its wrapper
};

/// A random program over n = 2..20 parameters with 5..200 instructions, a point and a direction.
ScalarCase generate_scalar(std::mt19937_64& rng, const GenOptions& opt);

}  // namespace fuzz
