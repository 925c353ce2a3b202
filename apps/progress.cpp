// SPDX-License-Identifier: MIT
#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "numbers.hpp"

namespace {
constexpr std::size_t kWidth = 30;
}

Progress::Progress(std::size_t total) : total_(std::max<std::size_t>(total, 1)) {
  const char* env = std::getenv("SLOPE_PROGRESS");
  const std::string_view mode = env ? env : "";
  terminal_ = isatty(fileno(stdout)) != 0 && isatty(fileno(stderr)) != 0;
  if (mode == "never") return;
  if (mode == "always") {
    delay_ = 0;
    out_ = stderr;
  } else if (terminal_) {
    out_ = stderr;
  }
}

void Progress::update(const slope::optim::State& s) {
  done_ = std::min(s.iteration, total_);
  loss_ = s.loss;
  if (out_ == nullptr) return;
  if (!shown_) {
    const std::chrono::duration<double> lasted = std::chrono::steady_clock::now() - start_;
    if (lasted.count() < delay_) return;
  }
  const std::size_t permille = done_ * 1000 / total_;
  if (shown_ && permille == drawn_) return;  // redraw only when the bar moves
  drawn_ = permille;
  draw_state();
}

void Progress::draw_state() {
  draw(fmt::format("{:3}%  iteration {}/{}  loss {}", done_ * 100 / total_, done_, total_,
                   general(loss_, 6)),
       done_ * kWidth / total_);
}

void Progress::draw(const std::string& tail, std::size_t filled) {
  fmt::print(out_, "\r{}[{}{}] {}", terminal_ ? "\033[2K" : "", std::string(filled, '#'),
             std::string(kWidth - filled, ' '), tail);
  std::fflush(out_);
  shown_ = true;
}

void Progress::clear() {
  if (!shown_) return;
  // Off a terminal an escape sequence would be noise: the bar's line ends instead.
  std::fputs(terminal_ ? "\r\033[2K" : "\n", out_);
  std::fflush(out_);
}

void Progress::redraw() {
  if (shown_) draw_state();
}

void Progress::finish(const slope::optim::Result& r) {
  if (!shown_) return;
  const bool budget = r.reason == slope::optim::StopReason::max_iterations;
  draw(budget ? fmt::format("100%  iteration {}/{}  loss {}", r.iterations, total_,
                            general(r.value, 6))
              : fmt::format("stopped at iteration {} of {}: {}", r.iterations, total_,
                            slope::optim::to_string(r.reason)),
       kWidth);
  std::fputc('\n', out_);
  std::fflush(out_);
}
