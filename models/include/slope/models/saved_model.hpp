// SPDX-License-Identifier: MIT
#pragma once

// A fitted model as a file: what `slope train --save FILE` writes and `slope evaluate` and
// `slope predict` read. The file is JSON (version 1):
//   {"format": "slope-model", "version": 1, "kind": "linear", "features": ["weight"],
//    "label": "mpg", "standardization": {"mean": [3.31], "scale": [0.64]},
//    "parameter_names": ["weight", "bias"], "parameters": [-2.8, 17.1],
//    "raw_parameters": [-4.375, 31.58125]}
// ("classes": K follows "label" for softmax). Numbers are written so that they read back as the
// same doubles, bit for bit.
//
//   slope::models::SavedModel m{.kind = "linear", .features = {"weight"}, .label = "mpg",
//                               .parameters = {-7.0, 42.0}};
//   std::ofstream("model.json") << slope::models::to_json(m);
//   auto back = slope::models::load_saved_model("model.json");
//   xt::xarray<double> mpg = back.predict(slope::models::cars7().X);  // -7 weight + 42

#include <cstddef>
#include <memory>
#include <optional>
#include <slope/models/dataset.hpp>
#include <slope/models/model.hpp>
#include <string>
#include <string_view>
#include <vector>
#include <xtensor/xarray.hpp>

namespace slope::models {

/// A fitted model as `slope train --save FILE` writes it and `slope evaluate` / `slope predict`
/// read it. model(), predict() and raw_parameters() first check it as parse_saved_model checks a
/// file (kind, counts, finite numbers, names) and throw slope::Error on a defect.
struct SavedModel {
  // Every member has an initializer, so designated initializers may leave any of them out
  // (GCC's -Wmissing-field-initializers warns otherwise).
  std::string kind{};                          ///< "linear" | "logistic" | "softmax"
  std::vector<std::string> features{};         ///< the feature columns, in X's column order
  std::string label{};                         ///< the label column it was fitted to
  std::size_t classes = 0;                     ///< softmax: K (labels 0..K-1); else 0
  std::optional<Standardizer> standardizer{};  ///< set: features are standardized first
  /// The model's parameters on its input (standardized features when standardizer is set), in
  /// Model order: (w1..wD, b), or W row-major D×K then b[k].
  std::vector<double> parameters{};

  /// The model object: LinearRegression(D), LogisticRegression(D) or SoftmaxRegression(D, K).
  std::unique_ptr<Model> model() const;
  /// Predictions for raw features X (N×D): standardized first when standardizer is set. Values,
  /// P(y = 1), or N×K class probabilities, as Model::predict.
  xt::xarray<double> predict(const xt::xarray<double>& X) const;
  /// Parameters for the raw features, in Model order: with a standardizer, w_raw = w / scale and
  /// b_raw = b − Σ w_raw·mean (Standardizer::unstandardize; for softmax, class by class, since
  /// each class's logit is linear in the features); without one, parameters.
  std::vector<double> raw_parameters() const;
};

/// JSON text (indented by 2): {"format": "slope-model", "version": 1, "kind", "features",
/// "label", "classes" (softmax only), "standardization": null or {"mean": [...], "scale":
/// [...]}, "parameter_names": [...], "parameters": [...], "raw_parameters": [...]}; numbers
/// round-trip exactly. Throws slope::Error for a model parse_saved_model would reject (so every
/// file written can be read: also raw parameters that overflow) and for a name that is not valid
/// UTF-8 (JSON text is UTF-8).
std::string to_json(const SavedModel& m);

/// Parses and checks model-file text; `source` (a path) names it in errors. Every defect is a
/// slope::Error of one line naming the source, e.g.
///   slope::models::parse_saved_model: model.json: 'parameters' has 3 numbers, a linear model of
///   1 feature has 2
/// Defects: invalid JSON ("invalid JSON at byte 17 (line 2, column 5): ..."), no
/// "format": "slope-model", a version other than 1, a missing, unknown or repeated key, a value of
/// the wrong type, an unknown kind, a non-finite number (JSON writes NaN as null), empty or
/// repeated feature names, an empty label, standardization of the wrong length or with a scale
/// that is not > 0, softmax without a whole "classes" ≥ 2 (or "classes" on another kind),
/// parameter_names or parameter counts that do not fit the model, raw_parameters that disagree
/// with parameters and standardization by more than rounding (1e-9 of the terms summed). The
/// reader uses parameters; raw_parameters is there for people and other tools.
SavedModel parse_saved_model(std::string_view text, const std::string& source);

/// Reads a file and parses it as parse_saved_model does (its errors name load_saved_model). A
/// file that cannot be opened gives the system's reason:
///   slope::models::load_saved_model: cannot open 'model.json': No such file or directory
/// and a directory "...: it is a directory".
SavedModel load_saved_model(const std::string& path);

}  // namespace slope::models
