// SPDX-License-Identifier: MIT
#include <autodiff/error.hpp>

#include <charconv>

namespace slope::detail {

std::string fmt(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace slope::detail
