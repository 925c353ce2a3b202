// SPDX-License-Identifier: MIT
#include <cmath>
#include <numbers>
#include <slope/optim/schedule.hpp>

#include "tracker.hpp"

namespace slope::optim {

Schedule::Schedule(double rate) : rate_(rate) {}

Schedule Schedule::constant(double rate) { return Schedule(rate); }

Schedule Schedule::step(double rate, std::size_t every, double factor) {
  Schedule s(rate);
  s.kind_ = Kind::step;
  s.every_ = every;
  s.factor_ = factor;
  return s;
}

Schedule Schedule::exponential(double rate, double gamma) {
  Schedule s(rate);
  s.kind_ = Kind::exponential;
  s.factor_ = gamma;
  return s;
}

Schedule Schedule::inverse_time(double rate, double decay) {
  Schedule s(rate);
  s.kind_ = Kind::inverse_time;
  s.factor_ = decay;
  return s;
}

Schedule Schedule::cosine(double rate, std::size_t period, double min_rate) {
  Schedule s(rate);
  s.kind_ = Kind::cosine;
  s.every_ = period;
  s.factor_ = min_rate;
  return s;
}

double Schedule::at(std::size_t t) const {
  const double td = static_cast<double>(t);
  switch (kind_) {
    case Kind::constant:
      return rate_;
    case Kind::step:
      return rate_ * std::pow(factor_, static_cast<double>(t / every_));
    case Kind::exponential:
      return rate_ * std::pow(factor_, td);
    case Kind::inverse_time:
      return rate_ / (1.0 + factor_ * td);
    case Kind::cosine: {
      const double u = std::min(td, static_cast<double>(every_)) / static_cast<double>(every_);
      return factor_ + (rate_ - factor_) * 0.5 * (1.0 + std::cos(std::numbers::pi * u));
    }
  }
  return rate_;
}

void Schedule::validate(const std::string& who) const {
  using detail::fail;
  
  if (!(rate_ > 0.0) || !std::isfinite(rate_))
    fail(who, "learning_rate must be > 0, got " + core::number(rate_));
  switch (kind_) {
    case Kind::constant:
      break;
    case Kind::step:
      if (every_ == 0) fail(who, "learning_rate: step schedule needs every >= 1, got 0");
      if (!(factor_ > 0.0 && factor_ <= 1.0))
        fail(who, "learning_rate: step schedule factor must be in (0, 1], got " + core::number(factor_));
      break;
    case Kind::exponential:
      if (!(factor_ > 0.0 && factor_ <= 1.0))
        fail(who,
             "learning_rate: exponential schedule gamma must be in (0, 1], got " + core::number(factor_));
      break;
    case Kind::inverse_time:
      if (!(factor_ >= 0.0))
        fail(who, "learning_rate: inverse-time decay must be >= 0, got " + core::number(factor_));
      break;
    case Kind::cosine:
      if (every_ == 0) fail(who, "learning_rate: cosine schedule needs period >= 1, got 0");
      if (!(factor_ >= 0.0 && factor_ <= rate_))
        fail(who, "learning_rate: cosine min_rate must be in [0, " + core::number(rate_) + "], got " +
                      core::number(factor_));
      break;
  }
}

}  // namespace slope::optim
