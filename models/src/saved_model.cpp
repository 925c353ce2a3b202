// SPDX-License-Identifier: MIT
// Model files: a SavedModel is checked by one function whichever way it arrives (built in code,
// written by to_json, read by parse_saved_model), so every file written can be read back and
// every file read gives a model that predicts.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <slope/core/error.hpp>
#include <slope/core/format.hpp>
#include <slope/models/saved_model.hpp>
#include <string>
#include <string_view>
#include <vector>
#include <xtensor/xadapt.hpp>

#include "text.hpp"

namespace slope::models {

using detail::quote;

namespace {

// Reading uses the sorted map: ordered_json looks keys up linearly, which a file of many keys
// would turn quadratic. Writing uses ordered_json, to keep the documented key order.
using Json = nlohmann::json;
constexpr std::string_view kKeys[] = {
    "format",          "version",         "kind",       "features",      "label", "classes",
    "standardization", "parameter_names", "parameters", "raw_parameters"};

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string describe(const SavedModel& m) {
  std::string out = "a " + m.kind + " model of " + plural(m.features.size(), "feature", "features");
  return m.kind == "softmax" ? out + " and " + plural(m.classes, "class", "classes") : out;
}

/// The parameter count of m's model, or SIZE_MAX when it would overflow (then nothing matches).
std::size_t parameter_count(const SavedModel& m) {
  const std::size_t rows = m.features.size() + 1;
  if (m.kind != "softmax") return rows;
  return m.classes > SIZE_MAX / rows ? SIZE_MAX : rows * m.classes;
}

/// raw_parameters, and beside each the size of the terms it sums: another machine's rounding
/// (fused multiply-adds) may change a bias in the last bits of that size, and no more.
std::vector<double> unstandardized(const SavedModel& m, std::vector<double>* size = nullptr) {
  if (size) size->assign(m.parameters.size(), 0.0);
  if (!m.standardizer) return m.parameters;
  const std::size_t d = m.features.size();
  const std::size_t k = m.kind == "softmax" ? m.classes : 1;
  std::vector<double> raw(m.parameters.size());
  // Each class's logit Σ_j W[j,c] z_j + b[c] is a linear model of its own in z.
  for (std::size_t c = 0; c < k; ++c) {
    xt::xarray<double> w = xt::xarray<double>::from_shape({d});
    for (std::size_t j = 0; j < d; ++j) w(j) = m.parameters[j * k + c];
    const auto [w_raw, b_raw] = m.standardizer->unstandardize(w, m.parameters[d * k + c]);
    double terms = std::abs(m.parameters[d * k + c]);
    for (std::size_t j = 0; j < d; ++j) {
      raw[j * k + c] = w_raw(j);
      terms += std::abs(w_raw(j) * m.standardizer->mean(j));
    }
    raw[d * k + c] = b_raw;
    if (size) (*size)[d * k + c] = terms;
  }
  return raw;
}

/// Throws slope::Error, its message starting with `where`, at the first defect of m.
void check(const SavedModel& m, const std::string& where) {
  auto fail = [&](const std::string& what) { throw Error(where + what); };
  if (m.kind != "linear" && m.kind != "logistic" && m.kind != "softmax")
    fail("unknown kind " + quote(m.kind) + " (linear, logistic or softmax)");
  if (m.features.empty()) fail("'features' is empty; a model needs at least one");
  std::map<std::string_view, std::size_t> seen;  // not a pairwise scan: files may be large
  for (std::size_t j = 0; j < m.features.size(); ++j) {
    if (m.features[j].empty()) fail("features[" + std::to_string(j) + "] is empty");
    const auto [at, fresh] = seen.emplace(m.features[j], j);
    if (!fresh)
      fail("feature " + quote(m.features[j]) + " appears twice (features[" +
           std::to_string(at->second) + "] and features[" + std::to_string(j) + "])");
  }
  if (m.label.empty()) fail("'label' is empty");
  if (m.kind == "softmax" && m.classes < 2)
    fail("a softmax model needs 'classes' >= 2, got " + std::to_string(m.classes));
  if (m.kind != "softmax" && m.classes != 0)
    fail("'classes' is for softmax models, not " + m.kind + " (got " + std::to_string(m.classes) +
         ")");
  if (m.standardizer) {
    for (const bool is_scale : {false, true}) {
      const xt::xarray<double>& v = is_scale ? m.standardizer->scale : m.standardizer->mean;
      const std::string name = std::string("standardization.") + (is_scale ? "scale" : "mean");
      if (v.dimension() != 1 || v.size() != m.features.size())
        fail("'" + name + "' has shape " + core::shape(v.shape()) + ", not (" +
             std::to_string(m.features.size()) + ",) for the features");
      for (std::size_t j = 0; j < v.size(); ++j)
        if (!std::isfinite(v(j)) || (is_scale && !(v(j) > 0.0)))
          fail(name + "[" + std::to_string(j) + "] is " + core::number(v(j)) +
               (is_scale ? "; a scale must be finite and > 0" : ", not finite"));
    }
  }
  const std::size_t count = parameter_count(m);
  if (m.parameters.size() != count)
    fail("'parameters' has " + plural(m.parameters.size(), "number", "numbers") + ", " +
         describe(m) + " has " +
         (count == SIZE_MAX ? "more than fit in memory" : std::to_string(count)));
  for (std::size_t i = 0; i < m.parameters.size(); ++i)
    if (!std::isfinite(m.parameters[i]))
      fail("parameters[" + std::to_string(i) + "] is " + core::number(m.parameters[i]) +
           ", not a finite number");
  const std::vector<double> raw = unstandardized(m);
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (!std::isfinite(raw[i]))
      fail("raw_parameters[" + std::to_string(i) + "] overflows to " + core::number(raw[i]) +
           " (a weight divided by a tiny scale)");
}

/// nlohmann's message without its "[json.exception.…] " tag and "parse error at line …: " lead.
std::string reason(const std::string& what) {
  std::string s = what.substr(what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2);
  if (s.starts_with("parse error") && s.find(": ") != std::string::npos)
    s = s.substr(s.find(": ") + 2);
  return detail::escape(s);
}

Json parse_json(std::string_view text, const std::string& where) {
  // The keys met in each object being read, innermost last: JSON allows a key twice and
  // nlohmann keeps the last, which would hide an edit.
  std::vector<std::set<std::string>> open;
  const Json::parser_callback_t on = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) open.emplace_back();
    if (event == Json::parse_event_t::object_end) open.pop_back();
    if (event == Json::parse_event_t::key && !open.back().insert(parsed.get<std::string>()).second)
      throw Error(where + "key " + quote(parsed.get<std::string>()) + " appears twice");
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), on);
  } catch (const Json::parse_error& e) {
    // e.byte counts from 1 and points at the last byte read, where the text went wrong.
    const std::string_view before = text.substr(0, e.byte == 0 ? 0 : e.byte - 1);
    const std::size_t column = before.size() - (before.rfind('\n') + 1) + 1;  // npos + 1 == 0
    throw Error(where + "invalid JSON at byte " + std::to_string(e.byte) + " (line " +
                std::to_string(std::ranges::count(before, '\n') + 1) + ", column " +
                std::to_string(column) + "): " + reason(e.what()));
  } catch (const Json::exception& e) {
    throw Error(where + "invalid JSON: " + reason(e.what()));
  }
}

