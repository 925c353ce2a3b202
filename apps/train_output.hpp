// SPDX-License-Identifier: MIT
#pragma once

// What `slope train` prints and writes: the table of the run, the summary, the history CSV and
// the result JSON. Parameters are named after the features (and `bias`); every output shows the
// parameters for the raw features, and with --standardize the history and JSON also carry the
// standardized ones under names that say so.

#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <slope/models.hpp>
#include <slope/optim.hpp>
#include <string>
#include <vector>

class Progress;

/// The optimizer's x as the outputs show it (for the raw features).
using ToRaw = std::function<std::vector<double>(slope::optim::Span x)>;

/// The worked example's table: the first six iterations, then every `every`-th. Up to eight
/// parameters get a column each; a larger model shows the gradient norm instead. The bar, when
/// drawn, is erased while a row is printed.
slope::optim::Callback table(std::ostream& out, const std::vector<std::string>& names,
                             std::size_t every, ToRaw to_raw, Progress& bar);

/// "stopped: …", loss, parameters (raw, and standardized when given), gradient norm, time.
void print_summary(std::ostream& out, const slope::optim::Result& r, const std::string& unit,
                   double tolerance, const std::vector<std::string>& names,
                   const std::vector<double>& raw, const std::vector<double>* standardized);

/// iteration,loss,gradient_norm,step, one column per parameter (raw), and with `standardized`
/// one more per parameter named "NAME (standardized)": the optimizer's own x. No parameter
/// columns when the history holds no parameters (more than 16 of them).
std::string history_csv(const slope::optim::Result& r, const std::vector<std::string>& names,
                        const ToRaw& to_raw, bool standardized);

/// "a,b" → "\"a,b\"": a CSV field, quoted when it must be.
std::string csv_field(const std::string& s);
