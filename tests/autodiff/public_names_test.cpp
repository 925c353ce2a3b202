// SPDX-License-Identifier: MIT
// Every public name of op_list.hpp and reductions.hpp, called by that name: one typed test over
// cases generated from the lists that generate the overloads, so no entry is left out. Each case
// calls slope::name(...) at Var and at Tensor (one element and three; a constant on either side
// of a two-operand function; all elements and along each axis for a reduction) and compares
// value, gradient and Hessian with the op struct's own f and df (the second derivative: df at
// Dual). That checks what the list cannot promise by itself: that the call resolves to Slope's
// overload (not to std's or xtensor's), that the overload records the op of its line at both Var
// and Tensor, and that the line names the op it records (the public name is the op's own name).
// The last tests check the registries the lists generate: one code per op, and each two-operand
// op followed by its constant forms.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <slope/autodiff/op_list.hpp>

#include "derivative_check.hpp"

namespace {

using slope::Dual;
using slope::Tensor;
using slope::Var;

// ---- the cases, one per entry of each list ----

enum class Kind { unary, binary, var_binary, reduction };

#define DOUBLE_TWIN_std(name)
#define DOUBLE_TWIN_slope(name) \
  static double twin(double x) { return slope::name(x); }
#define UNARY_CASE(name, O, kind_of_twin)                            \
  struct Unary_##name {                                              \
    static constexpr Kind kind = Kind::unary;                        \
    static constexpr const char* label = #name;                      \
    using Op = slope::ops::O;                                        \
    static Var var(const Var& x) { return slope::name(x); }          \
    static Tensor tensor(const Tensor& x) { return slope::name(x); } \
    DOUBLE_TWIN_##kind_of_twin(name)                                 \
  };
#define BINARY_VAR_FORMS(name, O)                                          \
  using Op = slope::ops::O;                                                \
  static Var var(const Var& a, const Var& b) { return slope::name(a, b); } \
  static Var var(const Var& a, double c) { return slope::name(a, c); }     \
  static Var var(double c, const Var& b) { return slope::name(c, b); }
#define BINARY_CASE(name, tensor_name, O)                                                       \
  struct Binary_##name {                                                                        \
    static constexpr Kind kind = Kind::binary;                                                  \
    static constexpr const char* label = #name;                                                 \
    BINARY_VAR_FORMS(name, O)                                                                   \
    static Tensor tensor(const Tensor& a, const Tensor& b) { return slope::tensor_name(a, b); } \
    static Tensor tensor(const Tensor& a, double c) { return slope::tensor_name(a, c); }        \
    static Tensor tensor(double c, const Tensor& b) { return slope::tensor_name(c, b); }        \
  };
#define VAR_BINARY_CASE(name, O)                   \
  struct VarBinary_##name {                        \
    static constexpr Kind kind = Kind::var_binary; \
    static constexpr const char* label = #name;    \
    BINARY_VAR_FORMS(name, O)                      \
  };
#define REDUCTION_CASE(name, R)                                                                \
  struct Reduction_##name {                                                                    \
    static constexpr Kind kind = Kind::reduction;                                              \
    static constexpr const char* label = #name;                                                \
    using Reduction = slope::reductions::R;                                                    \
    static Var all(const Tensor& t) { return slope::name(t); }                                 \
    static Tensor along(const Tensor& t, std::ptrdiff_t axis) { return slope::name(t, axis); } \
  };
SLOPE_UNARY_OPS(UNARY_CASE)
SLOPE_UNARY_ALIASES(UNARY_CASE)
SLOPE_BINARY_OPS(BINARY_CASE)
SLOPE_VAR_BINARY_OPS(VAR_BINARY_CASE)
SLOPE_REDUCTIONS(REDUCTION_CASE)

// The cases as one list of types: Cases<>{} + Unary_sqrt{} + ... is Cases<Unary_sqrt, ...>.
template <class... Cs>
struct Cases {
  using type = ::testing::Types<Cs...>;
  template <class C>
  Cases<Cs..., C> operator+(C) const {
    return {};
  }
};
// clang-format off
#define PLUS_UNARY(name, O, twin) +Unary_##name{}
#define PLUS_BINARY(name, tensor_name, O) +Binary_##name{}
#define PLUS_VAR_BINARY(name, O) +VarBinary_##name{}
#define PLUS_REDUCTION(name, R) +Reduction_##name{}
using AllCases = decltype(Cases<>{} SLOPE_UNARY_OPS(PLUS_UNARY) SLOPE_UNARY_ALIASES(PLUS_UNARY)
                          SLOPE_BINARY_OPS(PLUS_BINARY) SLOPE_VAR_BINARY_OPS(PLUS_VAR_BINARY)
                          SLOPE_REDUCTIONS(PLUS_REDUCTION))::type;
