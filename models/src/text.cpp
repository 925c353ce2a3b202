// SPDX-License-Identifier: MIT
// How the models' files are read and their text is quoted in errors (text.hpp).

#include "text.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <slope/core/error.hpp>
#include <system_error>

namespace slope::models::detail {

// A message is one line of text: a NUL would end it early when printed through what(), and a
// newline or carriage return would split it. Bytes of 0x80 and above pass, so UTF-8 names read.
std::string escape(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\0')
      out += "\\0";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (u < 0x20 || u == 0x7F)
      out.append("\\x").append(1, hex[u >> 4]).append(1, hex[u & 15]);
    else
      out += c;
  }
  return out;
}

// Built with append: GCC 12 at -O3 reports a false -Wrestrict on `"'" + std::string(s)`.
std::string quote(std::string_view s) { return std::string("'").append(escape(s)).append("'"); }

std::string read_file(std::string_view who, const std::string& path) {
  const std::string where = std::string(who) + ": cannot open '" + escape(path) + "'";
  std::error_code ec;
  // fopen succeeds on a directory on Linux and only the first read fails, with a vaguer reason.
  if (std::filesystem::is_directory(path, ec)) throw Error(where + ": it is a directory");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  // generic_category's message is strerror's text without strerror's shared buffer.
  if (!file) {
    const int reason = errno;  // read before anything else may allocate and set it
    throw Error(where + ": " + std::generic_category().message(reason));
  }
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) {
    const int reason = errno;
    throw Error(std::string(who) + ": cannot read '" + escape(path) +
                "': " + std::generic_category().message(reason));
  }
  return text;
}

}  // namespace slope::models::detail
