// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "scalar_gen.hpp"

namespace fuzz {

/// The smallest program (greedily: deleting blocks of instructions, then single ones, replacing
/// operands by parameters, dropping outputs) that still shows a mismatch tagged `tag`.
ScalarCase shrink_scalar(ScalarCase c, const std::string& tag, bool moved_reuse);

/// The case as C++: the lambda, x, v, and what disagreed.
std::string reproducer(const ScalarCase& c, const std::string& detail);

}  // namespace fuzz
