// SPDX-License-Identifier: MIT
#pragma once

// How every `slope` subcommand reads its options: Boost.Program_options errors become one-line
// UsageErrors naming the subcommand (exit 2), and --help prints the usage and the options.
//   po::options_description desc("slope train options");
//   desc.add_options()("help,h", "this help")(...);
//   po::variables_map vm;
//   if (!parse_command_line(argc, argv, desc, "train", vm)) return 0;  // --help was printed

#include <boost/program_options.hpp>
#include <iostream>
#include <string>

#include "usage_error.hpp"

/// "slope 0.1.0\n".
inline std::string version_line() { return std::string("slope ") + SLOPE_VERSION + "\n"; }

/// Stores and notifies argv (argv[0] is skipped) into vm; false when --help or --version was asked
/// for and printed. `command` is the subcommand as typed ("train", "bench report").
inline bool parse_command_line(int argc, char** argv,
                               const boost::program_options::options_description& desc,
                               const std::string& command,
                               boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--version") {
      std::cout << version_line();
      return false;
    }
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(command + ": " + e.what());
  }
  if (vm.count("help") == 0) return true;
  std::cout << "usage: slope " << command << " [options]\n" << desc;
  return false;
}
