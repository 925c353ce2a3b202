// SPDX-License-Identifier: MIT
#pragma once

// How every layer writes a number or a shape into an error message or a report, so that the
// same value reads the same wherever it is shown.

#include <cstddef>
#include <span>
#include <string>

namespace slope::core {

/// The shortest text that reads back as exactly v ("0.1", "1e+300", "nan", "-inf").
std::string number(double v);

/// A shape as a tuple, compact: "(3,2)", "(4,)", "()".
std::string shape(std::span<const std::size_t> dims);

}  // namespace slope::core
