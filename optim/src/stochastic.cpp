// SPDX-License-Identifier: MIT
// SGD (plain, mini-batch, momentum, Nesterov) and Adam: one epoch loop over shuffled examples,
// with the update rule as a small policy.

#include <cmath>
#include <cstdint>
#include <numeric>
#include <slope/optim/adam.hpp>
#include <slope/optim/sgd.hpp>
#include <random>

#include "tracker.hpp"
#include "vec.hpp"

namespace slope::optim {

namespace {

// Uniform in [0, n) from the generator's raw output: std::uniform_int_distribution is not
// specified bit for bit, and the same seed must give the same run with any standard library.
std::size_t below(std::mt19937_64& rng, std::size_t n) {
  const std::uint64_t m = n, threshold = (0 - m) % m;
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= threshold) return static_cast<std::size_t>(r % m);
  }
}

void shuffle(std::vector<std::size_t>& order, std::mt19937_64& rng) {
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[below(rng, i)]);
}

struct SgdRule {
  const SGD::Options& o;
  std::vector<double> velocity;
  double apply(std::size_t t, MutSpan x, MutSpan g) {
    if (o.weight_decay > 0.0) vec::axpy(o.weight_decay, x, g);
    const double lr = o.learning_rate.at(t);
    if (o.momentum > 0.0) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        velocity[i] = o.momentum * velocity[i] + g[i];
        x[i] -= lr * (o.nesterov ? g[i] + o.momentum * velocity[i] : velocity[i]);
      }
    } else {
      vec::axpy(-lr, g, x);
    }
    return lr;
  }
};

struct AdamRule {
  const Adam::Options& o;
  std::vector<double> m, v;
  double apply(std::size_t t, MutSpan x, MutSpan g) {
    if (o.weight_decay > 0.0) vec::axpy(o.weight_decay, x, g);
    const double lr = o.learning_rate.at(t);
    const double k = static_cast<double>(t + 1);
    const double c1 = 1.0 - std::pow(o.beta1, k), c2 = 1.0 - std::pow(o.beta2, k);
    for (std::size_t i = 0; i < x.size(); ++i) {
      m[i] = o.beta1 * m[i] + (1.0 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1.0 - o.beta2) * g[i] * g[i];
      x[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + o.epsilon);
    }
    return lr;
  }
};

// Full-batch steps: an iteration is one update.
template <class Rule>
Result run_full(detail::Tracker& t, Span x0, Rule& rule) {
  std::vector<double> x(x0.begin(), x0.end()), g(x.size());
  double step = 0.0;
  for (std::size_t k = 0;; ++k) {
    const double fx = t.value_and_grad(x, g);
    if (t.observe(k, x, fx, g, step)) break;
    step = rule.apply(k, x, g);
  }
  return t.finish();
}

// Epochs over shuffled examples in batches of `batch` (the last one shorter, kept); the tracker
// sees the loss and gradient on all examples after each epoch.
template <class Rule>
Result run_epochs(detail::Tracker& t, Span x0, std::size_t batch, std::uint64_t seed, Rule& rule) {
  const std::size_t m = t.objective().examples();
  std::vector<double> x(x0.begin(), x0.end()), g(x.size()), gb(x.size());
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(seed);
  std::size_t updates = 0;
  double step = 0.0;
  double fx = t.value_and_grad(x, g);
  for (std::size_t epoch = 0; !t.observe(epoch, x, fx, g, step); ++epoch) {
    shuffle(order, rng);
    for (std::size_t b = 0; b < m; b += batch) {
      const Batch rows(order.data() + b, std::min(batch, m - b));
      const double fb = t.value_and_grad(x, gb, rows);
      if (!std::isfinite(fb) || !vec::finite(gb)) {
        t.observe(epoch + 1, x, fb, gb, step);  // diverged: the tracker keeps the last epoch's x
        return t.finish();
      }
      step = rule.apply(updates++, x, gb);
    }
    fx = t.value_and_grad(x, g);
  }
  return t.finish();
}

void check_batch(const char* who, detail::Tracker& t, std::size_t batch) {
  const std::size_t m = t.objective().examples();
  if (m == 0)
    detail::fail(who, "batch_size " + std::to_string(batch) +
                          " needs an objective over examples, and this one has examples() = 0");
  if (batch > m)
    detail::fail(who, "batch_size must be at most the number of examples (" + std::to_string(m) +
                          "), got " + std::to_string(batch));
}

void check_unit(const char* who, const char* name, double v) {
  if (!(v >= 0.0 && v < 1.0))
    detail::fail(who, std::string(name) + " must be in [0, 1), got " + core::number(v));
}

}  // namespace

SGD::SGD(Options options) : o_(std::move(options)) {
  o_.learning_rate.validate("SGD");
  if (o_.batch_size == 0) detail::fail("SGD", "batch_size must be >= 1, got 0");
  check_unit("SGD", "momentum", o_.momentum);
  if (o_.nesterov && o_.momentum == 0.0) detail::fail("SGD", "nesterov needs momentum > 0, got 0");
  if (!(o_.weight_decay >= 0.0))
    detail::fail("SGD", "weight_decay must be >= 0, got " + core::number(o_.weight_decay));
  detail::validate(o_.stop, "SGD");
}

Result SGD::minimize(Objective& f, Span x0, const Callbacks& callbacks) {
  detail::Tracker t("SGD", f, x0, o_.stop, callbacks);
  check_batch("SGD", t, o_.batch_size);
  SgdRule rule{o_, std::vector<double>(x0.size(), 0.0)};
  return run_epochs(t, x0, o_.batch_size, o_.seed, rule);
}

Adam::Adam(Options options) : o_(std::move(options)) {
  o_.learning_rate.validate("Adam");
  check_unit("Adam", "beta1", o_.beta1);
  check_unit("Adam", "beta2", o_.beta2);
  if (!(o_.epsilon > 0.0))
    detail::fail("Adam", "epsilon must be > 0, got " + core::number(o_.epsilon));
  if (!(o_.weight_decay >= 0.0))
    detail::fail("Adam", "weight_decay must be >= 0, got " + core::number(o_.weight_decay));
  detail::validate(o_.stop, "Adam");
}

Result Adam::minimize(Objective& f, Span x0, const Callbacks& callbacks) {
  detail::Tracker t("Adam", f, x0, o_.stop, callbacks);
  AdamRule rule{o_, std::vector<double>(x0.size(), 0.0), std::vector<double>(x0.size(), 0.0)};
  if (o_.batch_size == 0) return run_full(t, x0, rule);
  check_batch("Adam", t, o_.batch_size);
  return run_epochs(t, x0, o_.batch_size, o_.seed, rule);
}

}  // namespace slope::optim
