// SPDX-License-Identifier: MIT
#pragma once

// The progress bar of `slope train`: drawn on stderr when both stdout and stderr are a terminal
// and the run has lasted a second (a quick run shows only its table), erased while a table row
// is printed so the two never share a line, and ended at 100 % or at the iteration the run
// stopped at. SLOPE_PROGRESS=always draws it from the start whatever the output is (for tests and
// logs), SLOPE_PROGRESS=never never.
//   Progress bar(budget);
//   callbacks.push_back([&bar](const optim::State& s) { bar.update(s); return false; });
//   ... bar.clear(); print a row; bar.redraw(); ...
//   bar.finish(result);

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <slope/optim.hpp>
#include <string>

class Progress {
 public:
  /// A bar over `total` iterations (or epochs), on stderr when it should be drawn at all.
  explicit Progress(std::size_t total);
  /// Notes the iteration; draws when the bar is due and has moved.
  void update(const slope::optim::State& s);
  /// Erases the bar from its line (before other output to the terminal).
  void clear();
  /// Draws it again where it stood (after that output).
  void redraw();
  /// The last state: full when the run stopped early or used its budget, with why, and a newline.
  void finish(const slope::optim::Result& r);
  /// Whether anything was drawn.
  bool shown() const { return shown_; }

 private:
  void draw_state();
  void draw(const std::string& tail, std::size_t filled);
  std::FILE* out_ = nullptr;  // null: never drawn
  std::size_t total_;
  bool terminal_ = false;  // erase with an escape sequence (else a newline keeps lines apart)
  bool shown_ = false;
  std::size_t done_ = 0;
  double loss_ = 0;
  std::size_t drawn_ = ~std::size_t{0};  // the permille last drawn
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double delay_ = 1.0;
};
