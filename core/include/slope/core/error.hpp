// SPDX-License-Identifier: MIT
#pragma once

// The one error type of every Slope layer. It lives in core, below autodiff and optim, so that
// both throw the same type without either depending on the other.

#include <stdexcept>
#include <string>

namespace slope {

/// Every misuse of Slope throws this: the message names the call and the sizes or values involved.
///   try { slope::grad(f, x); } catch (const slope::Error& e) { std::cerr << e.what(); }
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace slope
