// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace slope {

/// Every misuse of Slope throws this: the message names the call and the sizes or values involved.
///   try { slope::grad(f, x); } catch (const slope::Error& e) { std::cerr << e.what(); }
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
/// Formats a double the way error messages and reports show it (shortest round-trip form).
std::string fmt(double v);
}  // namespace detail

}  // namespace slope
