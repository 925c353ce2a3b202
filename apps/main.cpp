// SPDX-License-Identifier: MIT
// The slope command. Bad usage is one line on stderr and exit code 2.

#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <slope/core/error.hpp>

int run_demo(int argc, char** argv);
int run_train(int argc, char** argv);
int run_check(int argc, char** argv);
int run_bench(int argc, char** argv);

namespace {
constexpr std::string_view kUsage =
    "usage: slope demo    print the seven cars' MSE loss, gradient, Hessian and gradient check\n"
    "       slope train   fit a model with an optimizer (slope train --help for the options)\n"
    "       slope check   check a model's gradient and Hessian-vector product on a dataset\n"
    "       slope bench report   merge the benchmark suite's results into REPORT.md\n";
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "slope: missing command (try: slope demo, slope train, slope check)\n";
    return 2;
  }
  const std::string_view cmd = argv[1];
  try {
    if (cmd == "demo") return run_demo(argc - 2, argv + 2);
    if (cmd == "train") return run_train(argc - 1, argv + 1);
    if (cmd == "check") return run_check(argc - 1, argv + 1);
    if (cmd == "bench") return run_bench(argc - 1, argv + 1);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "slope: unknown command '" << cmd
              << "' (try: slope demo, slope train, slope check)\n";
    return 2;
  } catch (const slope::Error& e) {
    std::cerr << "slope: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "slope: internal error: " << e.what() << "\n";
    return 1;
  }
}
