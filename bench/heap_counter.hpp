// SPDX-License-Identifier: MIT
#pragma once

// Heap accounting for a benchmark binary that links heap_counter.cpp, which replaces the global
// operator new and delete: bytes live now, and the peak since the last reset.

#include <cstddef>

namespace bench {
std::size_t heap_live_bytes();
std::size_t heap_peak_bytes();
void heap_reset_peak();  // peak := live
}  // namespace bench
