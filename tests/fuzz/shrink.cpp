// SPDX-License-Identifier: MIT
// Greedy shrinking of a failing scalar program, and its reproducer.

#include <algorithm>
#include <map>

#include "print.hpp"
#include "scalar_check.hpp"
#include "shrink.hpp"

namespace fuzz {
namespace {

bool fails(const ScalarCase& c, const std::string& tag, bool moved_reuse) {
  if (c.program.outs.empty() || (!moved_reuse && uses_moved(c.program))) return false;
  const Outcome o = check_scalar(c);
  return std::any_of(o.mismatches.begin(), o.mismatches.end(),
                     [&](const Mismatch& m) { return m.tag == tag; });
}

// Registers renumbered densely (the parameters keep theirs).
void compact(Program& p) {
  std::map<int, int> to;
  for (int i = 0; i < p.n; ++i) to[i] = i;
  auto use = [&](int r) {
    if (r >= 0 && !to.count(r)) to[r] = 0;
  };
  for (const Instr& in : p.code) {
    for (int r : {in.d, in.a, in.b, in.c, in.e}) use(r);
    for (int r : in.list) use(r);
  }
  for (int r : p.outs) use(r);
  int next = 0;
  for (auto& [from, dst] : to) dst = next++;
  auto map = [&](int& r) {
    if (r >= 0) r = to[r];
  };
  for (Instr& in : p.code) {
    for (int* r : {&in.d, &in.a, &in.b, &in.c, &in.e}) map(*r);
    for (int& r : in.list) map(r);
  }
  for (int& r : p.outs) map(r);
  p.nregs = next;
}

}  // namespace

ScalarCase shrink_scalar(ScalarCase c, const std::string& tag, bool moved_reuse) {
  for (int round = 0; round < 4; ++round) {
    bool progress = false;
    auto& code = c.program.code;
    for (std::size_t block = std::max<std::size_t>(code.size() / 2, 1); block >= 1; block /= 2) {
      for (std::size_t at = 0; at + block <= code.size();) {
        ScalarCase t = c;
        t.program.code.erase(t.program.code.begin() + static_cast<std::ptrdiff_t>(at),
                             t.program.code.begin() + static_cast<std::ptrdiff_t>(at + block));
        if (fails(t, tag, moved_reuse))
          c = std::move(t), progress = true;
        else
          at += block;
      }
      if (block == 1) break;
    }
    for (std::size_t i = 0; i < code.size(); ++i) {
      for (int field = 0; field < 5; ++field) {
        for (int param = 0; param < std::min(c.program.n, 2); ++param) {
          ScalarCase t = c;
          Instr& in = t.program.code[i];
          int* r[] = {&in.a, &in.b, &in.c, &in.e, &in.d};
          if (*r[field] < c.program.n || field == 4) continue;
          *r[field] = param;
          if (fails(t, tag, moved_reuse)) {
            c = std::move(t), progress = true;
            break;
          }
        }
      }
    }
    for (std::size_t i = 0; c.program.outs.size() > 1 && i < c.program.outs.size();) {
      ScalarCase t = c;
      t.program.outs.erase(t.program.outs.begin() + static_cast<std::ptrdiff_t>(i));
      if (fails(t, tag, moved_reuse))
        c = std::move(t), progress = true;
      else
        ++i;
    }
    if (!progress) break;
  }
  compact(c.program);
  return c;
}

std::string reproducer(const ScalarCase& c, const std::string& detail) {
  return "auto f = " + to_cpp(c.program) + ";\nstd::vector<double> x" + to_cpp(c.x) +
         ";\nstd::vector<double> v" + to_cpp(c.v) + ";  // the HVP direction\n// " + detail + "\n";
}

}  // namespace fuzz
