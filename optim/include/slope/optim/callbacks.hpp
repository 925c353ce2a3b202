// SPDX-License-Identifier: MIT
#pragma once

// Built-in callbacks (a callback that returns true stops the run):
//   Callbacks watch{print_table(std::cout, 10), progress_bar(1000), early_stopping(20)};
//   Result r = opt.minimize(f, x0, watch);
// (runs as examples/optimizers.cpp)

#include <cstddef>
#include <cstdio>
#include <iosfwd>
#include <slope/optim/run.hpp>

namespace slope::optim {

/// Prints a table (iteration, loss, ‖g‖, step and, when dimension ≤ 4, the parameters) every
/// `every` iterations, starting with iteration 0. Never asks to stop.
Callback print_table(std::ostream& out, std::size_t every = 1);

/// Draws a progress bar over `total` iterations on `out` when it is a terminal; does nothing
/// otherwise (pipes and files stay clean). Never asks to stop.
Callback progress_bar(std::size_t total, std::FILE* out = stdout);

/// Stops when the loss has not improved on its best by more than `min_delta` for `patience`
/// consecutive iterations.
Callback early_stopping(std::size_t patience, double min_delta = 0.0);

}  // namespace slope::optim