// clang-format on

struct CaseName {
  template <class C>
  static std::string GetName(int) {
    constexpr const char* kinds[] = {"unary", "binary", "var_binary", "reduction"};
    return std::string(kinds[static_cast<int>(C::kind)]) + "_" + C::label;
  }
};

// ---- what the numbers must be: the op's own f and df ----

struct Want {
  double value = 0;
  std::vector<double> grad;  // n
  std::vector<double> hess;  // n × n, row-major
  explicit Want(std::size_t n) : grad(n, 0.0), hess(n * n, 0.0) {}
};

// y = Op(x_i).
template <class Op>
Want unary_want(const std::vector<double>& x, std::size_t i) {
  const std::size_t n = x.size();
  Want w(n);
  const Dual a(x[i], 1.0);
  const Dual z = slope::ops::call<Op>(a);  // f and f' through the op's own rule
  w.value = Op::f(x[i]);
  w.grad[i] = z.d;
  w.hess[i * n + i] = Op::df(a, z).d;
  return w;
}

// y = Op(a, b), each operand x_k (k given) or a constant.
struct Operand {
  std::optional<std::size_t> k;
  double c = 0;
  double at(const std::vector<double>& x) const { return k ? x[*k] : c; }
};
template <class Op>
Want binary_want(const std::vector<double>& x, Operand ia, Operand ib) {
  const std::size_t n = x.size();
  Want w(n);
  const double a = ia.at(x), b = ib.at(x);
  w.value = Op::f(a, b);
  const slope::ops::Pair<double> p = Op::df(a, b, w.value);
  if (ia.k) w.grad[*ia.k] += p.a;
  if (ib.k) w.grad[*ib.k] += p.b;
  for (const auto m : {ia.k, ib.k}) {  // column m of the Hessian: df's tangent along x_m
    if (!m) continue;
    const Dual da(a, ia.k == m ? 1.0 : 0.0), db(b, ib.k == m ? 1.0 : 0.0);
    const slope::ops::Pair<Dual> dp = Op::df(da, db, slope::ops::call<Op>(da, db));
    if (ia.k) w.hess[*ia.k * n + *m] += dp.a.d;
    if (ib.k) w.hess[*ib.k * n + *m] += dp.b.d;
    if (ia.k == ib.k) break;
  }
  return w;
}

// y = R over the lane of x at base, base + stride, ... (len elements).
template <class R, class T>
std::size_t pick(const slope::reductions::Lane<T>& a, const T& z) {
  if constexpr (requires { R::pick(a, z); })
    return R::pick(a, z);
  else
    return 0;
}
template <class R>
Want reduction_want(const std::vector<double>& x, std::size_t base, std::size_t stride,
                    std::size_t len) {
  const std::size_t n = x.size();
  Want w(n);
  const slope::reductions::Lane<double> a{x.data(), nullptr, base, stride, len};
  w.value = R::f(a);
  const std::size_t k = pick<R>(a, w.value);
  for (std::size_t j = 0; j < len; ++j) w.grad[base + j * stride] = R::df(a, j, w.value, k);
  for (std::size_t m = 0; m < len; ++m) {
    std::vector<double> t(n, 0.0);
    t[base + m * stride] = 1.0;
    const slope::reductions::Lane<Dual> ad{x.data(), t.data(), base, stride, len};
    const Dual z = R::f(ad);
    const std::size_t kd = pick<R>(ad, z);
    for (std::size_t j = 0; j < len; ++j)
      w.hess[(base + j * stride) * n + base + m * stride] = R::df(ad, j, z, kd).d;
  }
  return w;
}

// Value and gradient to a few units in the last place (the tape may use the op's
// value_and_slope where the reference used df), the Hessian (replayed in dual numbers) closely.
bool close(double got, double want, double rel) {
  return got == want || std::fabs(got - want) <= rel * std::fabs(want);
}

template <class F>
void expect_numbers(F f, const std::vector<double>& x, const Want& w) {
  std::string at = "at x = (";
  for (double xi : x) at += std::to_string(xi) + " ";
  SCOPED_TRACE(at + ")");
  const std::size_t n = x.size();
  const slope::ValueAndGrad vg = slope::value_and_grad(f, x);
  EXPECT_TRUE(close(vg.value, w.value, 1e-14)) << "value " << vg.value << ", want " << w.value;
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_TRUE(close(vg.grad(i), w.grad[i], 1e-14))
        << "gradient " << i << ": " << vg.grad(i) << ", want " << w.grad[i];
  const auto h = slope::hessian(f, x);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double want = 0.5 * (w.hess[i * n + j] + w.hess[j * n + i]);
      EXPECT_NEAR(h(i, j), want, 1e-10 * (1 + std::fabs(want))) << "Hessian " << i << ", " << j;
    }
}

