// SPDX-License-Identifier: MIT
// Replaces the global operator new/delete of the binary it is linked into. In a file of its own
// so the compiler never inlines the replacements into callers (GCC then misreads the malloc/free
// pairing).

#include "heap_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> live{0}, peak{0};
constexpr std::size_t kHeader = 16;  // the block stays 16-byte aligned
}  // namespace

namespace bench {
std::size_t heap_live_bytes() { return live.load(); }
std::size_t heap_peak_bytes() { return peak.load(); }
void heap_reset_peak() { peak.store(live.load()); }
}  // namespace bench

void* operator new(std::size_t n) {
  auto* p = static_cast<unsigned char*>(std::malloc(n + kHeader));
  if (p == nullptr) throw std::bad_alloc();
  *reinterpret_cast<std::size_t*>(p) = n;
  const std::size_t now = live.fetch_add(n) + n;
  std::size_t seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
  return p + kHeader;
}

void operator delete(void* q) noexcept {
  if (q == nullptr) return;
  auto* p = static_cast<unsigned char*>(q) - kHeader;
  live.fetch_sub(*reinterpret_cast<std::size_t*>(p));
  std::free(p);
}

void operator delete(void* q, std::size_t) noexcept { operator delete(q); }
