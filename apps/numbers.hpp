// SPDX-License-Identifier: MIT
#pragma once

// How the slope command prints numbers: fixed notation where it reads well, scientific where
// fixed would cut or hide the value (8.3e306 must not become 310 digits, nor −1e-300 "-0.00000"),
// and nan / inf / -inf as such.
//   fixed_or_sci(303.714286, 5)  -> "303.71429"
//   fixed_or_sci(8.28e306, 5)    -> "8.28247e+306"
//   fixed_or_sci(-1e-300, 6)     -> "-1.000000e-300"

#include <string>

/// `decimals` digits after the point, fixed for 0 and for 1e-4 <= |v| < 1e9, else scientific.
std::string fixed_or_sci(double v, int decimals);

/// `significant` significant digits, %g style ("2.5e-08", "0.001", "nan").
std::string general(double v, int significant);

/// Right-aligns text in `width` columns, with at least one space before it.
std::string right(const std::string& text, std::size_t width);
