// SPDX-License-Identifier: MIT
// The slope command. Exit codes (kept in exit_codes.hpp, listed by --help and the README): 0 a
// run converged or used its budget, 1 a check failed, 2 bad usage or input (one line on stderr),
// 3 a run diverged.

#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <slope/core/error.hpp>

#include "command_line.hpp"
#include "exit_codes.hpp"

int run_demo(int argc, char** argv);
int run_train(int argc, char** argv);
int run_check(int argc, char** argv);
int run_evaluate(int argc, char** argv);
int run_predict(int argc, char** argv);
int run_bench(int argc, char** argv);

namespace {

constexpr std::string_view kUsage =
    "usage: slope demo       print the seven cars' MSE loss, gradient, Hessian and gradient check\n"
    "       slope train      fit a model with an optimizer (--save writes it)\n"
    "       slope evaluate   a saved model's metrics on data\n"
    "       slope predict    a saved model's predictions for data, as CSV\n"
    "       slope check      check a model's gradient and Hessian-vector product on a dataset\n"
    "       slope bench report   merge the benchmark suite's results into REPORT.md\n"
    "       slope --version\n"
    "Every command takes --help.\n"
    "Exit codes: 0 done (converged or budget reached), 1 a check failed, 2 bad usage or input,\n"
    "3 the run diverged.\n";
constexpr std::string_view kCommands = "slope demo, train, evaluate, predict, check, bench";

// "slope::models::load_csv: cannot open …" → "cannot open …": the command's user did not call
// the function, and the message says what went wrong on its own.
std::string without_scope(std::string_view what) {
  while (what.starts_with("slope::")) {
    const std::size_t end = what.find(": ");
    const std::size_t space = what.find(' ');
    if (end == std::string_view::npos || space < end) break;
    what.remove_prefix(end + 2);
  }
  return std::string(what);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "slope: missing command (try: " << kCommands << "; slope --help)\n";
    return kExitUsage;
  }
  const std::string_view cmd = argv[1];
  try {
    if (cmd == "demo") return run_demo(argc - 1, argv + 1);
    if (cmd == "train") return run_train(argc - 1, argv + 1);
    if (cmd == "evaluate") return run_evaluate(argc - 1, argv + 1);
    if (cmd == "predict") return run_predict(argc - 1, argv + 1);
    if (cmd == "check") return run_check(argc - 1, argv + 1);
    if (cmd == "bench") return run_bench(argc - 1, argv + 1);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (cmd == "--version" || cmd == "version") {
      std::cout << version_line();
      return kExitOk;
    }
    std::cerr << "slope: unknown command '" << cmd << "' (try: " << kCommands << ")\n";
    return kExitUsage;
  } catch (const slope::Error& e) {
    std::cerr << "slope: " << without_scope(e.what()) << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "slope: internal error: " << e.what() << "\n";
    return kExitCheckFailed;
  }
}
