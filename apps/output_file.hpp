// SPDX-License-Identifier: MIT
#pragma once

// Result files of the slope command. Their paths are checked before any work starts, and each
// file is written whole or not at all (a temporary beside it, renamed into place), so bad input
// or a failure midway never leaves a partial file behind.
//   check_writable(o.json, "--json");          // before training: UsageError if it cannot be
//   ...                                         // written (no directory, a directory, no access)
//   write_file(o.json, text, "--json");

#include <string>

/// UsageError naming the option unless `path` can be created or replaced.
void check_writable(const std::string& path, const std::string& option);

/// Writes `content` to a temporary file in path's directory and renames it to `path`.
void write_file(const std::string& path, const std::string& content, const std::string& option);

/// A fresh name beside `path` for a file that is renamed to `path` once it is complete.
std::string temporary_beside(const std::string& path);
