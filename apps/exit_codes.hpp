// SPDX-License-Identifier: MIT
#pragma once

// The exit codes of every `slope` command, as `slope --help` and the README list them: a script
// can tell a fit that ran its course from a failed check, bad input and a run that blew up.

enum ExitCode : int {
  kExitOk = 0,           // converged, or the budget ran out
  kExitCheckFailed = 1,  // a derivative check failed (or an internal error)
  kExitUsage = 2,        // bad usage or bad input: one line on stderr
  kExitDiverged = 3,     // the run diverged: one line on stderr with the likely cause
};
