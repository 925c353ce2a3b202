// SPDX-License-Identifier: MIT
// One scalar case through every Slope entry point, compared with the Boost oracle.

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <typeinfo>

#include <slope/autodiff.hpp>

#include "oracle.hpp"
#include "scalar_check.hpp"
#include "scalar_interp.hpp"
#include "sweep_sums.hpp"

namespace fuzz {

// The interpreter on Var, for this file and sweep_sums.cpp (which declares it extern).
template class Interpreter<slope::Var>;

namespace {

using Span = std::span<const double>;
Span span(const xt::xarray<double>& a) { return {a.data(), a.size()}; }
std::vector<double> vec(const xt::xarray<double>& a) { return {a.begin(), a.end()}; }
using Again = std::function<std::vector<double>()>;
using Far = std::function<std::vector<long double>()>;

// x moved by four ulps per component, alternately up and down (zeros stay: they are chosen).
std::vector<double> nudged(Span x) {
  std::vector<double> y(x.begin(), x.end());
  for (std::size_t i = 0; i < y.size(); ++i)
    for (int k = 0; k < 4 && y[i] != 0; ++k)
      y[i] = std::nextafter(y[i], i % 2 == 0 ? HUGE_VAL : -HUGE_VAL);
  return y;
}

// x moved by 1e-4 relative per component, alternately up and down (zeros stay).
std::vector<double> far(Span x) {
  std::vector<double> y(x.begin(), x.end());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] *= i % 2 == 0 ? 1 + 1e-4 : 1 - 1e-4;
  return y;
}

struct Reference {
  double value;                     // the plain double program
  std::vector<std::uint8_t> trace;  // its comparison outcomes
  bool clear;                       // no comparison near a tie, and the oracle took the same path
  bool finite;                      // the program is finite at x
  bool all_finite;                  // and so is every intermediate value, and no op is at a pole
  std::vector<double> x;            // the point
  mutable int poisoned = -1;        // some register's derivative is not finite (-1: not known)
  OracleResult l, d;
  mutable std::optional<OracleResult> exact;  // in 50 digits, when a mismatch asks
};

// Each comparison is decided in double: its operands' difference, computed in double, is within
// half of itself of the long-double one (cos of a huge argument is not, whatever the margin).
bool decided(const std::vector<long double>& d, const std::vector<long double>& l) {
  if (d.size() != l.size()) return false;
  for (std::size_t k = 0; k < d.size(); ++k)
    if (!(std::fabs(d[k] - l[k]) <= 0.5L * std::fabs(l[k]))) return false;
  return true;
}

Reference reference(const Program& p, Span x, Span v, bool hessian) {
  Reference r;
  Machine<double> m;
  r.value = run<double>(p, x, m);
  r.trace = m.trace;
  r.l = oracle_long(p, x, v, hessian);
  r.d = oracle_double(p, x, v, hessian);
  // Boost's fvar evaluates a function of a dual number as a Taylor polynomial about its value, so
  // once a derivative is NaN or infinite (pow(0, 3) is exp(3·log 0) there) the values computed
  // from it are NaN too, and a min or max of them picks the other operand. An oracle whose value
  // is not the plain double program's has nothing to say about the program: as at a pole.
  const bool sound = std::fabs(r.d.value - r.value) <= 1e-9 * (1 + std::fabs(r.value));
  r.clear = m.margin > 1e-9 && r.l.trace == r.trace && r.d.trace == r.trace &&
            decided(m.gaps, r.l.gaps) && !m.cut;
  // Outside the domain somewhere (NaN or Inf on the way): no derivative to compare.
  r.finite = std::isfinite(r.value) && std::isfinite(r.l.value) && !r.l.threw && sound;
  r.all_finite = m.all_finite && !m.pole;
  r.x.assign(x.begin(), x.end());
  return r;
}

std::vector<long double> pick_value(const OracleResult& o) { return {o.value}; }
std::vector<long double> pick_grad(const OracleResult& o) { return o.grad; }
std::vector<long double> pick_hv(const OracleResult& o) { return o.hv; }
std::vector<long double> pick_hess(const OracleResult& o) { return o.hess; }

class Run {
 public:
  Run(const ScalarCase& c, Outcome& out) : c_(c), out_(out), cmp_(out.stats, out.mismatches) {}

