// SPDX-License-Identifier: MIT
#pragma once

// What the models' readers share (private to models/src): files read whole with the system's
// reason on failure, names and cells quoted on one line in error messages, and the CSV parser
// with the public call's name in its errors (load_csv, parse_csv, auto_mpg).

#include <slope/models/dataset.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace slope::models::detail {

/// Control characters as \0, \n, \r, \t, \xNN: a message stays one whole line.
std::string escape(std::string_view s);
/// 'escaped s'.
std::string quote(std::string_view s);
/// The file's bytes; slope::Error "WHO: cannot open 'PATH': <reason>" (a directory says so).
std::string read_file(std::string_view who, const std::string& path);
/// parse_csv, with `who` naming the public call in the errors.
Dataset parse_csv_as(std::string_view who, std::string_view text, const std::string& source,
                     const std::vector<std::string>& features, const std::string& label);

}  // namespace slope::models::detail
