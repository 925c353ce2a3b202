// SPDX-License-Identifier: MIT
#pragma once

// Shared by tensor_check.cpp and tensor_errors.cpp: calling Slope with every outcome checked, and
// comparing with the reference's differences.

#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <typeinfo>
#include <vector>

#include "print.hpp"
#include "scalar_check.hpp"
#include "tensor_print.hpp"
#include "tensor_ref.hpp"
#include "tensor_slope.hpp"

namespace fuzz {

struct Differences {
  using L = long double;
  std::vector<L> grad, hv;
  std::vector<char> grad_ok, hv_ok;  // false near a kink: the two step sizes disagree
};
Differences differences(const TensorProgram& p, const std::vector<double>& x0,
                        const std::vector<double>& v, std::span<const double> e);

class TensorRun {
  using L = long double;

 public:
  TensorRun(Outcome& out, long index) : out_(out), cmp_(out.stats, out.mismatches), index_(index) {}

  template <class F>
  bool call(const std::string& what, F&& f) {
    try {
      f();
      return true;
    } catch (const slope::Error&) {
      ++out_.stats.errors;
    } catch (const std::exception& e) {
      cmp_.fail("tensor foreign exception",
                "tensor " + what + ": " + typeid(e).name() + " escaped from Slope: " + e.what());
    }
    return false;
  }

  void compare(const std::string& what, const TensorProgram& p, const std::vector<double>& x,
               const std::vector<double>& v, std::span<const double> e, double value,
               const xt::xarray<double>* g, const xt::xarray<double>* hv) {
    v_ = v;
    const std::vector<L> xl(x.begin(), x.end());
    const L ref = reference(p, xl, e);
    ++out_.stats.checks;
    if (!(std::fabs(value - ref) <= 1e-9L * (1 + std::fabs(ref))))
      fail(what + " value", std::to_string(value) + " vs reference " + std::to_string(double(ref)),
           p, x);
    if (g == nullptr && hv == nullptr) return;
    const Differences d = differences(p, x, v, e);
    L gs = 0, hs = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      gs = std::max(gs, std::fabs(d.grad[i])), hs = std::max(hs, std::fabs(d.hv[i]));
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (g != nullptr) one(what + " grad", i, (*g)(i), d.grad[i], d.grad_ok[i], 1e-6L, gs, p, x);
      if (hv != nullptr) one(what + " hvp", i, (*hv)(i), d.hv[i], d.hv_ok[i], 1e-5L, hs, p, x);
    }
  }
  void fail(const std::string& what, const std::string& detail, const TensorProgram& p,
            const std::vector<double>& x) {
    std::string s = "tensor program " + std::to_string(index_) + " (R " + std::to_string(p.R) +
                    ", C " + std::to_string(p.C) + ", " + std::to_string(p.code.size()) +
                    " ops): " + what + ": " + detail + ":";
    s += "\n" + to_cpp(p) + "  std::vector<double> x" + to_cpp(x) + ";\n  std::vector<double> v" +
         to_cpp(v_) + ";  // the HVP direction\n";
    cmp_.fail(what, s);
  }
  Comparer& comparer() { return cmp_; }
  Outcome& outcome() { return out_; }

 private:
  void one(const std::string& what, std::size_t i, double s, L ref, bool ok, L rtol, L scale,
           const TensorProgram& p, const std::vector<double>& x) {
    ++out_.stats.checks;
    if (!ok) {
      ++out_.stats.illcond;
      return;
    }
    if (std::fabs(s - ref) <= rtol * (std::fabs(ref) + 1e-2L * scale) + 1e-8L) return;
    fail(what + "[" + std::to_string(i) + "]",
         "slope " + std::to_string(s) + " vs differences " + std::to_string(double(ref)), p, x);
  }

  Outcome& out_;
  Comparer cmp_;
  long index_;
  std::vector<double> v_;
};

/// Empty tensors into every reduction and softmax, NaN/Inf inputs, mismatched shapes and bad
/// bindings: every outcome a value or a slope::Error.
void tensor_error_paths(std::mt19937_64& rng, const TensorProgram& p, TensorRun& run);

}  // namespace fuzz
