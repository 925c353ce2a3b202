// SPDX-License-Identifier: MIT
#include "numbers.hpp"

#include <cmath>

#include <fmt/format.h>

std::string fixed_or_sci(double v, int decimals) {
  const double a = std::fabs(v);
  if (!std::isfinite(v) || v == 0 || (a >= 1e-4 && a < 1e9))
    return fmt::format("{:.{}f}", v, decimals);
  return fmt::format("{:.{}e}", v, decimals);
}

std::string general(double v, int significant) { return fmt::format("{:.{}g}", v, significant); }

std::string right(const std::string& text, std::size_t width) {
  // Columns count characters, not bytes: "…" and "²" are one column each.
  std::size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  return std::string(columns < width ? width - columns : 1, ' ') + text;
}