/// obj[key] as a T; slope::Error naming the key when it is missing or holds another type.
template <class T>
T read(const Json& obj, const char* key, const std::string& where, const char* in = nullptr) {
  const std::string name = in ? std::string(in) + "." + key : std::string(key);
  const auto it = obj.find(key);
  if (it == obj.end()) throw Error(where + "missing key '" + name + "'");
  try {
    return it->template get<T>();
  } catch (const Json::type_error& e) {
    const std::string why = reason(e.what());
    throw Error(where + "'" + name + "': " + why +
                (why.ends_with("is null") ? " (JSON writes NaN and infinity as null)" : ""));
  }
}

// parse_saved_model with `who` naming the public call in the errors.
SavedModel parse_as(std::string_view who, std::string_view text, const std::string& source) {
  const std::string where = std::string(who) + ": " + detail::escape(source) + ": ";
  auto fail = [&](const std::string& what) { throw Error(where + what); };
  const Json doc = parse_json(text, where);
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "slope-model")
    fail(std::string("not a Slope model file (no \"format\": \"slope-model\"") +
         (doc.is_object() ? ")" : "; top-level JSON value: " + std::string(doc.type_name()) + ")"));
  const Json version = read<Json>(doc, "version", where);
  if (!version.is_number_integer() || version != 1)
    fail("version " + version.dump() + " is not supported; this Slope reads version 1");
  for (const auto& [key, value] : doc.items())
    if (std::ranges::find(kKeys, key) == std::end(kKeys))
      fail("unknown key " + quote(key) + " in a version 1 model file");

  SavedModel m;
  m.kind = read<std::string>(doc, "kind", where);
  m.features = read<std::vector<std::string>>(doc, "features", where);
  m.label = read<std::string>(doc, "label", where);
  // check() turns away "classes" on another kind, unless it is 0 (none).
  if (m.kind == "softmax" || doc.contains("classes")) {
    // By hand: nlohmann would turn 2.5 or -1 into a std::size_t without a word.
    const Json k = read<Json>(doc, "classes", where);
    if (!k.is_number_unsigned()) fail("'classes' must be a whole number >= 2, got " + k.dump());
    m.classes = k.get<std::size_t>();
  }
  const Json s = read<Json>(doc, "standardization", where);
  if (!s.is_null()) {
    if (!s.is_object())
      fail("'standardization' must be null or {\"mean\": [...], \"scale\": [...]}, got " +
           std::string(s.type_name()));
    for (const auto& [key, value] : s.items())
      if (key != "mean" && key != "scale")
        fail("unknown key " + quote(key) + " in standardization");
    m.standardizer =
        Standardizer{xt::adapt(read<std::vector<double>>(s, "mean", where, "standardization")),
                     xt::adapt(read<std::vector<double>>(s, "scale", where, "standardization"))};
  }
  m.parameters = read<std::vector<double>>(doc, "parameters", where);
  const auto names = read<std::vector<std::string>>(doc, "parameter_names", where);
  const auto raw = read<std::vector<double>>(doc, "raw_parameters", where);
  check(m, where);

  // The names and raw parameters are derived; they must agree with what they derive from.
  const std::vector<std::string> expected = m.model()->named_parameters(m.features);
  if (names != expected) {
    std::size_t i = 0;
    while (i < names.size() && i < expected.size() && names[i] == expected[i]) ++i;
    fail("parameter_names[" + std::to_string(i) + "] is " +
         (i < names.size() ? quote(names[i]) : "missing") + ", " + describe(m) + " has " +
         (i < expected.size() ? quote(expected[i]) : "no more names") + " there");
  }
  std::vector<double> size;
  const std::vector<double> want = unstandardized(m, &size);
  if (raw.size() != want.size())
    fail("'raw_parameters' has " + plural(raw.size(), "number", "numbers") + ", 'parameters' has " +
         std::to_string(want.size()));
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (!(std::abs(raw[i] - want[i]) <= 1e-9 * size[i]))
      fail("raw_parameters[" + std::to_string(i) + "] is " + core::number(raw[i]) +
           " but 'parameters' and 'standardization' give " + core::number(want[i]) +
           " (edited by hand?)");
  return m;
}

}  // namespace

