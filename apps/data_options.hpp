// SPDX-License-Identifier: MIT
#pragma once

// The options `slope train` and `slope check` share: which data, which columns, which model.
//   DataOptions d;
//   add_data_options(desc, d);  // --dataset --data --features --label --model --rows --dims
//   ... parse_command_line(argc, argv, desc, "train", vm) ...
//   models::Dataset data = load_dataset(d, vm);
//   auto model = make_model(d, data);

#include <boost/program_options.hpp>
#include <cstdint>
#include <memory>
#include <slope/models.hpp>
#include <string>
#include <vector>

struct DataOptions {
  std::string dataset = "cars7", data, features, label = "mpg";
  std::string model;                // empty: logistic on synthetic-logistic, linear otherwise
  long long rows = 1000, dims = 5;  // signed: "-5" must be an error, not a wrap
  std::uint64_t seed = 1;
};

void add_data_options(boost::program_options::options_description& desc, DataOptions& o);

/// The dataset the options name; throws UsageError for unknown names and option mixes that do
/// not apply (slope::Error from the CSV loader names file, line and column).
slope::models::Dataset load_dataset(const DataOptions& o,
                                    const boost::program_options::variables_map& vm);

std::unique_ptr<slope::models::Model> make_model(const DataOptions& o,
                                                 const slope::models::Dataset& d);

/// "a,b,,c" → {"a", "b", "c"}.
std::vector<std::string> split_commas(const std::string& s);

/// "1.5,-2" → {1.5, -2}; `option` names the option in the error for a bad or missing number.
std::vector<double> parse_numbers(const std::string& s, const std::string& option);
