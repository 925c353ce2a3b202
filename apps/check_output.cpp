// SPDX-License-Identifier: MIT
#include "check_output.hpp"

#include <algorithm>
#include <ostream>

#include "numbers.hpp"

using namespace slope;

namespace {

std::string g12(double v) { return general(v, 12); }
std::string g3(double v) { return general(v, 3); }

}  // namespace

// The report with parameter names; worst rows first, at most `most` of them.
void print_check(std::ostream& out, const CheckReport& r, const std::vector<std::string>& names,
                 std::size_t most) {
  out << (r.what == "hvp" ? "Hessian-vector product" : "gradient") << " check "
            << (r.ok ? "passed" : "FAILED") << ": worst " << names[r.worst_index]
            << ", max abs error " << g3(r.max_abs_error) << ", max rel error "
            << g3(r.max_rel_error) << " (rtol " << g3(r.options.rtol) << ", atol "
            << g3(r.options.atol) << ")\n";
  out << right("parameter", 10) << right("tape (replayed)", 22)
            << right("finite difference", 22) << right("abs error", 12) << right("rel error", 12)
            << "  ok\n";
  const std::size_t shown = std::min(most, r.rows.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const CheckRow& row = r.rows[i];
    out << right(names[row.index], 10) << right(g12(row.ad), 22) << right(g12(row.fd), 22)
              << right(g3(row.abs_error), 12) << right(g3(row.rel_error), 12) << "  "
              << (row.ok ? "yes" : "NO") << "\n";
  }
  if (shown < r.rows.size())
    out << right("…", 10) << " " << r.rows.size() - shown << " more, "
              << (r.ok ? "all within tolerance" : "see --show") << "\n";
}