std::unique_ptr<Model> SavedModel::model() const {
  check(*this, "slope::models::SavedModel::model: ");
  if (kind == "softmax") return std::make_unique<SoftmaxRegression>(features.size(), classes);
  if (kind == "logistic") return std::make_unique<LogisticRegression>(features.size());
  return std::make_unique<LinearRegression>(features.size());
}

xt::xarray<double> SavedModel::predict(const xt::xarray<double>& X) const {
  const std::string who = "slope::models::SavedModel::predict: ";
  check(*this, who);
  if (X.dimension() != 2 || X.shape(1) != features.size())
    throw Error(who + "X has shape " + core::shape(X.shape()) + ", the model takes (N," +
                std::to_string(features.size()) + ") for " +
                plural(features.size(), "feature", "features"));
  return model()->predict(parameters, standardizer ? standardizer->apply(X) : X);
}

std::vector<double> SavedModel::raw_parameters() const {
  check(*this, "slope::models::SavedModel::raw_parameters: ");
  return unstandardized(*this);
}

std::string to_json(const SavedModel& m) {
  check(m, "slope::models::to_json: ");
  nlohmann::ordered_json j;
  j["format"] = "slope-model";
  j["version"] = 1;
  j["kind"] = m.kind;
  j["features"] = m.features;
  j["label"] = m.label;
  if (m.kind == "softmax") j["classes"] = m.classes;
  j["standardization"] = nullptr;
  if (m.standardizer) {
    const auto& s = *m.standardizer;
    j["standardization"] = {{"mean", std::vector<double>(s.mean.begin(), s.mean.end())},
                            {"scale", std::vector<double>(s.scale.begin(), s.scale.end())}};
  }
  j["parameter_names"] = m.model()->named_parameters(m.features);
  j["parameters"] = m.parameters;
  j["raw_parameters"] = unstandardized(m);
  try {
    return j.dump(2) + "\n";
  } catch (const Json::type_error& e) {  // the only text that can be bad is a name
    throw Error("slope::models::to_json: a feature or label name is not UTF-8, as JSON must be (" +
                reason(e.what()) + ")");
  }
}

SavedModel parse_saved_model(std::string_view text, const std::string& source) {
  return parse_as("slope::models::parse_saved_model", text, source);
}

SavedModel load_saved_model(const std::string& path) {
  const std::string text = detail::read_file("slope::models::load_saved_model", path);
  return parse_as("slope::models::load_saved_model", text, path);
}

}  // namespace slope::models
