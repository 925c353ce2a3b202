// SPDX-License-Identifier: MIT
// A CheckReport as text: verdict, table, and a line for each row a difference could not check.

#include <charconv>
#include <cmath>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>

#include <slope/autodiff/check.hpp>
#include <slope/core/format.hpp>

namespace slope {

namespace {

// Values are printed whole (the shortest text that reads back as the same double, so 1e+306,
// -1e-300, nan and -inf survive); errors to three digits, in scientific notation when needed.
std::string error3(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 3);
  return std::string(buf, r.ptr);
}

std::string right(const std::string& s, std::size_t width) {
  return std::string(s.size() < width ? width - s.size() : 1, ' ') + s;
}

constexpr std::size_t kValue = 25;  // "-1.2345678901234567e-300" and a space
constexpr std::size_t kError = 11;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void note(std::ostream& out, const CheckRow& row, const std::string& what) {
  const bool finite = std::isfinite(row.ad) && std::isfinite(row.fd) &&
                      (!row.analytic || std::isfinite(*row.analytic));
  const std::string at = "  coordinate " + std::to_string(row.index);
  if (!finite) {
    out << at << ": NaN or infinite values (AD " << core::number(row.ad);
    if (row.analytic) out << ", analytic " << core::number(*row.analytic);
    out << ", finite diff " << core::number(row.fd)
        << "): a check never passes on them; move the point\n";
  } else if (!row.smooth) {
    out << at << ": the function is not smooth here: one-sided derivatives left "
        << core::number(row.left.value_or(kNaN)) << " and right "
        << core::number(row.right.value_or(kNaN)) << " disagree (central " << core::number(row.fd)
        << ", AD " << core::number(row.ad)
        << "); a central difference cannot check a kink, so AD must equal one of the three"
        << (row.analytic ? " and the analytic value must equal AD" : "")
        << "; move the point off the kink to check the " << what << " properly\n";
  }
  if (finite && row.fd_unreliable)
    out << at << ": finite differences are meaningless here: their error bound "
        << error3(row.fd_error) << " is as large as the values compared (AD "
        << core::number(row.ad) << ", finite diff " << core::number(row.fd) << ", step "
        << core::number(row.step) << "); move the point or set CheckOptions::step\n";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const CheckReport& r) {
  const bool has_analytic = !r.rows.empty() && r.rows.front().analytic.has_value();
  std::ostringstream out;
  out << r.what << " check " << (r.ok ? "passed" : "FAILED") << ": worst coordinate "
      << r.worst_index << ", max abs error " << error3(r.max_abs_error) << ", max rel error "
      << error3(r.max_rel_error) << " (rtol " << error3(r.options.rtol) << ", atol "
      << error3(r.options.atol) << ", step "
      << (r.options.step > 0 ? core::number(r.options.step) : std::string("auto")) << ")\n";
  out << right("index", 6) << right("AD", kValue);
  if (has_analytic) out << right("analytic", kValue);
  out << right("finite diff", kValue) << right("abs err", kError) << right("rel err", kError)
      << "  ok\n";
  for (const CheckRow& row : r.rows) {
    out << right(std::to_string(row.index), 6) << right(core::number(row.ad), kValue);
    if (has_analytic)
      out << right(row.analytic ? core::number(*row.analytic) : std::string("-"), kValue);
    out << right(core::number(row.fd), kValue) << right(error3(row.abs_error), kError)
        << right(error3(row.rel_error), kError) << "  " << (row.ok ? "yes" : "NO") << "\n";
  }
  for (const CheckRow& row : r.rows) note(out, row, r.what);
  return os << out.str();
}

}  // namespace slope
