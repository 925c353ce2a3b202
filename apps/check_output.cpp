// SPDX-License-Identifier: MIT
#include "check_output.hpp"

#include <algorithm>
#include <cmath>
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
      << (r.ok ? "passed" : "FAILED") << ": worst " << names[r.worst_index] << ", max abs error "
      << g3(r.max_abs_error) << ", max rel error " << g3(r.max_rel_error) << " (rtol "
      << g3(r.options.rtol) << ", atol " << g3(r.options.atol) << ")\n";
  out << right("parameter", 10) << right("tape (replayed)", 22) << right("finite difference", 22)
      << right("abs error", 12) << right("rel error", 12) << "  ok\n";
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
  // Why a row cannot be checked as it stands, for every row (shown or not).
  for (const CheckRow& row : r.rows) {
    const std::string& name = names[row.index];
    if (!std::isfinite(row.ad) || !std::isfinite(row.fd))
      out << "  " << name << ": NaN or infinite values (tape " << g12(row.ad)
          << ", finite difference " << g12(row.fd) << "): a check never passes on them\n";
    else if (!row.smooth)
      out << "  " << name << ": the function is not smooth here (one-sided derivatives "
          << g12(row.left.value_or(NAN)) << " and " << g12(row.right.value_or(NAN))
          << "): move the point off the kink\n";
    else if (row.fd_unreliable)
      out << "  " << name << ": finite differences are meaningless here (their error bound "
          << g3(row.fd_error) << " is as large as the values): move the point or set --step\n";
  }
}
