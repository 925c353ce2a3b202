// SPDX-License-Identifier: MIT
#pragma once

// Learning-rate schedules, as a function of the update count t = 0, 1, 2, …:
//   Schedule::constant(0.1)                      η_t = η₀
//   Schedule::step(0.1, 100, 0.5)                η_t = η₀ · γ^⌊t / every⌋
//   Schedule::exponential(0.1, 0.999)            η_t = η₀ · γ^t
//   Schedule::inverse_time(0.1, 0.01)            η_t = η₀ / (1 + k·t)
//   Schedule::cosine(0.1, 1000, 0.001)           η_t = η_min + (η₀ − η_min)(1 + cos(π·t'/T))/2,
//                                                t' = min(t, T)
// (runs as examples/optimizers.cpp)

#include <cstddef>
#include <string>

namespace slope::optim {

class Schedule {
 public:
  enum class Kind { constant, step, exponential, inverse_time, cosine };

  /// Constant learning rate η₀ (the default of every optimizer).
  Schedule(double rate = 0.01);  // NOLINT: a bare number is a constant schedule
  static Schedule constant(double rate);
  static Schedule step(double rate, std::size_t every, double factor);
  static Schedule exponential(double rate, double gamma);
  static Schedule inverse_time(double rate, double decay);
  static Schedule cosine(double rate, std::size_t period, double min_rate = 0.0);

  double at(std::size_t t) const;
  double initial() const { return rate_; }
  Kind kind() const { return kind_; }
  /// Throws slope::Error naming `who` and the offending parameter when a value is out of range.
  void validate(const std::string& who) const;

 private:
  Kind kind_ = Kind::constant;
  double rate_ = 0.01;
  double factor_ = 1.0;    // step: γ; exponential: γ; inverse_time: k; cosine: η_min
  std::size_t every_ = 1;  // step: period; cosine: T
};

}  // namespace slope::optim
