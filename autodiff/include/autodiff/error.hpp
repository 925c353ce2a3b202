// SPDX-License-Identifier: MIT
#pragma once

#include <optim/error.hpp>  // slope::Error, shared with the optimizers
#include <string>

namespace slope {

namespace detail {
/// Formats a double the way error messages and reports show it (shortest round-trip form).
std::string fmt(double v);
}  // namespace detail

}  // namespace slope
