// SPDX-License-Identifier: MIT
#pragma once

// Bad command-line input: main prints the message on one line and exits with 2.

#include <slope/core/error.hpp>
#include <string>

struct UsageError : slope::Error {
  explicit UsageError(const std::string& what) : slope::Error(what) {}
};
