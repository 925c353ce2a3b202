// SPDX-License-Identifier: MIT
#pragma once

// Data for the models: the seven cars of the gradient-descent lesson Slope grew from (weight →
// miles per gallon), the Auto MPG data compiled into the library, CSV files chosen by column
// name, per-feature standardization and a seeded train/test split.
//
//   auto data = slope::models::auto_mpg({"weight", "horsepower"});      // X (392, 2), y mpg
//   auto [train, test] = slope::models::train_test_split(data, 0.2, 42);
//   auto s = slope::models::Standardizer::fit(train.X);
//   xt::xarray<double> Z = s.apply(train.X);                           // fit on Z, then
//   auto [w_raw, b_raw] = s.unstandardize(w, b);                       // weights for raw X
//
// Every misuse throws slope::Error (<slope/core/error.hpp>); CSV errors name the file, the 1-based
// line (the header is line 1) and the column, e.g.
//   slope::models::load_csv: cars.csv:14: column 'weight': 'abc' is not a number
// (runs as examples/models.cpp)

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <xtensor/xarray.hpp>

namespace slope::models {

/// Features X (N×D, row-major) and labels y (N), with their column names.
struct Dataset {
  std::string name;                   ///< "cars7", "auto-mpg", or the file path
  std::vector<std::string> features;  ///< D names, in the order of X's columns
  std::string label;
  xt::xarray<double> X;  ///< shape (N, D)
  xt::xarray<double> y;  ///< shape (N,); (0,) when read without a label (label "")

  /// N, the number of rows (0 while X is not a matrix).
  std::size_t size() const;
  /// D, the number of features (0 while X is not a matrix).
  std::size_t dimension() const;
};

/// The seven cars of the README's worked example: weight in 1000s of pounds → miles per gallon:
/// weight {3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37}, mpg {18, 15, 18, 16, 15, 14, 24};
/// features {"weight"}, label "mpg".
Dataset cars7();

/// Auto MPG (compiled in: 392 cars, 1970–1982; see models/data/README.md): features and label
/// chosen by column name among mpg, cylinders, displacement, horsepower, weight (pounds, as in
/// the file), acceleration and year; the other columns, name and origin, are text.
/// An unknown column throws slope::Error naming it and listing the columns; a text column throws
/// as a cell that is not a number.
Dataset auto_mpg(const std::vector<std::string>& features = {"weight"},
                 const std::string& label = "mpg");

/// A synthetic binary-classification set for logistic regression: X has N×D independent
/// standard normal entries, a fixed true model w* (entries ±5/√D, signs from the seed) and
/// b* = 0.5 give P(y = 1) = σ(Xw* + b*), and y is drawn from it. The classes are mostly separated
/// (Xw* + b* ~ N(0.5, 25); about 1 label in 10 falls on the wrong side) but overlap, so the
/// maximum-likelihood fit is finite. Every number
/// comes from std::mt19937_64 with the transforms written out here, so a seed gives the same data
/// with every standard library. features {"x1", …, "xD"}, label "y", name "synthetic-logistic".
/// N ≥ 1 and D ≥ 1, else slope::Error.
Dataset synthetic_logistic(std::size_t rows, std::size_t dims, std::uint64_t seed = 1);

/// A CSV file with a header row; features and label chosen by name, in the order given.
/// Fields may be quoted ("a, b", with "" for a quote inside); CRLF or LF line endings; blank
/// lines are skipped; numbers may have surrounding whitespace. Columns not chosen may hold text.
/// An empty label reads no label column (for predicting on a file without labels): y is then (0,).
///   auto d = slope::models::load_csv("new_cars.csv", {"weight"}, "");  // X (N, 1), y (0,)
/// Throws slope::Error naming the file when it cannot be opened (with the system's reason:
/// "cannot open 'cars.csv': No such file or directory"; a directory: "...: it is a directory"),
/// is empty (no header), has no data rows, lacks a chosen column (the message lists the columns),
/// has a row with fewer or more cells than the header, or has a chosen cell that is empty or not a
/// finite number, e.g.
///   cars.csv:14: column 'weight': 'abc' is not a number
/// Names and cells in messages show control characters escaped (\0, \n, \r, \t, \xNN), so a
/// message is always one whole line.
Dataset load_csv(const std::string& path, const std::vector<std::string>& features,
                 const std::string& label);

/// Parses CSV text by the rules of load_csv; `source` names it in errors and becomes the name.
Dataset parse_csv(std::string_view text, const std::string& source,
                  const std::vector<std::string>& features, const std::string& label);

/// Per-feature standardization z = (x − mean) / scale, with scale the population standard
/// deviation; a constant column gets scale 1 (so it becomes all zeros).
struct Standardizer {
  xt::xarray<double> mean;   ///< (D,)
  xt::xarray<double> scale;  ///< (D,)

  /// Means and scales of X's columns; X is (N, D) with N ≥ 1 and finite entries.
  static Standardizer fit(const xt::xarray<double>& X);
  /// (N, D) → standardized (N, D).
  xt::xarray<double> apply(const xt::xarray<double>& X) const;
  /// Maps a linear model's weights and bias fitted on standardized features back to the raw
  /// features: w_raw = w / scale, b_raw = b − Σ w·mean/scale. w and w_raw are (D,).
  std::pair<xt::xarray<double>, double> unstandardize(const xt::xarray<double>& w, double b) const;
};

/// Seeded shuffle split into {train, test}: the rows are shuffled (Fisher–Yates on
/// std::mt19937_64 with an unbiased bounded draw of its own, so a seed gives the same split with
/// every standard library); test takes the first round(test_fraction·N) of them, at least 1 and at
/// most N − 1 when 0 < test_fraction < 1, and train the rest, both in shuffled order.
/// test_fraction outside [0, 1) throws slope::Error, as does 0 < test_fraction with N < 2.
std::pair<Dataset, Dataset> train_test_split(const Dataset& d, double test_fraction,
                                             std::uint64_t seed);

}  // namespace slope::models
