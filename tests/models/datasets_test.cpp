// SPDX-License-Identifier: MIT
// Datasets: the seven cars, the compiled-in Auto MPG data, standardization, the seeded
// train/test split and synthetic logistic data (CSV loading: csv_test.cpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <slope/core/error.hpp>
#include <slope/models/dataset.hpp>

#include "dataset_fixtures.hpp"

namespace {

using dataset_fixtures::column;
using dataset_fixtures::error_of;
using dataset_fixtures::values;
using slope::models::Dataset;
using slope::models::Standardizer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

/// An (n, d) matrix from its row-major entries ({{x}} would be ambiguous for xtensor).
xt::xarray<double> matrix(std::size_t n, std::size_t d, const std::vector<double>& entries) {
  auto m = xt::xarray<double>::from_shape({n, d});
  std::copy(entries.begin(), entries.end(), m.begin());
  return m;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double population_sd(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

// ---------------------------------------------------------------------------------------------
// cars7 and Auto MPG

TEST(Cars7, HoldsTheSeedsSevenCars) {
  const Dataset d = slope::models::cars7();
  EXPECT_EQ(d.name, "cars7");
  EXPECT_THAT(d.features, ElementsAre("weight"));
  EXPECT_EQ(d.label, "mpg");
  EXPECT_EQ(d.size(), 7u);
  EXPECT_EQ(d.dimension(), 1u);
  ASSERT_EQ(d.X.dimension(), 2u);
  ASSERT_EQ(d.y.dimension(), 1u);
  EXPECT_THAT(column(d.X, 0), ElementsAre(3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37));
  EXPECT_THAT(values(d.y), ElementsAre(18, 15, 18, 16, 15, 14, 24));
}

TEST(AutoMpg, DefaultsToWeightInPoundsToMpg) {
  const Dataset d = slope::models::auto_mpg();
  EXPECT_EQ(d.name, "auto-mpg");
  EXPECT_THAT(d.features, ElementsAre("weight"));
  EXPECT_EQ(d.label, "mpg");
  ASSERT_EQ(d.size(), 392u);  // 406 cars in vega-datasets' cars.json, 14 without mpg or hp
  ASSERT_EQ(d.dimension(), 1u);
  ASSERT_EQ(d.y.size(), 392u);
  // First row: chevrolet chevelle malibu, 18 mpg, 3504 lb; last: chevy s-10, 31 mpg, 2720 lb.
  EXPECT_EQ(d.X(0, 0), 3504.0);
  EXPECT_EQ(d.y(0), 18.0);
  EXPECT_EQ(d.X(391, 0), 2720.0);
  EXPECT_EQ(d.y(391), 31.0);
  EXPECT_NEAR(mean(values(d.y)), 23.445918367346939, 1e-9);
  EXPECT_NEAR(mean(column(d.X, 0)), 2977.5841836734694, 1e-9);
  EXPECT_EQ(*std::min_element(d.y.begin(), d.y.end()), 9.0);
  EXPECT_EQ(*std::max_element(d.y.begin(), d.y.end()), 46.6);
}

TEST(AutoMpg, ChoosesSeveralFeaturesInTheOrderGiven) {
  const Dataset d =
      slope::models::auto_mpg({"horsepower", "weight", "year", "acceleration"}, "displacement");
  EXPECT_THAT(d.features, ElementsAre("horsepower", "weight", "year", "acceleration"));
  EXPECT_EQ(d.label, "displacement");
  ASSERT_EQ(d.size(), 392u);
  ASSERT_EQ(d.dimension(), 4u);
  // chevrolet chevelle malibu: 130 hp, 3504 lb, 1970, 12 s, 307 cubic inches.
  EXPECT_EQ(d.X(0, 0), 130.0);
  EXPECT_EQ(d.X(0, 1), 3504.0);
  EXPECT_EQ(d.X(0, 2), 1970.0);
  EXPECT_EQ(d.X(0, 3), 12.0);
  EXPECT_EQ(d.y(0), 307.0);
  // buick skylark 320: 11.5 s of acceleration.
  EXPECT_EQ(d.X(1, 3), 11.5);
  const auto years = column(d.X, 2);
  EXPECT_EQ(*std::min_element(years.begin(), years.end()), 1970.0);
  EXPECT_EQ(*std::max_element(years.begin(), years.end()), 1982.0);
  EXPECT_NEAR(mean(column(d.X, 0)), 104.46938775510205, 1e-9);
}

TEST(AutoMpg, UnknownColumnIsNamedAndTheColumnsListed) {
  const std::string feature = error_of([] { slope::models::auto_mpg({"weight", "torque"}); });
  EXPECT_THAT(feature, StartsWith("slope::models::auto_mpg: auto-mpg: "));
  EXPECT_THAT(feature, HasSubstr("no column 'torque'"));
  EXPECT_THAT(feature,
              HasSubstr("name, mpg, cylinders, displacement, horsepower, weight, acceleration, "
                        "year, origin"));
  EXPECT_THAT(error_of([] { slope::models::auto_mpg({"weight"}, "MPG"); }),
              HasSubstr("no column 'MPG'"));
}

TEST(AutoMpg, TextColumnCannotBeChosen) {
  EXPECT_EQ(error_of([] { slope::models::auto_mpg({"origin"}); }),
            "slope::models::auto_mpg: auto-mpg:2: column 'origin': 'USA' is not a number");
}

// ---------------------------------------------------------------------------------------------
// Standardizer

TEST(Standardizer, ColumnsGetMeanZeroAndPopulationSdOne) {
  const Dataset d = slope::models::auto_mpg({"weight", "horsepower", "acceleration", "year"});
  const Standardizer s = Standardizer::fit(d.X);
  ASSERT_EQ(s.mean.shape(), (std::vector<std::size_t>{4}));
  ASSERT_EQ(s.scale.shape(), (std::vector<std::size_t>{4}));
  EXPECT_NEAR(s.mean(0), 2977.5841836734694, 1e-9);
  EXPECT_NEAR(s.scale(0), population_sd(column(d.X, 0)), 1e-9);
  const xt::xarray<double> Z = s.apply(d.X);
  ASSERT_EQ(Z.shape(), d.X.shape());
  for (std::size_t j = 0; j < 4; ++j) {
    EXPECT_NEAR(mean(column(Z, j)), 0.0, 1e-12) << "column " << j;
    EXPECT_NEAR(population_sd(column(Z, j)), 1.0, 1e-12) << "column " << j;
  }
}

TEST(Standardizer, ConstantColumnGetsScaleOne) {
  const xt::xarray<double> X{{0.1, 1.0}, {0.1, 2.0}, {0.1, 4.0}};
  const Standardizer s = Standardizer::fit(X);
  EXPECT_EQ(s.mean(0), 0.1);
  EXPECT_EQ(s.scale(0), 1.0);
  const xt::xarray<double> Z = s.apply(X);
  EXPECT_THAT(column(Z, 0), ElementsAre(0.0, 0.0, 0.0));
  EXPECT_NEAR(mean(column(Z, 1)), 0.0, 1e-12);
  EXPECT_NEAR(population_sd(column(Z, 1)), 1.0, 1e-12);
  // A single row is constant in every column.
  const Standardizer one = Standardizer::fit(xt::xarray<double>{{3.0, -2.0}});
  EXPECT_THAT(values(one.scale), ElementsAre(1.0, 1.0));
  EXPECT_THAT(values(one.mean), ElementsAre(3.0, -2.0));
}

TEST(Standardizer, UnstandardizedModelPredictsTheSameOnRawData) {
  const Dataset d = slope::models::auto_mpg({"weight", "horsepower", "year"});
  const Standardizer s = Standardizer::fit(d.X);
  const xt::xarray<double> Z = s.apply(d.X);
  const xt::xarray<double> w{-4.5, -1.25, 2.75};
  const double b = 23.4;
  const auto [w_raw, b_raw] = s.unstandardize(w, b);
  ASSERT_EQ(w_raw.shape(), (std::vector<std::size_t>{3}));
  for (std::size_t j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(w_raw(j), w(j) / s.scale(j));
  for (std::size_t i = 0; i < d.size(); ++i) {
    double standardized = b;
    double raw = b_raw;
    for (std::size_t j = 0; j < 3; ++j) {
      standardized += Z(i, j) * w(j);
      raw += d.X(i, j) * w_raw(j);
    }
    ASSERT_NEAR(raw, standardized, 1e-10) << "row " << i;
  }
}

TEST(Standardizer, ShapeErrors) {
  EXPECT_THAT(error_of([] {
                Standardizer::fit(xt::xarray<double>{1.0, 2.0});
              }),
              HasSubstr("Standardizer::fit: X must be (N, D), got shape (2,)"));
  EXPECT_THAT(error_of([] {
                Standardizer::fit(xt::xarray<double>::from_shape({0, 2}));
              }),
              HasSubstr("Standardizer::fit: X has no rows"));
  EXPECT_THAT(error_of([] {
                Standardizer::fit(matrix(2, 1, {1.0, std::numeric_limits<double>::quiet_NaN()}));
              }),
              HasSubstr("X(1, 0) = nan is not finite"));
  const Standardizer s = Standardizer::fit(xt::xarray<double>{{1.0, 2.0}, {3.0, 5.0}});
  EXPECT_THAT(error_of([&] {
                s.apply(xt::xarray<double>{{1.0, 2.0, 3.0}});
              }),
              HasSubstr("Standardizer::apply: X must be (N, 2), got shape (1,3)"));
  EXPECT_THAT(error_of([&] { s.unstandardize(xt::xarray<double>{1.0}, 0.0); }),
              HasSubstr("Standardizer::unstandardize: w must be (2,), got shape (1,)"));
  EXPECT_THAT(error_of([] { Standardizer{}.apply(matrix(1, 1, {1.0})); }), HasSubstr("not fitted"));
}

// ---------------------------------------------------------------------------------------------
// train_test_split

/// n rows whose label is the row number and whose features are 10 and 100 times it.
Dataset numbered(std::size_t n) {
  Dataset d;
  d.name = "numbered";
  d.features = {"ten", "hundred"};
  d.label = "row";
  d.X = xt::xarray<double>::from_shape({n, 2});
  d.y = xt::xarray<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    d.X(i, 0) = 10.0 * static_cast<double>(i);
    d.X(i, 1) = 100.0 * static_cast<double>(i);
    d.y(i) = static_cast<double>(i);
  }
  return d;
}

TEST(TrainTestSplit, SizesRoundTheFractionAndKeepBothSidesNonEmpty) {
  const auto sizes = [](std::size_t n, double fraction) {
    const auto [train, test] = slope::models::train_test_split(numbered(n), fraction, 1);
    EXPECT_EQ(train.y.size(), train.size());
    EXPECT_EQ(test.y.size(), test.size());
    return std::vector<std::size_t>{train.size(), test.size()};
  };
  EXPECT_THAT(sizes(392, 0.2), ElementsAre(314, 78));  // round(78.4)
  EXPECT_THAT(sizes(10, 0.25), ElementsAre(7, 3));     // round(2.5) = 3
  EXPECT_THAT(sizes(7, 0.01), ElementsAre(6, 1));      // at least one test row
  EXPECT_THAT(sizes(7, 0.99), ElementsAre(1, 6));      // at least one training row
  EXPECT_THAT(sizes(2, 0.5), ElementsAre(1, 1));
  EXPECT_THAT(sizes(7, 0.0), ElementsAre(7, 0));
}

TEST(TrainTestSplit, DisjointCoveringAndRowsKeepTheirLabels) {
  const auto [train, test] = slope::models::train_test_split(numbered(50), 0.3, 7);
  EXPECT_EQ(train.name, "numbered");
  EXPECT_THAT(test.features, ElementsAre("ten", "hundred"));
  EXPECT_EQ(test.label, "row");
  ASSERT_EQ(train.dimension(), 2u);
  ASSERT_EQ(test.dimension(), 2u);
  std::multiset<double> seen;
  for (const Dataset* part : {&train, &test}) {
    for (std::size_t i = 0; i < part->size(); ++i) {
      EXPECT_EQ(part->X(i, 0), 10.0 * part->y(i));
      EXPECT_EQ(part->X(i, 1), 100.0 * part->y(i));
      seen.insert(part->y(i));
    }
  }
  ASSERT_EQ(seen.size(), 50u);
  EXPECT_EQ(std::set<double>(seen.begin(), seen.end()).size(), 50u);  // no row twice
  EXPECT_EQ(*seen.begin(), 0.0);
  EXPECT_EQ(*seen.rbegin(), 49.0);
}

TEST(TrainTestSplit, SameSeedSameSplitOtherSeedOtherSplit) {
  const Dataset d = slope::models::auto_mpg({"weight", "horsepower"});
  const auto [train1, test1] = slope::models::train_test_split(d, 0.2, 42);
  const auto [train2, test2] = slope::models::train_test_split(d, 0.2, 42);
  EXPECT_EQ(values(train1.y), values(train2.y));
  EXPECT_EQ(values(test1.X), values(test2.X));
  EXPECT_EQ(values(train1.X), values(train2.X));
  const auto [train3, test3] = slope::models::train_test_split(d, 0.2, 43);
  EXPECT_NE(values(test1.X), values(test3.X));
  EXPECT_EQ(test3.size(), test1.size());
}

TEST(TrainTestSplit, PinnedSplitsMatchAReferenceImplementation) {
  // Computed independently (Python: std::mt19937_64 per the standard, the rejection draw and
  // Fisher–Yates documented in dataset.hpp), so any standard library gives these.
  const auto split = [](std::size_t n, double fraction, std::uint64_t seed) {
    const auto [train, test] = slope::models::train_test_split(numbered(n), fraction, seed);
    return std::vector<std::vector<double>>{values(train.y), values(test.y)};
  };
  EXPECT_THAT(split(7, 0.3, 42), ElementsAre(ElementsAre(3, 5, 0, 2, 6), ElementsAre(1, 4)));
  EXPECT_THAT(split(10, 0.3, 2024),
              ElementsAre(ElementsAre(0, 2, 8, 7, 5, 9, 4), ElementsAre(1, 3, 6)));
}

TEST(TrainTestSplit, EveryRowIsEquallyLikelyToBeTested) {
  // One test row out of 7 over 7000 seeds: each row about 1000 times (sd ≈ 29).
  std::vector<int> count(7, 0);
  const Dataset d = numbered(7);
  for (std::uint64_t seed = 0; seed < 7000; ++seed) {
    const auto [train, test] = slope::models::train_test_split(d, 1.0 / 7.0, seed);
    ASSERT_EQ(test.size(), 1u);
    ++count[static_cast<std::size_t>(test.y(0))];
  }
  for (std::size_t r = 0; r < 7; ++r) {
    EXPECT_GT(count[r], 850) << "row " << r;
    EXPECT_LT(count[r], 1150) << "row " << r;
  }
}

TEST(TrainTestSplit, FractionOutsideZeroToOneIsAnError) {
  const Dataset d = slope::models::cars7();
  EXPECT_EQ(error_of([&] { slope::models::train_test_split(d, 1.5, 0); }),
            "slope::models::train_test_split: test_fraction must be in [0, 1), got 1.5");
  EXPECT_THAT(error_of([&] { slope::models::train_test_split(d, 1.0, 0); }),
              HasSubstr("test_fraction must be in [0, 1), got 1"));
  EXPECT_THAT(error_of([&] { slope::models::train_test_split(d, -0.25, 0); }),
              HasSubstr("test_fraction must be in [0, 1), got -0.25"));
  EXPECT_THAT(error_of([&] {
                slope::models::train_test_split(d, std::numeric_limits<double>::quiet_NaN(), 0);
              }),
              HasSubstr("test_fraction must be in [0, 1), got nan"));
  EXPECT_THAT(error_of([] { slope::models::train_test_split(numbered(1), 0.5, 0); }),
              HasSubstr("test_fraction = 0.5 needs at least 2 rows, 'numbered' has 1"));
}

}  // namespace

namespace {

TEST(SyntheticLogistic, SameSeedSameDataAndTheLabelsFollowTheTrueModel) {
  const Dataset a = slope::models::synthetic_logistic(20000, 4, 7);
  const Dataset b = slope::models::synthetic_logistic(20000, 4, 7);
  const Dataset c = slope::models::synthetic_logistic(20000, 4, 8);
  ASSERT_EQ(a.size(), 20000u);
  ASSERT_EQ(a.dimension(), 4u);
  EXPECT_THAT(a.features, ElementsAre("x1", "x2", "x3", "x4"));
  EXPECT_EQ(a.label, "y");
  EXPECT_EQ(a.name, "synthetic-logistic");
  EXPECT_TRUE(a.X == b.X && a.y == b.y);
  EXPECT_FALSE(a.X == c.X);
  // Standard normal features: mean 0 and variance 1 to sampling error (4σ bounds).
  const double n = 20000.0 * 4;
  double sum = 0, squares = 0;
  for (double v : a.X) {
    sum += v;
    squares += v * v;
  }
  EXPECT_NEAR(sum / n, 0.0, 4 / std::sqrt(n));
  EXPECT_NEAR(squares / n, 1.0, 4 * std::sqrt(2 / n));
  // Labels are 0 or 1; about 1 in 10 disagrees with the sign of the true logit, whatever the
  // signs of w* are: recover them as the signs of the per-feature label correlations.
  double ones = 0;
  std::vector<double> corr(4, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a.y(i) == 0.0 || a.y(i) == 1.0);
    ones += a.y(i);
    for (std::size_t j = 0; j < 4; ++j) corr[j] += a.X(i, j) * (a.y(i) - 0.5);
  }
  double wrong = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double z = 0.5;
    for (std::size_t j = 0; j < 4; ++j) z += a.X(i, j) * (corr[j] > 0 ? 2.5 : -2.5);
    wrong += (z > 0) != (a.y(i) == 1.0);
  }
  EXPECT_NEAR(wrong / 20000, 0.105, 0.01);  // E[σ(−|z|)], z ~ N(0.5, 25)
  EXPECT_NEAR(ones / 20000, 0.5, 0.05);
}

TEST(SyntheticLogistic, EmptySizesAreErrors) {
  EXPECT_THROW(slope::models::synthetic_logistic(0, 3), slope::Error);
  EXPECT_THROW(slope::models::synthetic_logistic(3, 0), slope::Error);
}

}  // namespace
