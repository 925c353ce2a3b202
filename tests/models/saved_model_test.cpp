// SPDX-License-Identifier: MIT
// Model files: exact round trips, predictions on raw and standardized features, writing and
// reading files (saved_model_errors_test.cpp: the message of every defect a file can have).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <slope/core/error.hpp>
#include <slope/models/saved_model.hpp>

#include "dataset_fixtures.hpp"
#include "saved_model_fixtures.hpp"

namespace {

using namespace saved_model_fixtures;
using dataset_fixtures::error_of;
using dataset_fixtures::values;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(SavedModel, RoundTripsBitForBit) {
  for (const SavedModel& m : {linear_standardized(), logistic(), softmax()}) {
    const std::string text = slope::models::to_json(m);
    const SavedModel back = slope::models::parse_saved_model(text, "model.json");
    expect_same(back, m);
    EXPECT_EQ(slope::models::to_json(back), text);  // and it writes the same text again
  }
}

TEST(SavedModel, WritesTheDocumentedKeysInOrder) {
  const std::string text = slope::models::to_json(softmax());
  EXPECT_THAT(text, StartsWith("{\n  \"format\": \"slope-model\",\n  \"version\": 1,\n"
                               "  \"kind\": \"softmax\",\n"));
  std::size_t at = 0;
  for (const char* key : {"\"features\"", "\"label\"", "\"classes\": 3", "\"standardization\"",
                          "\"parameter_names\"", "\"parameters\"", "\"raw_parameters\""}) {
    const std::size_t next = text.find(key, at);
    ASSERT_NE(next, std::string::npos) << key << " missing or out of order in\n" << text;
    at = next;
  }
  EXPECT_THAT(text, HasSubstr("\"parameter_names\": [\n    \"a[0]\",\n    \"a[1]\",\n    \"a[2]\",\n    \"b[0]\""));
  const std::string linear = slope::models::to_json(logistic());
  EXPECT_THAT(linear, HasSubstr("\"standardization\": null"));
  EXPECT_THAT(linear, Not(HasSubstr("classes")));
}

TEST(SavedModel, PredictStandardizesFirst) {
  // mean 2, scale 4, w 8, b 1 on z = (x - 2) / 4; raw: w 8/4 = 2, b 1 - 2·2 = -3.
  const SavedModel m{.kind = "linear",
                     .features = {"x"},
                     .label = "y",
                     .standardizer = Standardizer{vec({2.0}), vec({4.0})},
                     .parameters = {8.0, 1.0}};
  const xt::xarray<double> X = matrix(3, 1, {2.0, 6.0, -2.0});
  EXPECT_THAT(values(m.predict(X)), ElementsAre(1.0, 9.0, -7.0));
  EXPECT_THAT(m.raw_parameters(), ElementsAre(2.0, -3.0));
  EXPECT_EQ(m.model()->name(), "linear");
}

TEST(SavedModel, PredictEqualsTheModelOnStandardizedAndRawParametersOnRaw) {
  const SavedModel m = linear_standardized();
  const xt::xarray<double> X = {{3504, 130}, {1613, 46}, {5140, 230}, {2977.5841836734694, 90}};
  const xt::xarray<double> p = m.predict(X);
  EXPECT_EQ(values(p), values(m.model()->predict(m.parameters, m.standardizer->apply(X))));
  const std::vector<double> raw = m.raw_parameters();
  for (std::size_t i = 0; i < X.shape(0); ++i)
    EXPECT_NEAR(p(i), raw[0] * X(i, 0) + raw[1] * X(i, 1) + raw[2], 1e-12 * std::abs(p(i)));

  // Softmax: each class's logit is unstandardized, so the raw parameters on raw X give the
  // same probabilities.
  const SavedModel s = softmax();
  const xt::xarray<double> Xs = {{1.5, -2.0}, {0.0, 3.0}, {2.25, -10.0}};
  const xt::xarray<double> ps = s.predict(Xs);
  EXPECT_EQ(values(ps), values(s.model()->predict(s.parameters, s.standardizer->apply(Xs))));
  const xt::xarray<double> from_raw = s.model()->predict(s.raw_parameters(), Xs);
  ASSERT_EQ(from_raw.shape(), ps.shape());
  for (std::size_t i = 0; i < ps.size(); ++i) EXPECT_NEAR(from_raw.data()[i], ps.data()[i], 1e-12);

  // Without a standardizer the raw parameters are the parameters.
  EXPECT_EQ(bits(logistic().raw_parameters()), bits(logistic().parameters));
}

TEST(SavedModel, PredictChecksTheFeatures) {
  EXPECT_EQ(error_of([] { linear_standardized().predict(matrix(1, 1, {1.0})); }),
            "slope::models::SavedModel::predict: X has shape (1,1), the model takes (N,2) for "
            "2 features");
}

TEST(ToJson, RefusesAModelItCouldNotReadBack) {
  SavedModel m = logistic();
  m.parameters[1] = std::nan("");
  EXPECT_EQ(error_of([&] { slope::models::to_json(m); }),
            "slope::models::to_json: parameters[1] is nan, not a finite number");
  m = logistic();
  m.parameters.pop_back();
  EXPECT_EQ(error_of([&] { slope::models::to_json(m); }),
            "slope::models::to_json: 'parameters' has 3 numbers, a logistic model of 3 features "
            "has 4");
  m = logistic();
  m.features[0] = "caf\xE9";  // Latin-1, not UTF-8
  EXPECT_THAT(error_of([&] { slope::models::to_json(m); }),
              StartsWith("slope::models::to_json: a feature or label name is not UTF-8, as JSON "
                         "must be (incomplete UTF-8 string; last byte: 0xE9)"));
  m = linear_standardized();
  m.standardizer->scale(0) = 1e-306;  // w / scale = -5.8e306; times the mean 2977.6 overflows
  EXPECT_EQ(error_of([&] { slope::models::to_json(m); }),
            "slope::models::to_json: raw_parameters[2] overflows to inf (a weight divided by a "
            "tiny scale)");
  m = softmax();
  m.standardizer->scale(1) = 0.0;
  EXPECT_EQ(error_of([&] { m.model(); }),
            "slope::models::SavedModel::model: standardization.scale[1] is 0; a scale must be "
            "finite and > 0");
}

/// Writes `text` to a file in the test's temporary directory; returns its path.
std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "slope_saved_model_test_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  EXPECT_TRUE(out) << "cannot write " << path;
  return path;
}

TEST(LoadSavedModel, ReadsAFileAndNamesItInErrors) {
  const std::string path = write_file("good.json", slope::models::to_json(softmax()));
  expect_same(slope::models::load_saved_model(path), softmax());
  const std::string bad = write_file("bad.json", "{\"format\": \"slope-model\", \"version\": 7}");
  EXPECT_EQ(error_of([&] { slope::models::load_saved_model(bad); }),
            "slope::models::load_saved_model: " + bad +
                ": version 7 is not supported; this Slope reads version 1");
}

TEST(LoadSavedModel, CannotOpenGivesTheReason) {
  const std::string missing = ::testing::TempDir() + "slope_saved_model_test_no_such.json";
  EXPECT_EQ(
      error_of([&] { slope::models::load_saved_model(missing); }),
      "slope::models::load_saved_model: cannot open '" + missing + "': No such file or directory");
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(error_of([&] { slope::models::load_saved_model(dir); }),
            "slope::models::load_saved_model: cannot open '" + dir + "': it is a directory");
}

}  // namespace
