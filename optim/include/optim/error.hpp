// SPDX-License-Identifier: MIT
#pragma once

// The one error type of every Slope layer. It lives here, with the Objective interface, because
// that is the only header both `autodiff` and `optim` see (autodiff/error.hpp re-exports it).

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
