// SPDX-License-Identifier: MIT
#include <slope/core/error.hpp>

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

}  // namespace slope::detail