  // Runs f; a slope::Error is an allowed outcome (counted), StaleRecording is reported unless
  // expected, anything else is a failure. True when f returned.
  template <class F>
  bool call(const std::string& what, F&& f, bool stale_expected = false) {
    try {
      f();
      return true;
    } catch (const slope::StaleRecording& e) {
      if (!stale_expected) cmp_.fail(what + ": StaleRecording", what + ": spurious " + e.what());
      stale_ = true;
    } catch (const slope::Error&) {
      ++out_.stats.errors;
    } catch (const std::exception& e) {
      cmp_.fail(what + ": foreign exception",
                what + ": " + typeid(e).name() + " escaped from Slope: " + e.what());
    }
    return false;
  }

  // Slope's numbers at nudged(x), through get(x') (empty if it throws there).
  template <class G>
  static Again at_nudged(Span x, G get) {
    return [xs = nudged(x), get]() -> std::vector<double> {
      try {
        return get(Span(xs));
      } catch (const std::exception&) {
        return {};
      }
    };
  }
  // Slope's errors at far(x), through get(x') against pick(reference there); empty if a branch
  // or a clear comparison changes there, or Slope throws.
  template <class G, class Pick>
  std::function<std::vector<long double>()> at_far(const Reference& r, G get, Pick pick) {
    return [this, &r, get, pick]() -> std::vector<long double> {
      const std::vector<double> y = far(r.x);
      const Reference f = reference(c_.program, y, c_.v, !r.l.hess.empty());
      if (!f.clear || !f.finite || f.trace != r.trace) return {};
      try {
        const std::vector<double> s = get(Span(y));
        const std::vector<long double> l = pick(f.l);
        std::vector<long double> e(std::min(s.size(), l.size()));
        for (std::size_t k = 0; k < e.size(); ++k) e[k] = s[k] - l[k];
        return e;
      } catch (const std::exception&) {
        return {};
      }
    };
  }

  // What the comparer asks for before it reports a mismatch (compare.hpp): Slope near and far
  // from x, and part `pick` of the reference in 50 digits.
  template <class Pick>
  void second_looks(const Reference& r, Again again, Far far, Pick pick) {
    cmp_.again = std::move(again);
    cmp_.again_far = std::move(far);
    cmp_.exact = exact(r, pick);
    cmp_.sums = nullptr;  // a gradient's are set by grad()
  }

  void value(const std::string& what, double s, const Reference& r, Again again = {},
             Far far = {}) {
    cmp_.nan_ok = nullptr;
    second_looks(r, std::move(again), std::move(far), pick_value);
    cmp_.next();
    if (std::isfinite(r.value) && !std::isfinite(s))
      cmp_.fail(what + " not finite", what + ": slope " + std::to_string(s) +
                                          " where the double program gives " +
                                          std::to_string(r.value));
    else
      cmp_.number(what, -1, s, r.l.value, r.d.value, std::fabs(r.l.value));
  }
  void grad(const std::string& what, const xt::xarray<double>& g, const Reference& r,
            Again again = {}, Far far = {}) {
    excuse(r);
    second_looks(r, std::move(again), std::move(far), pick_grad);
    cmp_.sums = [this, &r] { return sweep_sums(c_.program, r.x, {}); };
    cmp_.vector(what, span(g), r.l.grad, r.d.grad);
  }
  void hv(const std::string& what, const xt::xarray<double>& h, const Reference& r,
          Again again = {}, Far far = {}) {
    excuse(r);
    second_looks(r, std::move(again), std::move(far), pick_hv);
    cmp_.sums = [this, &r] { return sweep_sums(c_.program, r.x, c_.v); };
    cmp_.rtol = 1e-5L;
    cmp_.vector(what, span(h), r.l.hv, r.d.hv);
    cmp_.rtol = 1e-7L;
  }
  void hess(const std::string& what, const xt::xarray<double>& h, const Reference& r,
            Again again = {}, Far far = {}) {
    excuse(r);
    second_looks(r, std::move(again), std::move(far), pick_hess);
    cmp_.sums = [this, &r] { return hessian_sums(c_.program, r.x); };
    cmp_.rtol = 1e-5L;
    if (!r.l.hess.empty()) cmp_.vector(what, span(h), r.l.hess, r.d.hess);
    cmp_.rtol = 1e-7L;
  }

