// SPDX-License-Identifier: MIT
// slope_fuzz: seeded differential fuzzing of Slope.
//   slope_fuzz [--scalar N] [--tensor N] [--seed S] [--verbose] [--moved-reuse]
// Program i of a run is generated from (seed, i) alone, so `--seed S --first i --scalar 1`
// replays it. Exits 1 on any mismatch, after printing each (the first few shrunk to a minimal
// C++ reproducer).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "scalar_check.hpp"
#include "shrink.hpp"
#include "tensor_check.hpp"

namespace {

struct Options {
  long scalar = 0, tensor = 0, first = 0;
  std::uint64_t seed = 1;
  bool verbose = false, moved_reuse = false;
  int shrink = 3;  // how many failing programs to shrink
};

[[noreturn]] void usage() {
  std::cerr << "usage: slope_fuzz [--scalar N] [--tensor N] [--seed S] [--first I] [--verbose]"
               " [--moved-reuse] [--shrink K]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--scalar")
      o.scalar = std::stol(next());
    else if (a == "--tensor")
      o.tensor = std::stol(next());
    else if (a == "--seed")
      o.seed = std::stoull(next());
    else if (a == "--first")
      o.first = std::stol(next());
    else if (a == "--shrink")
      o.shrink = std::stoi(next());
    else if (a == "--verbose")
      o.verbose = true;
    else if (a == "--moved-reuse")
      o.moved_reuse = true;
    else
      usage();
  }
  if (o.scalar == 0 && o.tensor == 0) o.scalar = 1000, o.tensor = 100;
  return o;
}

std::mt19937_64 rng_for(std::uint64_t seed, std::uint64_t stream, long i) {
  std::seed_seq s{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                  static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(i)};
  return std::mt19937_64(s);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  fuzz::Stats total;
  int shrunk = 0;
  fuzz::GenOptions gen;
  gen.moved_reuse = o.moved_reuse;
  for (long i = o.first; i < o.first + o.scalar; ++i) {
    auto rng = rng_for(o.seed, 1, i);
    const fuzz::ScalarCase c = fuzz::generate_scalar(rng, gen);
    const fuzz::Outcome out = fuzz::check_scalar(c);
    total.add(out.stats);
    if (o.verbose)
      std::printf("scalar %ld: n %d, %zu instructions, %ld checks, %zu mismatches\n", i,
                  c.program.n, c.program.code.size(), out.stats.checks, out.mismatches.size());
    if (out.mismatches.empty()) continue;
    const fuzz::Mismatch& m = out.mismatches.front();
    std::printf("MISMATCH in scalar program %ld (seed %llu): %s\n", i,
                static_cast<unsigned long long>(o.seed), m.detail.c_str());
    if (shrunk++ >= o.shrink) continue;
    const fuzz::ScalarCase small = fuzz::shrink_scalar(c, m.tag, o.moved_reuse);
    const fuzz::Outcome again = fuzz::check_scalar(small);
    std::string detail = m.detail;
    for (const auto& mm : again.mismatches)
      if (mm.tag == m.tag) detail = mm.detail;
    std::printf("minimal reproducer (%zu of %zu instructions):\n%s\n", small.program.code.size(),
                c.program.code.size(), fuzz::reproducer(small, detail).c_str());
  }
  for (long i = o.first; i < o.first + o.tensor; ++i) {
    auto rng = rng_for(o.seed, 2, i);
    const fuzz::Outcome out = fuzz::fuzz_tensor(rng, o.verbose, i);
    total.add(out.stats);
    for (const auto& m : out.mismatches)
      std::printf("MISMATCH in tensor program %ld (seed %llu): %s\n", i,
                  static_cast<unsigned long long>(o.seed), m.detail.c_str());
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "slope_fuzz: seed %llu: %ld programs (%ld scalar, %ld tensor), %ld checks, %ld skipped as "
      "ill-conditioned, %ld singular, %ld slope::Error outcomes, %ld mismatches, %.1f s\n",
      static_cast<unsigned long long>(o.seed), total.programs, o.scalar, o.tensor, total.checks,
      total.illcond, total.singular, total.errors, total.mismatches, secs);
  return total.mismatches == 0 ? 0 : 1;
}
