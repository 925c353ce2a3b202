// SPDX-License-Identifier: MIT
// Every op a user can call by name is one the fuzzer draws: each entry of the public lists (the
// X-macros that generate the overloads) is in the scalar fuzzer's function table (ir.cpp) and,
// at Tensor, among the tensor fuzzer's maps, zips and reductions (tensor_print.cpp), unless an
// allow-list below says why not. So a new public op fails here until the fuzzer draws it.
//
// The scalar table is also checked the other way and by value. Its names are what a reproducer
// calls, so each must be a public name. And the interpreter runs Slope, the double program and
// the oracle through one switch (scalar_interp.hpp), so a function whose case is missing (it
// falls through to the identity) or calls another op is the same wrong function on every side
// and no run of the fuzzer can see it: here each is compared with its op's own f.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <slope/autodiff.hpp>

#include "scalar_interp.hpp"
#include "scalar_ir.hpp"
#include "tensor_ir.hpp"
#include "tensor_print.hpp"

namespace {

using slope::ops::Domain;

// ---- the public names ----

struct Unary {
  std::string name;
  double (*f)(double);
  Domain domain;
};
struct Binary {
  std::string name, tensor_name;  // tensor_name empty: a Var-only op
  double (*f)(double, double);
  Domain domain, domain_b;
};

#define FUZZ_UNARY(name, O, twin) \
  Unary{#name, [](double x) { return slope::ops::O::f(x); }, slope::ops::O::domain},
#define FUZZ_BINARY(name, tensor_name, O)                                                \
  Binary{#name, #tensor_name, [](double a, double b) { return slope::ops::O::f(a, b); }, \
         slope::ops::O::domain, slope::ops::O::domain_b},
#define FUZZ_VAR_BINARY(name, O)                                               \
  Binary{#name, "", [](double a, double b) { return slope::ops::O::f(a, b); }, \
         slope::ops::O::domain, slope::ops::O::domain_b},
#define FUZZ_REDUCTION(name, R) std::string(#name),
const std::vector<Unary> kPublicUnary = {SLOPE_UNARY_OPS(FUZZ_UNARY) SLOPE_UNARY_ALIASES(FUZZ_UNARY)};
const std::vector<Binary> kPublicBinary = {SLOPE_BINARY_OPS(FUZZ_BINARY)
                                               SLOPE_VAR_BINARY_OPS(FUZZ_VAR_BINARY)};
const std::vector<std::string> kPublicReductions = {SLOPE_REDUCTIONS(FUZZ_REDUCTION)};
#undef FUZZ_REDUCTION
#undef FUZZ_VAR_BINARY
#undef FUZZ_BINARY
#undef FUZZ_UNARY

// ---- the allow-lists: public names the fuzzer does not draw, and why ----

// At Var: none. fabs is drawn as its own function although it records the same op as abs: it is
// its own overload, and a reproducer prints the name that was called.
const std::set<std::string> kNotDrawnAtVar = {};

// At Tensor every one-operand name is the same node, detail::map<Op> (tensor_ops.hpp), and each
// op's rule is fuzzed at Var, where the generator keeps operands in their op's domain. The tensor
// generator does not (its inputs are uniform in [-1.5, 1.5], then any chain of up to twelve
// ops), and its reference derivatives are differences with steps of 1e-3, which a pole or an
// infinite slope nearby spoils: its maps are ops finite and smooth on the whole line (abs: but
// at 0, where the reference notes the kink) that stay finite through such a chain.
const std::set<std::string> kNotMappedAtTensor = {
    // Defined on part of the line, or with a pole of the value or the slope (cbrt at 0, tan).
    "sqrt", "cbrt", "log", "log1p", "log2", "log10", "tan", "asin", "acos", "acosh", "atanh",
    "lgamma", "tgamma", "digamma", "logit",
    // Exponential growth: exp(exp(exp(1.5))) is 1e38 already.
    "exp", "expm1", "sinh", "cosh",
    // The same op as abs, which is mapped.
    "fabs",
    // Nothing of its own: erf, its mirror image (erfc = 1 − erf), is mapped.
    "erfc"};

// Two-operand names at Tensor are all detail::zip<Op>, which + − * maximum minimum exercise
// (with broadcasting, against a Var and a double), and each op's rule is fuzzed at Var. pow wants
// a positive base, and atan2 jumps by 2π across the negative x axis, a kink the reference would
// have to note as it does abs's. hypot has no such excuse: it is just not drawn.
const std::set<std::string> kNotZippedAtTensor = {"pow", "atan2", "hypot"};

// ---- helpers ----

// Two points inside d (one negative where d allows it: there abs is not the identity).
double point(const Domain& d, double x) { return std::clamp(x, d.lo + 0.5, d.hi - 0.5); }
double first_point(const Domain& d) { return point(d, -0.3); }
double second_point(const Domain& d) { return point(d, 0.8); }

// The scalar fuzzer's function of that name in [from, to), or -1.
int scalar_fn(const std::string& name, int from, int to) {
  for (int i = from; i < to; ++i)
    if (name == fuzz::fn_name(static_cast<fuzz::Fn>(i))) return i;
  return -1;
}

template <class Names>
bool among(const std::string& name, int count, Names names) {
  for (int i = 0; i < count; ++i)
    if (name == names(i)) return true;
  return false;
}

bool is_public_unary(const std::string& name) {
  return std::any_of(kPublicUnary.begin(), kPublicUnary.end(),
                     [&](const Unary& u) { return u.name == name; });
}
bool is_public_binary(const std::string& name) {
  return std::any_of(kPublicBinary.begin(), kPublicBinary.end(),
                     [&](const Binary& b) { return b.name == name || b.tensor_name == name; });
}

// ---- the tests ----

TEST(OpsFuzzed, EveryPublicNameIsDrawnAtVar) {
  for (const Unary& u : kPublicUnary) {
    const bool drawn = scalar_fn(u.name, 0, fuzz::kUnaryCount) >= 0;
    if (kNotDrawnAtVar.count(u.name) != 0) {
      EXPECT_FALSE(drawn) << u.name << " is drawn: take it off kNotDrawnAtVar";
    } else {
      EXPECT_TRUE(drawn) << "slope::" << u.name
                         << " (SLOPE_UNARY_OPS) is not among the scalar fuzzer's one-operand "
                            "functions (tests/fuzz/scalar_ir.hpp, ir.cpp, scalar_interp.hpp, "
                            "oracle_eval.hpp), nor on kNotDrawnAtVar with a reason";
    }
  }
  for (const Binary& b : kPublicBinary) {
    const bool drawn = scalar_fn(b.name, fuzz::kFirstBinary, fuzz::kFnCount) >= 0;
    if (kNotDrawnAtVar.count(b.name) != 0) {
      EXPECT_FALSE(drawn) << b.name << " is drawn: take it off kNotDrawnAtVar";
    } else {
      EXPECT_TRUE(drawn) << "slope::" << b.name
                         << " (SLOPE_BINARY_OPS or SLOPE_VAR_BINARY_OPS) is not among the scalar "
                            "fuzzer's two-operand functions, nor on kNotDrawnAtVar with a reason";
    }
  }
  for (const std::string& name : kNotDrawnAtVar)
    EXPECT_TRUE(is_public_unary(name) || is_public_binary(name)) << name << " is not a public name";
}

TEST(OpsFuzzed, EveryScalarFunctionIsThePublicOpOfItsName) {
  for (int i = 0; i < fuzz::kUnaryCount; ++i) {
    const auto fn = static_cast<fuzz::Fn>(i);
    if (fn == fuzz::Fn::Neg) continue;  // unary minus: an operator
    const std::string name = fuzz::fn_name(fn);
    const auto u = std::find_if(kPublicUnary.begin(), kPublicUnary.end(),
                                [&](const Unary& e) { return e.name == name; });
    if (u == kPublicUnary.end()) {
      ADD_FAILURE() << "the scalar fuzzer prints \"" << name << "\", not a public one-operand name";
      continue;
    }
    for (const double x : {first_point(u->domain), second_point(u->domain)}) {
      const double want = u->f(x);
      EXPECT_NEAR(fuzz::apply1<double>(fn, x), want, 1e-12 * (1 + std::fabs(want)))
          << "the scalar fuzzer's " << name << " at " << x;
    }
  }
  for (int i = fuzz::kFirstBinary; i < fuzz::kFnCount; ++i) {
    const auto fn = static_cast<fuzz::Fn>(i);
    if (i <= static_cast<int>(fuzz::Fn::Div)) continue;  // + − * /: operators
    const std::string name = fuzz::fn_name(fn);
    const auto b = std::find_if(kPublicBinary.begin(), kPublicBinary.end(),
                                [&](const Binary& e) { return e.name == name; });
    if (b == kPublicBinary.end()) {
      ADD_FAILURE() << "the scalar fuzzer prints \"" << name << "\", not a public two-operand name";
      continue;
    }
    // Both orders of two distinct points: one of them tells min from max, and either from a
    // missing case (which returns its first operand).
    const double a1 = first_point(b->domain), a2 = second_point(b->domain);
    const double b1 = first_point(b->domain_b), b2 = second_point(b->domain_b);
    for (const auto& [x, y] : {std::pair{a1, b2}, std::pair{a2, b1}}) {
      const double want = b->f(x, y);
      EXPECT_NEAR(fuzz::apply2<double>(fn, x, y), want, 1e-12 * (1 + std::fabs(want)))
          << "the scalar fuzzer's " << name << " at (" << x << ", " << y << ")";
    }
  }
}

TEST(OpsFuzzed, EveryPublicNameIsDrawnAtTensor) {
  for (const Unary& u : kPublicUnary) {
    const bool mapped = among(u.name, fuzz::kMaps, fuzz::map_name);
    if (kNotMappedAtTensor.count(u.name) != 0) {
      EXPECT_FALSE(mapped) << u.name << " is mapped: take it off kNotMappedAtTensor";
    } else {
      EXPECT_TRUE(mapped) << "slope::" << u.name
                          << " (SLOPE_UNARY_OPS) at Tensor is not among the tensor fuzzer's maps "
                             "(tests/fuzz/tensor_ir.hpp, tensor_print.cpp, tensor_slope.cpp, "
                             "tensor_ref.cpp), nor on kNotMappedAtTensor with a reason";
    }
  }
  for (const Binary& b : kPublicBinary) {
    if (b.tensor_name.empty()) continue;
    const bool zipped = among(b.tensor_name, fuzz::kZips, fuzz::zip_name);
    if (kNotZippedAtTensor.count(b.tensor_name) != 0) {
      EXPECT_FALSE(zipped) << b.tensor_name << " is zipped: take it off kNotZippedAtTensor";
    } else {
      EXPECT_TRUE(zipped) << "slope::" << b.tensor_name
                          << " (SLOPE_BINARY_OPS) at Tensor is not among the tensor fuzzer's "
                             "zips, nor on kNotZippedAtTensor with a reason";
    }
  }
  for (const std::string& name : kPublicReductions)
    EXPECT_TRUE(among(name, fuzz::kReductions, fuzz::reduction_name))
        << "slope::" << name << " (SLOPE_REDUCTIONS) is not among the tensor fuzzer's reductions";
  for (const std::string& name : kNotMappedAtTensor)
    EXPECT_TRUE(is_public_unary(name)) << name << " is not a public one-operand name";
  for (const std::string& name : kNotZippedAtTensor)
    EXPECT_TRUE(is_public_binary(name)) << name << " is not a public two-operand name";
}

TEST(OpsFuzzed, EveryTensorNamePrintedIsPublic) {
  for (int i = 0; i < fuzz::kMaps; ++i)
    EXPECT_TRUE(is_public_unary(fuzz::map_name(i))) << fuzz::map_name(i);
  for (int i = 0; i < fuzz::kZips; ++i) {
    const std::string name = fuzz::zip_name(i);
    if (name == "+" || name == "-" || name == "*") continue;
    EXPECT_TRUE(is_public_binary(name)) << name;
  }
  for (int i = 0; i < fuzz::kReductions; ++i)
    EXPECT_TRUE(std::find(kPublicReductions.begin(), kPublicReductions.end(),
                          fuzz::reduction_name(i)) != kPublicReductions.end())
        << fuzz::reduction_name(i);
}

}  // namespace
