// SPDX-License-Identifier: MIT
// Model files: the one-line message of every defect a file can have, each made by editing a good
// file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <slope/core/error.hpp>
#include <slope/models/saved_model.hpp>

#include "dataset_fixtures.hpp"
#include "saved_model_fixtures.hpp"

namespace {

using namespace saved_model_fixtures;
using dataset_fixtures::error_of;
using ::testing::HasSubstr;
using ::testing::StartsWith;

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
  EXPECT_EQ(parse_error(edited(good, "\"bias\"", "\"b\"")),
            kWhere + "parameter_names[1] is 'b', a linear model of 1 feature has 'bias' there");
  EXPECT_EQ(parse_error(edited(good, "\"x\",", "")),
            kWhere + "parameter_names[0] is 'bias', a linear model of 1 feature has 'x' there");
  EXPECT_EQ(
      parse_error(edited(good, "\"raw_parameters\": [\n    2.0", "\"raw_parameters\": [\n    2.5")),
      kWhere +
          "raw_parameters[0] is 2.5 but 'parameters' and 'standardization' give 2 "
          "(edited by hand?)");
  EXPECT_EQ(parse_error(edited(good, "\"raw_parameters\": [\n    2.0,", "\"raw_parameters\": [")),
            kWhere + "'raw_parameters' has 1 number, 'parameters' has 2");

  const std::string softmax_text = slope::models::to_json(softmax());
  EXPECT_EQ(parse_error(edited(softmax_text, "\"bias[2]\"", "\"bias[9]\"")),
            kWhere +
                "parameter_names[8] is 'bias[9]', a softmax model of 2 features and 3 classes has "
                "'bias[2]' there");
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

}  // namespace
