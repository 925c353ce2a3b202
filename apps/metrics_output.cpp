// SPDX-License-Identifier: MIT
#include "metrics_output.hpp"

#include <ostream>

#include <fmt/format.h>

#include "numbers.hpp"

using namespace slope;

nlohmann::json print_metrics(std::ostream& out, const models::SavedModel& model,
                             const models::Dataset& data, const std::string& heading) {
  const xt::xarray<double> predicted = model.predict(data.X);
  out << heading << " (" << data.size() << " rows of " << data.name << ")\n";
  if (model.kind == "linear") {
    const models::RegressionMetrics m = models::regression_metrics(data.y, predicted);
    out << "  MSE " << general(m.mse, 6) << ", MAE " << general(m.mae, 6) << ", R² "
        << general(m.r2, 6) << "\n";
    return {{"rows", m.rows}, {"mse", m.mse}, {"mae", m.mae}, {"r2", m.r2}};
  }
  const models::ClassificationMetrics m = models::classification_metrics(data.y, predicted);
  out << "  log-loss " << general(m.log_loss, 6) << ", accuracy " << general(m.accuracy, 6) << " ("
      << fmt::format("{:.1f}", 100 * m.accuracy) << " %)\n";
  out << "  confusion matrix (rows: true " << data.label << ", columns: predicted)\n";
  std::size_t width = 6;
  for (const auto& row : m.confusion)
    for (std::size_t c : row) width = std::max(width, std::to_string(c).size() + 2);
  out << "  " << right("", 6);
  for (std::size_t k = 0; k < m.classes; ++k) out << right(std::to_string(k), width);
  out << "\n";
  for (std::size_t t = 0; t < m.classes; ++t) {
    out << "  " << right(std::to_string(t), 6);
    for (std::size_t c : m.confusion[t]) out << right(std::to_string(c), width);
    out << "\n";
  }
  return {{"rows", m.rows},
          {"log_loss", m.log_loss},
          {"accuracy", m.accuracy},
          {"confusion", m.confusion}};
}