  void fresh(const Reference& r, bool hessian);
  void replays(const Reference& r0, bool hessian);

  Comparer& comparer() { return cmp_; }

  // The part `pick` of r's reference in 50 digits, computed once per point when first asked.
  template <class Pick>
  std::function<std::vector<long double>()> exact(const Reference& r, Pick pick) {
    return [this, &r, pick] {
      if (!r.exact) r.exact = oracle_exact(c_.program, r.x, c_.v, !r.l.hess.empty());
      return pick(*r.exact);
    };
  }

  // NaN/Inf from Slope is excused where some register's value or derivative is not finite.
  void excuse(const Reference& r) {
    cmp_.nan_ok = [this, &r] {
      if (!r.all_finite) return true;
      if (r.poisoned < 0) {
        Program all = c_.program;
        all.outs.clear();
        for (int i = 0; i < all.nregs; ++i) all.outs.push_back(i);
        const OracleResult o = oracle_double(all, r.x, c_.v, !r.l.hess.empty());
        bool bad = !std::isfinite(o.value) || o.threw;
        for (const auto* vec : {&o.grad, &o.hv, &o.hess})
          for (long double d : *vec) bad = bad || !std::isfinite(d);
        r.poisoned = bad ? 1 : 0;
      }
      return r.poisoned == 1;
    };
  }

 private:
  template <class Fn>
  void full(const std::string& who, Fn& fn, Span x, const Reference& r, bool hessian,
            bool stale_expected);

