// SPDX-License-Identifier: MIT
// CSV loading: a small RFC 4180 reader (quoted fields with commas, "" for a quote, newlines
// inside quotes; LF or CRLF), then the chosen columns converted to numbers with errors that name
// the source, the 1-based line and the column.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <slope/core/error.hpp>
#include <slope/models/dataset.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "text.hpp"

namespace slope::models {

using detail::escape;
using detail::quote;

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// One record of the file: its cells and the line it starts on (1-based).
struct Record {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

class Reader {
 public:
  Reader(std::string_view text, std::string_view who, const std::string& source)
      : text_(text), who_(who), source_(source) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // a UTF-8 byte-order mark
  }

  /// The next record, skipping blank lines; false at the end of the text.
  bool next(Record& record) {
    skip_blank_lines();
    if (pos_ >= text_.size()) return false;
    record.line = line_;
    record.cells.clear();
    for (;;) {
      record.cells.push_back(cell(record.line));
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_++];
      if (c == '\n') {
        ++line_;
        return true;
      }
      // c is the comma that ends the cell; the next cell follows (possibly empty).
    }
  }

  [[noreturn]] void fail(std::size_t line, const std::string& what) const {
    throw Error(std::string(who_) + ": " + escape(source_) + ":" + std::to_string(line) + ": " +
                what);
  }

 private:
  void skip_blank_lines() {
    while (pos_ < text_.size()) {
      std::size_t end = text_.find('\n', pos_);
      if (end == std::string_view::npos) end = text_.size();
      if (!trim(text_.substr(pos_, end - pos_)).empty()) return;
      pos_ = end;
      if (pos_ < text_.size()) {
        ++pos_;
        ++line_;
      }
    }
  }

  /// Reads one cell and leaves pos_ at the comma or newline that ends it (or at the end).
  std::string cell(std::size_t record_line) {
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '"') return quoted(record_line);
    const std::size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') ++pos_;
    return std::string(trim(text_.substr(begin, pos_ - begin)));
  }

  std::string quoted(std::size_t record_line) {
    const std::size_t open_line = line_;
    ++pos_;  // the opening quote
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail(open_line, "a quoted cell is never closed");
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          out.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\n') ++line_;
      out.push_back(c);
    }
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') {
      fail(record_line, "text after the closing quote of \"" + escape(out) + "\"");
    }
    // Surrounding whitespace inside the quotes is kept; numbers are trimmed when converted.
    return out;
  }

  std::string_view text_;
  std::string_view who_;
  const std::string& source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + escape(n);
  return out;
}

/// The number in a cell, or an explanation of why there is none.
bool to_number(std::string_view cell, double& value, std::string& why) {
  std::string_view s = trim(cell);
  if (s.empty()) {
    why = "the cell is empty";
    return false;
  }
  std::string_view digits = s;
  // from_chars takes no leading '+'; a sign followed by another sign stays an error.
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-' && digits[1] != '+') {
    digits.remove_prefix(1);
  }
  const char* last = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), last, value);
  if (ec == std::errc::result_out_of_range) {
    why = quote(cell) + " is out of the range of a double";
    return false;
  }
  if (ec != std::errc() || ptr != last) {
    why = quote(cell) + " is not a number";
    return false;
  }
  if (!std::isfinite(value)) {
    why = quote(cell) + " is not a finite number";
    return false;
  }
  return true;
}

}  // namespace

namespace detail {

Dataset parse_csv_as(std::string_view who, std::string_view text, const std::string& source,
                     const std::vector<std::string>& features, const std::string& label) {
  Reader reader(text, who, source);
  auto fail = [&](const std::string& what) {
    throw Error(std::string(who) + ": " + escape(source) + ": " + what);
  };

  Record header;
  if (!reader.next(header)) fail("the file is empty (no header row)");
  const std::vector<std::string>& columns = header.cells;

  // The position in a record of each chosen column: features first, then the label if any.
  std::vector<std::string> chosen = features;
  if (!label.empty()) chosen.push_back(label);
  std::vector<std::size_t> at;
  at.reserve(chosen.size());
  for (const auto& name : chosen) {
    std::size_t found = columns.size();
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (columns[j] != name) continue;
      if (found != columns.size()) {
        fail("column " + quote(name) + " appears twice in the header (columns " +
             std::to_string(found + 1) + " and " + std::to_string(j + 1) + ")");
      }
      found = j;
    }
    if (found == columns.size()) {
      fail("no column " + quote(name) + "; the columns are: " + list(columns));
    }
    at.push_back(found);
  }

  const std::size_t d = features.size();
  std::vector<double> x;
  std::vector<double> y;
  std::size_t n = 0;
  Record row;
  while (reader.next(row)) {
    ++n;
    if (row.cells.size() != columns.size()) {
      reader.fail(row.line, "the row has " + std::to_string(row.cells.size()) +
                                " cells but the header has " + std::to_string(columns.size()) +
                                " columns");
    }
    for (std::size_t k = 0; k < at.size(); ++k) {
      double value = 0.0;
      std::string why;
      if (!to_number(row.cells[at[k]], value, why)) {
        reader.fail(row.line, "column " + quote(chosen[k]) + ": " + why);
      }
      (k < d ? x : y).push_back(value);
    }
  }
  if (n == 0) fail("no data rows after the header");

  Dataset out;
  out.name = source;
  out.features = features;
  out.label = label;
  out.X = xt::xarray<double>::from_shape({n, d});
  std::copy(x.begin(), x.end(), out.X.begin());
  out.y = xt::xarray<double>::from_shape({y.size()});
  std::copy(y.begin(), y.end(), out.y.begin());
  return out;
}

}  // namespace detail

Dataset parse_csv(std::string_view text, const std::string& source,
                  const std::vector<std::string>& features, const std::string& label) {
  return detail::parse_csv_as("slope::models::parse_csv", text, source, features, label);
}

Dataset load_csv(const std::string& path, const std::vector<std::string>& features,
                 const std::string& label) {
  const std::string text = detail::read_file("slope::models::load_csv", path);
  return detail::parse_csv_as("slope::models::load_csv", text, path, features, label);
}

}  // namespace slope::models
