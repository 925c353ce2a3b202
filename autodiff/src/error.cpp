// SPDX-License-Identifier: MIT
#include <autodiff/error.hpp>

#include <charconv>
#include <exception>
#include <new>

#include "rethrow.hpp"

namespace slope::detail {

void rethrow_as_error(const std::string& context) {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(context + ": " + e.what());
  }
}

std::string fmt(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace slope::detail
