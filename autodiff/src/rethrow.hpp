// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace slope::detail {

/// Called inside a catch block: rethrows a slope::Error (or subclass) or std::bad_alloc as it
/// is, and any other std::exception as a slope::Error "<context>: <what()>", so that no other
/// library's exception (xtensor's, Boost's) leaves a derivative call.
[[noreturn]] void rethrow_as_error(const std::string& context);

}  // namespace slope::detail