// ---- the test ----

template <class C>
class PublicNames : public ::testing::Test {};
TYPED_TEST_SUITE(PublicNames, AllCases, CaseName);

template <class C>
void check_unary() {
  using Op = typename C::Op;
  std::mt19937_64 rng(5);
  const std::vector<double> as = slope::testing::sample(Op::domain, rng);
  for (std::size_t s = 0; s < as.size(); ++s) {
    const std::vector<double> x1{as[s]};
    expect_numbers([](const Tensor& p) { return C::var(p[0]); }, x1, unary_want<Op>(x1, 0));
    expect_numbers([](const Tensor& p) { return C::tensor(p)[0]; }, x1, unary_want<Op>(x1, 0));
    if constexpr (requires { C::twin(0.0); }) {
      EXPECT_EQ(C::twin(as[s]), Op::f(as[s])) << "slope::" << C::label << "(double)";
    }
    if (s + 3 > as.size()) continue;
    const std::vector<double> x3(as.begin() + s, as.begin() + s + 3);
    for (std::size_t i = 0; i < 3; ++i)
      expect_numbers([i](const Tensor& p) { return C::tensor(p)[i]; }, x3, unary_want<Op>(x3, i));
  }
}

template <class C>
void check_binary() {
  using Op = typename C::Op;
  std::mt19937_64 rng(6);
  const std::vector<double> as = slope::testing::sample(Op::domain, rng);
  const std::vector<double> bs = slope::testing::sample(Op::domain_b, rng);
  auto tie = [](double a, double b) { return std::fabs(a - b) < 0.05; };  // min and max kinks
  for (std::size_t s = 0; s < as.size(); ++s) {
    const double a = as[s], b = bs[(s * 7 + 3) % bs.size()];
    if (tie(a, b)) continue;
    const std::vector<double> ab{a, b}, xa{a}, xb{b};
    expect_numbers([](const Tensor& p) { return C::var(p[0], p[1]); }, ab,
                   binary_want<Op>(ab, {0}, {1}));
    expect_numbers([b](const Tensor& p) { return C::var(p[0], b); }, xa,
                   binary_want<Op>(xa, {0}, {std::nullopt, b}));
    expect_numbers([a](const Tensor& p) { return C::var(a, p[0]); }, xb,
                   binary_want<Op>(xb, {std::nullopt, a}, {0}));
    if constexpr (C::kind == Kind::binary) {
      // One element, then three: x = (a_0, a_1, a_2, b_0, b_1, b_2), y_i = name(a, b)_i.
      expect_numbers([](const Tensor& p) { return C::tensor(p.slice(0, 1), p.slice(1, 2))[0]; }, ab,
                     binary_want<Op>(ab, {0}, {1}));
      expect_numbers([b](const Tensor& p) { return C::tensor(p, b)[0]; }, xa,
                     binary_want<Op>(xa, {0}, {std::nullopt, b}));
      expect_numbers([a](const Tensor& p) { return C::tensor(a, p)[0]; }, xb,
                     binary_want<Op>(xb, {std::nullopt, a}, {0}));
      if (s + 3 > as.size()) continue;
      std::vector<double> x(as.begin() + s, as.begin() + s + 3);
      for (std::size_t i = 0; i < 3; ++i) x.push_back(bs[(s + 5 * i + 1) % bs.size()]);
      for (std::size_t i = 0; i < 3; ++i) {
        if (tie(x[i], x[3 + i])) continue;
        expect_numbers([i](const Tensor& p) { return C::tensor(p.slice(0, 3), p.slice(3, 6))[i]; },
                       x, binary_want<Op>(x, {i}, {3 + i}));
        const std::vector<double> x3(x.begin(), x.begin() + 3);
        expect_numbers([i, b](const Tensor& p) { return C::tensor(p, b)[i]; }, x3,
                       binary_want<Op>(x3, {i}, {std::nullopt, b}));
      }
    }
  }
}