  const ScalarCase& c_;
  Outcome& out_;
  Comparer cmp_;
  bool stale_ = false;
};

auto make_f(const Program& p) {
  return [&p](const slope::Tensor& t) {
    Machine<slope::Var> m;
    return run<slope::Var>(p, t, m);
  };
}

void Run::fresh(const Reference& r, bool hessian) {
  auto f = make_f(c_.program);
  const Span x(c_.x);
  auto value_at = [f](Span y) { return std::vector<double>{slope::value_and_grad(f, y).value}; };
  auto grad_at = [f](Span y) { return vec(slope::value_and_grad(f, y).grad); };
  auto hvp_at = [f, &v = c_.v](Span y) { return vec(slope::hvp(f, y, v)); };
  auto hessian_at = [f](Span y) { return vec(slope::hessian(f, y)); };
  call("fresh value_and_grad", [&] {
    const auto vg = slope::value_and_grad(f, c_.x);
    value("fresh value", vg.value, r, at_nudged(x, value_at), at_far(r, value_at, pick_value));
    grad("fresh grad", vg.grad, r, at_nudged(x, grad_at), at_far(r, grad_at, pick_grad));
  });
  call("fresh hvp", [&] {
    hv("fresh hvp", slope::hvp(f, c_.x, c_.v), r, at_nudged(x, hvp_at), at_far(r, hvp_at, pick_hv));
  });
  if (hessian)
    call("fresh hessian", [&] {
      hess("fresh hessian", slope::hessian(f, c_.x), r, at_nudged(x, hessian_at),
           at_far(r, hessian_at, pick_hess));
    });
}

// Every call of a Function or AutoFunction at x, compared with r.
template <class Fn>
void Run::full(const std::string& who, Fn& fn, Span x, const Reference& r, bool hessian,
               bool stale_expected) {
  auto value_at = [&fn](Span y) { return std::vector<double>{fn.value(y)}; };
  auto grad_at = [&fn](Span y) { return vec(fn.value_and_grad(y).grad); };
  auto hvp_at = [&fn, &v = c_.v](Span y) { return vec(fn.hvp(y, v)); };
  auto hessian_at = [&fn](Span y) { return vec(fn.hessian(y)); };
  call(
      who + " value",
      [&] {
        value(who + " value", fn.value(x), r, at_nudged(x, value_at),
              at_far(r, value_at, pick_value));
      },
      stale_expected);
  call(
      who + " value_and_grad",
      [&] {
        const auto vg = fn.value_and_grad(x);
        value(who + " value", vg.value, r, at_nudged(x, value_at), at_far(r, value_at, pick_value));
        grad(who + " grad", vg.grad, r, at_nudged(x, grad_at), at_far(r, grad_at, pick_grad));
      },
      stale_expected);
  call(
      who + " hvp",
      [&] {
        hv(who + " hvp", fn.hvp(x, c_.v), r, at_nudged(x, hvp_at), at_far(r, hvp_at, pick_hv));
      },
      stale_expected);
  if (hessian)
    call(
        who + " hessian",
        [&] {
          hess(who + " hessian", fn.hessian(x), r, at_nudged(x, hessian_at),
               at_far(r, hessian_at, pick_hess));
        },
        stale_expected);
}

void Run::replays(const Reference& r0, bool hessian) {
  auto f = make_f(c_.program);
  std::optional<slope::Function> F;
  if (!call("record", [&] { F.emplace(slope::record(f, c_.x)); })) return;
  full("replay at the recording point", *F, c_.x, r0, hessian, false);
  std::mt19937_64 rng(0x5eedULL + c_.x.size());
  for (int k = 1; k <= 2; ++k) {
    std::vector<double> x = c_.x;
    const double step = k == 1 ? 1e-3 : 5e-2;
    for (double& xi : x) xi += step * std::uniform_real_distribution<double>(-1, 1)(rng);
    const Reference r = reference(c_.program, x, c_.v, hessian && k == 1);
    if (!r.clear || !r.finite) {
      ++(r.clear ? out_.stats.singular : out_.stats.illcond);
      continue;
    }
    if (r.trace == r0.trace) {
      full("replay", *F, x, r, hessian && k == 1, false);
    } else {
      // A branch flipped: the Function must refuse, an AutoFunction records again.
      stale_ = false;
      std::vector<double> g(x.size());
      const bool returned = call(
          "replay across a branch", [&] { F->value_and_grad(x, g); }, true);
      if (returned && !stale_)
        cmp_.fail("no StaleRecording", "replay at a point where a branch flips returned a value");
      std::optional<slope::AutoFunction> A;
      if (call("AutoFunction", [&] { A.emplace(f, c_.x); }))
        full("AutoFunction", *A, x, r, false, false);
    }
  }
}

}  // namespace

Outcome check_scalar(const ScalarCase& c) {
  Outcome out;
  out.stats.programs = 1;
  const bool hessian = c.program.n <= 8 && c.program.code.size() <= 120;
  const Reference r0 = reference(c.program, c.x, c.v, hessian);
  Run run(c, out);
  if (!r0.clear)
    ++out.stats.illcond;
  else if (!r0.finite)
    ++out.stats.singular;
  // Near a tie the Var program may take the other branch, and a program that is not finite has
  // no derivatives: then only the outcomes' types are checked.
  if (r0.clear && r0.finite) {
    run.fresh(r0, hessian);
    run.replays(r0, hessian);
  } else {
    auto f = make_f(c.program);
    run.call("fresh value_and_grad", [&] { (void)slope::value_and_grad(f, c.x); });
    run.call("fresh hvp", [&] { (void)slope::hvp(f, c.x, c.v); });
    run.call("record", [&] {
      slope::Function F = slope::record(f, c.x);
      (void)F.hvp(c.x, c.v);
    });
  }
  return out;
}

}  // namespace fuzz
