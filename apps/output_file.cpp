// SPDX-License-Identifier: MIT
#include "output_file.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "usage_error.hpp"

namespace fs = std::filesystem;

void check_writable(const std::string& path, const std::string& option) {
  if (path.empty()) throw UsageError(option + " needs a file name");
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec))
    throw UsageError(option + " '" + path + "' is a directory, not a file");
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw UsageError(option + " '" + path + "': no directory '" + dir.string() + "'");
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(option + " '" + path + "': cannot write in '" + dir.string() + "'");
  if (fs::exists(p, ec) && ::access(p.c_str(), W_OK) != 0)
    throw UsageError(option + " '" + path + "' is not writable");
}

std::string temporary_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

void write_file(const std::string& path, const std::string& content, const std::string& option) {
  const std::string tmp = temporary_beside(path);
  {
    std::ofstream f(tmp, std::ios::binary);
    if (f) f << content;
    if (!f || !f.flush()) {
      std::remove(tmp.c_str());
      throw UsageError("cannot write " + option + " file '" + path + "'");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw UsageError("cannot write " + option + " file '" + path + "': " + ec.message());
  }
}
