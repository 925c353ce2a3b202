// SPDX-License-Identifier: MIT
// Model files: exact round trips, predictions on raw and standardized features, and the message
// of every defect a file can have.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <slope/core/error.hpp>
#include <slope/models/saved_model.hpp>

#include "dataset_fixtures.hpp"

namespace {

using dataset_fixtures::error_of;
using dataset_fixtures::values;
using slope::models::SavedModel;
using slope::models::Standardizer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

xt::xarray<double> vec(std::vector<double> v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

/// A rows×cols matrix from row-major values (braces would be ambiguous for one column).
xt::xarray<double> matrix(std::size_t rows, std::size_t cols, std::vector<double> v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({rows, cols});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

std::vector<std::uint64_t> bits(const std::vector<double>& v) {
  std::vector<std::uint64_t> out;
  for (const double x : v) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

// Values whose shortest decimal form is long, or which a careless writer loses: a third, a
// subnormal, negative zero, the largest double.
SavedModel linear_standardized() {
  return {.kind = "linear",
          .features = {"weight", "horse power"},
          .label = "mpg",
          .standardizer = Standardizer{vec({2977.5841836734694, 104.46938775510205}),
                                       vec({848.31840927394, 38.442032569926})},
          .parameters = {-5.8, 1.0 / 3.0, 23.445918367346938}};
}

SavedModel logistic() {
  return {.kind = "logistic",
          .features = {"x1", "x2", "x3"},
          .label = "y",
          .parameters = {5e-324, -0.0, std::numeric_limits<double>::max(), 0.1}};
}

SavedModel softmax() {
  // W (2×3) row-major, then b (3).
  return {.kind = "softmax",
          .features = {"a", "b"},
          .label = "class",
          .classes = 3,
          .standardizer = Standardizer{vec({1.5, -2.0}), vec({0.5, 4.0})},
          .parameters = {0.3, -1.2, 0.9, 2.0 / 3.0, 0.0, -0.7, 0.05, 0.25, -0.3}};
}

void expect_same(const SavedModel& a, const SavedModel& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.features, b.features);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.classes, b.classes);
  EXPECT_EQ(bits(a.parameters), bits(b.parameters));
  ASSERT_EQ(a.standardizer.has_value(), b.standardizer.has_value());
  if (a.standardizer) {
    EXPECT_EQ(bits(values(a.standardizer->mean)), bits(values(b.standardizer->mean)));
    EXPECT_EQ(bits(values(a.standardizer->scale)), bits(values(b.standardizer->scale)));
  }
}

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
  EXPECT_THAT(text, HasSubstr("\"W1,0\""));
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

/// `text` with the first `from` replaced by `to` (a failure when `from` is not in it).
std::string edited(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in\n" << text;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

std::string parse_error(const std::string& text) {
  return error_of([&] { slope::models::parse_saved_model(text, "model.json"); });
}

const std::string kWhere = "slope::models::parse_saved_model: model.json: ";

TEST(ParseSavedModel, InvalidJsonGivesTheByteLineAndColumn) {
  EXPECT_EQ(parse_error("{\"format\": }"),
            kWhere +
                "invalid JSON at byte 12 (line 1, column 12): syntax error while parsing "
                "value - unexpected '}'; expected '[', '{', or a literal");
  EXPECT_THAT(parse_error("{\n  \"format\": \"slope-model\",\n  \"version\": 1,,\n}"),
              StartsWith(kWhere + "invalid JSON at byte 45 (line 3, column 16): "));
  EXPECT_THAT(parse_error(""), StartsWith(kWhere + "invalid JSON at byte 1 (line 1, column 1): "));
  EXPECT_THAT(parse_error("{\"parameters\": [1e400]}"),
              HasSubstr(kWhere + "invalid JSON: number overflow parsing '1e400'"));
  // A raw newline in a string: the message stays on one line.
  const std::string e = parse_error("{\"kind\": \"li\nnear\"}");
  EXPECT_THAT(e, StartsWith(kWhere + "invalid JSON at byte 13 (line 1, column 13): "));
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(ParseSavedModel, NotASlopeModelFile) {
  const std::string message = "not a Slope model file (no \"format\": \"slope-model\"";
  EXPECT_EQ(parse_error("[1, 2]"), kWhere + message + "; top-level JSON value: array)");
  EXPECT_EQ(parse_error("{\"kind\": \"linear\"}"), kWhere + message + ")");
  EXPECT_EQ(parse_error("{\"format\": \"slope-data\"}"), kWhere + message + ")");
  // Deep nesting is read and freed without recursion: an error, not a stack overflow.
  const std::size_t deep = 100000;
  EXPECT_EQ(parse_error(std::string(deep, '[') + std::string(deep, ']')),
            kWhere + message + "; top-level JSON value: array)");
  std::string objects;
  for (std::size_t i = 0; i < deep; ++i) objects += "{\"a\": ";
  EXPECT_EQ(parse_error(objects + "1" + std::string(deep, '}')), kWhere + message + ")");
}

TEST(ParseSavedModel, VersionAndKeys) {
  const std::string good = slope::models::to_json(logistic());
  EXPECT_EQ(parse_error(edited(good, "\"version\": 1", "\"version\": 2")),
            kWhere + "version 2 is not supported; this Slope reads version 1");
  EXPECT_EQ(parse_error(edited(good, "\"version\": 1", "\"version\": \"1\"")),
            kWhere + "version \"1\" is not supported; this Slope reads version 1");
  EXPECT_EQ(parse_error(edited(good, "\"version\": 1,", "")), kWhere + "missing key 'version'");
  EXPECT_EQ(parse_error(edited(good, "\"label\": \"y\"", "\"labels\": \"y\"")),
            kWhere + "unknown key 'labels' in a version 1 model file");
  EXPECT_EQ(parse_error(edited(good, "\"label\": \"y\"", "\"label\": \"y\", \"label\": \"z\"")),
            kWhere + "key 'label' appears twice");
  EXPECT_EQ(parse_error(edited(good, "\"raw_parameters\"", "\"raw_parameter\"")),
            kWhere + "unknown key 'raw_parameter' in a version 1 model file");
  EXPECT_EQ(parse_error("{\"format\": \"slope-model\", \"version\": 1, \"kind\": \"linear\"}"),
            kWhere + "missing key 'features'");
}

TEST(ParseSavedModel, WrongTypes) {
  const std::string good = slope::models::to_json(logistic());
  EXPECT_EQ(parse_error(edited(good, "\"kind\": \"logistic\"", "\"kind\": 3")),
            kWhere + "'kind': type must be string, but is number");
  EXPECT_EQ(parse_error(edited(good, "\"label\": \"y\"", "\"label\": [\"y\"]")),
            kWhere + "'label': type must be string, but is array");
  EXPECT_EQ(parse_error(edited(good, "\"x2\"", "2")),
            kWhere + "'features': type must be string, but is number");
  EXPECT_EQ(parse_error(edited(good, "5e-324", "null")),
            kWhere +
                "'parameters': type must be number, but is null (JSON writes NaN and "
                "infinity as null)");
  EXPECT_EQ(parse_error(edited(good, "5e-324", "\"5e-324\"")),
            kWhere + "'parameters': type must be number, but is string");
  EXPECT_EQ(parse_error(edited(good, "\"standardization\": null", "\"standardization\": [1]")),
            kWhere +
                "'standardization' must be null or {\"mean\": [...], \"scale\": [...]}, "
                "got array");
}

TEST(ParseSavedModel, KindFeaturesAndLabel) {
  const std::string good = slope::models::to_json(logistic());
  EXPECT_EQ(parse_error(edited(good, "\"kind\": \"logistic\"", "\"kind\": \"tree\"")),
            kWhere + "unknown kind 'tree' (linear, logistic or softmax)");
  EXPECT_EQ(parse_error(edited(good, "\"x2\"", "\"\"")), kWhere + "features[1] is empty");
  EXPECT_EQ(parse_error(edited(good, "\"x3\"", "\"x1\"")),
            kWhere + "feature 'x1' appears twice (features[0] and features[2])");
  // A name with a newline and a NUL is quoted escaped: the message is one whole line.
  const std::string odd =
      edited(edited(good, "\"x1\"", "\"x\\n\\u0000\""), "\"x3\"", "\"x\\n\\u0000\"");
  EXPECT_EQ(parse_error(odd),
            kWhere + "feature 'x\\n\\0' appears twice (features[0] and features[2])");
  EXPECT_EQ(parse_error(edited(good, "\"features\": [", "\"features\": [], \"f\": [")),
            kWhere + "unknown key 'f' in a version 1 model file");
  EXPECT_EQ(parse_error(edited(good, "\"label\": \"y\"", "\"label\": \"\"")),
            kWhere + "'label' is empty");
}

TEST(ParseSavedModel, EmptyFeatures) {
  std::string text = slope::models::to_json(logistic());
  text = edited(text, "\"x1\",\n    \"x2\",\n    \"x3\"", "");
  EXPECT_EQ(parse_error(text), kWhere + "'features' is empty; a model needs at least one");
}

TEST(ParseSavedModel, ParameterCountsNamesAndRawParameters) {
  const SavedModel one{.kind = "linear", .features = {"x"}, .label = "y", .parameters = {2, 1}};
  const std::string good = slope::models::to_json(one);
  EXPECT_EQ(
      parse_error(edited(good, "\"parameters\": [\n    2.0,", "\"parameters\": [\n    3.0, 2.0,")),
      kWhere + "'parameters' has 3 numbers, a linear model of 1 feature has 2");
  EXPECT_EQ(parse_error(edited(good, "\"w\"", "\"x\"")),
            kWhere + "parameter_names[0] is 'x', a linear model of 1 feature has 'w' there");
  EXPECT_EQ(parse_error(edited(good, "\"w\",", "")),
            kWhere + "parameter_names[0] is 'b', a linear model of 1 feature has 'w' there");
  EXPECT_EQ(
      parse_error(edited(good, "\"raw_parameters\": [\n    2.0", "\"raw_parameters\": [\n    2.5")),
      kWhere +
          "raw_parameters[0] is 2.5 but 'parameters' and 'standardization' give 2 "
          "(edited by hand?)");
  EXPECT_EQ(parse_error(edited(good, "\"raw_parameters\": [\n    2.0,", "\"raw_parameters\": [")),
            kWhere + "'raw_parameters' has 1 number, 'parameters' has 2");

  const std::string softmax_text = slope::models::to_json(softmax());
  EXPECT_EQ(parse_error(edited(softmax_text, "\"b2\"", "\"b9\"")),
            kWhere +
                "parameter_names[8] is 'b9', a softmax model of 2 features and 3 classes has "
                "'b2' there");
}

TEST(ParseSavedModel, Classes) {
  const std::string good = slope::models::to_json(softmax());
  EXPECT_EQ(parse_error(edited(good, "\"classes\": 3,", "")), kWhere + "missing key 'classes'");
  EXPECT_EQ(parse_error(edited(good, "\"classes\": 3", "\"classes\": 1")),
            kWhere + "a softmax model needs 'classes' >= 2, got 1");
  EXPECT_EQ(parse_error(edited(good, "\"classes\": 3", "\"classes\": 2.5")),
            kWhere + "'classes' must be a whole number >= 2, got 2.5");
  EXPECT_EQ(parse_error(edited(good, "\"classes\": 3", "\"classes\": -3")),
            kWhere + "'classes' must be a whole number >= 2, got -3");
  EXPECT_EQ(
      parse_error(edited(good, "\"classes\": 3", "\"classes\": 4")),
      kWhere + "'parameters' has 9 numbers, a softmax model of 2 features and 4 classes has 12");
  // So many classes that (D + 1)·K overflows: a count mismatch, not a huge allocation.
  EXPECT_THAT(parse_error(edited(good, "\"classes\": 3", "\"classes\": 18446744073709551615")),
              HasSubstr("'parameters' has 9 numbers, a softmax model of 2 features and "
                        "18446744073709551615 classes has more than fit in memory"));
  const std::string linear = slope::models::to_json(logistic());
  EXPECT_EQ(parse_error(edited(linear, "\"label\": \"y\",", "\"label\": \"y\", \"classes\": 2,")),
            kWhere + "'classes' is for softmax models, not logistic (got 2)");
}

TEST(ParseSavedModel, Standardization) {
  const std::string good = slope::models::to_json(linear_standardized());
  EXPECT_EQ(parse_error(edited(good, "\"mean\": [", "\"mean\": [ 1.0,")),
            kWhere + "'standardization.mean' has shape (3,), not (2,) for the features");
  EXPECT_EQ(parse_error(edited(good, "848.31840927394", "0.0")),
            kWhere + "standardization.scale[0] is 0; a scale must be finite and > 0");
  EXPECT_EQ(parse_error(edited(good, "848.31840927394", "-1.5")),
            kWhere + "standardization.scale[0] is -1.5; a scale must be finite and > 0");
  EXPECT_EQ(parse_error(edited(good, "\"scale\": [", "\"scales\": [")),
            kWhere + "unknown key 'scales' in standardization");
  EXPECT_EQ(parse_error(edited(good, "\"mean\": [", "\"scale\": 1, \"mean\": [")),
            kWhere + "key 'scale' appears twice");
  EXPECT_EQ(parse_error(edited(good, "104.46938775510205", "null")),
            kWhere +
                "'standardization.mean': type must be number, but is null (JSON writes NaN "
                "and infinity as null)");
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
            "slope::models::parse_saved_model: " + bad +
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
