// SPDX-License-Identifier: MIT
#include <charconv>
#include <slope/core/format.hpp>

namespace slope::core {

std::string number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string shape(std::span<const std::size_t> dims) {
  std::string r = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) r += ',';
    r += std::to_string(dims[i]);
  }
  return r + (dims.size() == 1 ? ",)" : ")");
}

}  // namespace slope::core