template <class C>
void check_reduction() {
  using R = typename C::Reduction;
  const std::vector<double> x1{0.7}, x4{-0.7, 1.3, 0.2, 2.1};
  expect_numbers([](const Tensor& p) { return C::all(p); }, x1, reduction_want<R>(x1, 0, 1, 1));
  expect_numbers([](const Tensor& p) { return C::all(p); }, x4, reduction_want<R>(x4, 0, 1, 4));
  // (2, 3): along axis 1 (and −1) lane i is row i, along axis 0 lane i is column i.
  const std::vector<double> x6{0.4, -1.1, 2.3, 1.7, 0.1, -0.6};
  for (std::ptrdiff_t axis : {1, -1})
    for (std::size_t i = 0; i < 2; ++i)
      expect_numbers(
          [i, axis](const Tensor& p) {
            return C::along(p.reshape({2, 3}), axis)[i];
          },
          x6, reduction_want<R>(x6, 3 * i, 1, 3));
  for (std::size_t i = 0; i < 3; ++i)
    expect_numbers(
        [i](const Tensor& p) {
          return C::along(p.reshape({2, 3}), 0)[i];
        },
        x6, reduction_want<R>(x6, i, 3, 2));
}

TYPED_TEST(PublicNames, CallByNameAtVarAndTensorGivesTheOpsNumbers) {
  using C = TypeParam;
  // The public name is the op's own (fabs is abs under its <cmath> spelling), so a line that
  // names one op but records another, as when copied from its neighbour, fails here.
  if constexpr (C::kind == Kind::reduction) {
    EXPECT_STREQ(C::label, C::Reduction::name);
  } else if (std::string(C::label) != "fabs") {
    EXPECT_STREQ(C::label, C::Op::name);
  }
  if constexpr (C::kind == Kind::unary)
    check_unary<C>();
  else if constexpr (C::kind == Kind::reduction)
    check_reduction<C>();
  else
    check_binary<C>();
}

// ---- the registries themselves ----

// OpList and ReductionList are generated from the lists; an op listed twice (say a second name
// written as a line of SLOPE_UNARY_OPS instead of SLOPE_UNARY_ALIASES) would get a code that
// dispatch never reaches. Each entry's code must be its own position.
template <class List, class... Ops, std::size_t... I>
std::vector<std::string> listed_twice(slope::ops::TypeList<Ops...>, std::index_sequence<I...>) {
  std::vector<std::string> out;
  ((slope::ops::IndexOf<Ops, List>::value == I ? void() : out.push_back(Ops::name)), ...);
  return out;
}
template <class List>
std::vector<std::string> listed_twice() {
  return listed_twice<List>(List{}, std::make_index_sequence<List::size>{});
}

TEST(TheOpRegistry, GivesEveryOpOneCode) {
  using namespace slope::ops;
  EXPECT_THAT((listed_twice<TypeList<Add, Sub, Add>>()), ::testing::ElementsAre("add"));
  EXPECT_THAT(listed_twice<slope::ops::OpList>(), ::testing::IsEmpty())
      << "these ops are listed twice in op_list.hpp (a second name goes in SLOPE_UNARY_ALIASES)";
  EXPECT_THAT(listed_twice<slope::reductions::ReductionList>(), ::testing::IsEmpty())
      << "these reductions are listed twice in SLOPE_REDUCTIONS";
}

// The traits by which a replay recording folds x * c, x / c and −x into sums as linear nodes.
TEST(TheOpRegistry, ReadsTheLinearTraitsOffTheOps) {
  using namespace slope::ops;
  EXPECT_TRUE(kScales<Neg>);
  EXPECT_TRUE(kScales<BindRight<Mul>>);
  EXPECT_TRUE(kScales<BindRight<Div>>);
  EXPECT_FALSE(kScales<BindLeft<Div>>);   // c / x
  EXPECT_FALSE(kScales<BindRight<Add>>);  // x + c: not proportional to x
  EXPECT_FALSE(kScales<Square>);
  EXPECT_TRUE(kAddsOrSubtracts<Add>);
  EXPECT_TRUE(kAddsOrSubtracts<Sub>);
  EXPECT_FALSE(kAddsOrSubtracts<Mul>);
  EXPECT_FALSE(kAddsOrSubtracts<BindRight<Add>>);
}

// The constant forms come with their two-operand op: x − c, c − x, x ^ c (its own rule), and
// for a commutative op only x ∘ c.
TEST(TheOpRegistry, AddsTheConstantFormsOfTwoOperandOps) {
  using namespace slope::ops;
  EXPECT_EQ(op_code<BindRight<Sub>>, op_code<Sub> + 1);
  EXPECT_EQ(op_code<BindLeft<Sub>>, op_code<Sub> + 2);
  EXPECT_EQ(op_code<BindRight<Mul>>, op_code<Mul> + 1);
  EXPECT_EQ(op_code<Div>, op_code<Mul> + 2);  // no BindLeft<Mul>: c * x records x * c
  EXPECT_EQ(op_code<PowC>, op_code<Pow> + 1);
  EXPECT_EQ(op_code<BindLeft<Pow>>, op_code<Pow> + 2);
}

}  // namespace
