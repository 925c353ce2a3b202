// SPDX-License-Identifier: MIT
#pragma once

// `slope check`'s table of a derivative check, with the model's parameter names.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include <slope/autodiff/check.hpp>

/// The verdict and the rows, worst first, at most `most` of them (the rest counted).
void print_check(std::ostream& out, const slope::CheckReport& r,
                 const std::vector<std::string>& names, std::size_t most);
