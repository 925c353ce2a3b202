// SPDX-License-Identifier: MIT
// Elementwise tensor ops. Each applies a scalar op's own rule (ops/) to every element, at
// T = double for values and adjoints, at T = Dual when the recording carries tangents, so a
// tensor op has exactly the first- and second-order behaviour of its scalar twin.

#include <string>
#include <utility>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xoperation.hpp>

#include <autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope::detail {
namespace {

// An operand read at the positions of a (broadcast) output shape.
struct Operand {
  const double* v = nullptr;
  const double* t = nullptr;
  std::size_t step = 1;  // 0: one element repeated
  Array vb, tb;          // materialised broadcasts, when neither same shape nor one element

  Operand(const TensorNode& n, const Shape& out) {
    const Array& a = n.value();
    const Array* at = n.tangent();
    if (std::equal(a.shape().begin(), a.shape().end(), out.begin(), out.end()) || a.size() == 1) {
      v = a.data();
      t = at != nullptr ? at->data() : nullptr;
      step = a.size() == 1 ? 0 : 1;
    } else {
      vb = xt::broadcast(a, out);
      v = vb.data();
      if (at != nullptr) {
        tb = xt::broadcast(*at, out);
        t = tb.data();
      }
    }
  }
  template <class T>
  T at(std::size_t i) const {
    return load<T>(v, t, i * step);
  }
};

// ---- one operand (and, for ops like x^c, a constant) ----

// The op's value and slope at T: f(a) and f'(a), or f(a, c) and ∂f/∂a(a, c) with c fixed.
template <class Op, class T>
T value_at(const T& a, double c) {
  if constexpr (Op::arity == ops::Arity::constant)
    return ops::call<Op>(a, c);
  else
    return ops::call<Op>(a);
}
template <class Op, class T>
T slope_at(const T& a, double c, const T& z) {
  if constexpr (Op::arity == ops::Arity::constant)
    return Op::df(a, c, z);
  else
    return Op::df(a, z);
}

template <class Op>
struct OneOperandOp final : TensorOp {
  std::uint32_t a;
  double c;  // the constant of an operand-and-constant op; unused by one-operand ops
  OneOperandOp(std::uint32_t x, double k) : a(x), c(k) {}
  template <class T>
  void vjp(const TensorNode& x, const TensorNode& self, double* g, double* gt) const {
    const Array& xv = x.value();
    const double* xtan = x.has_tan ? x.tan.data() : nullptr;
    const double* zt = self.has_tan ? self.tan.data() : nullptr;
    const double* gzt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    for (std::size_t i = 0; i < xv.size(); ++i) {
      const T p = slope_at<Op>(load<T>(xv.data(), xtan, i), c, load<T>(self.own.data(), zt, i));
      store<T>(g, gt, i, p * load<T>(self.adj.data(), gzt, i));
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[a];
    accumulate_vjp(tape, x, self.own.shape(),
                   [&](auto t, double* g, double* gt) { vjp<decltype(t)>(x, self, g, gt); });
  }
};

template <class Op>
Tensor one_operand_forward(Tape& tape, std::uint32_t ia, double c) {
  TensorList& l = TensorAccess::list(tape);
  const TensorNode& x = l[ia];
  const Array& xv = x.value();
  Array z = fresh(xv.shape());
  Array zt;
  const bool dual = x.has_tan;
  if (dual) {
    zt = fresh(xv.shape());
    for (std::size_t i = 0; i < xv.size(); ++i)
      store<Dual>(z.data(), zt.data(), i, value_at<Op>(load<Dual>(xv.data(), x.tan.data(), i), c));
  } else {
    for (std::size_t i = 0; i < xv.size(); ++i) z.data()[i] = value_at<Op>(xv.data()[i], c);
  }
  std::unique_ptr<TensorOp> op;
  if (x.active()) op = std::make_unique<OneOperandOp<Op>>(ia, c);
  return TensorAccess::add(tape, std::move(z), dual ? &zt : nullptr, std::move(op), Op::name);
}

// ---- two operands, broadcast ----

template <class Op>
struct ZipOp final : TensorOp {
  std::uint32_t a, b;
  ZipOp(std::uint32_t x, std::uint32_t y) : a(x), b(y) {}
  template <class T>
  void vjp(const Operand& x, const Operand& y, const TensorNode& self, double* ga, double* gat,
           double* gb, double* gbt) const {
    const double* zt = self.has_tan ? self.tan.data() : nullptr;
    const double* gzt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    for (std::size_t i = 0; i < self.own.size(); ++i) {
      const ops::Pair<T> p = Op::df(x.at<T>(i), y.at<T>(i), load<T>(self.own.data(), zt, i));
      const T g = load<T>(self.adj.data(), gzt, i);
      if (ga != nullptr) store<T>(ga, gat, i, p.a * g);
      if (gb != nullptr) store<T>(gb, gbt, i, p.b * g);
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[a];
    TensorNode& y = list[b];
    const Shape& out = self.own.shape();
    const Operand ox(x, out), oy(y, out);
    const bool dual = TensorAccess::dual(tape);
    Array ga, gat, gb, gbt;
    auto buffer = [&](bool need, Array& v) {
      if (need) v = fresh(out);
      return need ? v.data() : nullptr;
    };
    double* pa = buffer(x.active(), ga);
    double* pat = buffer(x.active() && dual, gat);
    double* pb = buffer(y.active(), gb);
    double* pbt = buffer(y.active() && dual, gbt);
    if (dual)
      vjp<Dual>(ox, oy, self, pa, pat, pb, pbt);
    else
      vjp<double>(ox, oy, self, pa, nullptr, pb, nullptr);
    if (x.active()) accumulate(x, std::move(ga), dual ? &gat : nullptr);
    if (y.active()) accumulate(y, std::move(gb), dual ? &gbt : nullptr);
  }
};

template <class Op>
Tensor zip_forward(Tape& tape, std::uint32_t ia, std::uint32_t ib) {
  TensorList& l = TensorAccess::list(tape);
  const TensorNode& x = l[ia];
  const TensorNode& y = l[ib];
  const Shape out = broadcast_shape(x.value().shape(), y.value().shape(), Op::name);
  const Operand ox(x, out), oy(y, out);
  Array z = fresh(out);
  Array zt;
  const bool dual = x.has_tan || y.has_tan;
  if (dual) {
    zt = fresh(out);
    for (std::size_t i = 0; i < z.size(); ++i)
      store<Dual>(z.data(), zt.data(), i, ops::call<Op>(ox.at<Dual>(i), oy.at<Dual>(i)));
  } else {
    for (std::size_t i = 0; i < z.size(); ++i)
      z.data()[i] = Op::f(ox.at<double>(i), oy.at<double>(i));
  }
  std::unique_ptr<TensorOp> op;
  if (x.active() || y.active()) op = std::make_unique<ZipOp<Op>>(ia, ib);
  return TensorAccess::add(tape, std::move(z), dual ? &zt : nullptr, std::move(op), Op::name);
}

// ---- dispatch tables over the op list: the op code picks the instantiation ----

using OneFn = Tensor (*)(Tape&, std::uint32_t, double);
using ZipFn = Tensor (*)(Tape&, std::uint32_t, std::uint32_t);

struct Tables {
  OneFn map[256] = {};    // one-operand ops
  OneFn bound[256] = {};  // operand-and-constant ops
  ZipFn zip[256] = {};
  const char* name[256] = {};
};

template <class... Ops>
constexpr Tables make_tables(ops::TypeList<Ops...>) {
  Tables t;
  (
      [&] {
        constexpr std::uint8_t code = ops::op_code<Ops>;
        t.name[code] = Ops::name;
        if constexpr (Ops::arity == ops::Arity::unary)
          t.map[code] = &one_operand_forward<Ops>;
        else if constexpr (Ops::arity == ops::Arity::constant)
          t.bound[code] = &one_operand_forward<Ops>;
        else
          t.zip[code] = &zip_forward<Ops>;
      }(),
      ...);
  return t;
}
constexpr Tables tables = make_tables(ops::OpList{});

[[noreturn]] void throw_code(const char* kind, std::uint8_t code) {
  throw Error(std::string("slope: no ") + kind + " tensor op with code " + std::to_string(code));
}

// Where: mask ? a : b, the mask a constant.
struct WhereOp final : TensorOp {
  xt::xarray<bool> mask;
  std::uint32_t a, b;
  WhereOp(xt::xarray<bool> m, std::uint32_t x, std::uint32_t y) : mask(std::move(m)), a(x), b(y) {}
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    const bool dual = TensorAccess::dual(tape) && self.has_adj_tan;
    for (const auto& [k, pick] : {std::pair{a, true}, std::pair{b, false}}) {
      TensorNode& n = list[k];
      if (!n.active()) continue;
      Array g =
          pick ? Array(xt::where(mask, self.adj, 0.0)) : Array(xt::where(mask, 0.0, self.adj));
      Array gt;
      if (dual)
        gt = pick ? Array(xt::where(mask, self.adj_tan, 0.0))
                  : Array(xt::where(mask, 0.0, self.adj_tan));
      accumulate(n, std::move(g), dual ? &gt : nullptr);
    }
  }
};

}  // namespace

Tensor tensor_map(std::uint8_t code, std::uint32_t a) {
  if (tables.map[code] == nullptr) throw_code("one-operand", code);
  return tables.map[code](TensorAccess::active(tables.name[code]), a, 0.0);
}

Tensor tensor_bound(std::uint8_t code, std::uint32_t a, double c) {
  if (tables.bound[code] == nullptr) throw_code("operand-and-constant", code);
  return tables.bound[code](TensorAccess::active(tables.name[code]), a, c);
}

Tensor tensor_zip(std::uint8_t code, std::uint32_t a, std::uint32_t b) {
  if (tables.zip[code] == nullptr) throw_code("two-operand", code);
  return tables.zip[code](TensorAccess::active(tables.name[code]), a, b);
}

Tensor tensor_where(xt::xarray<bool> mask, std::uint32_t ia, std::uint32_t ib) {
  Tape& tape = TensorAccess::active("where");
  TensorList& l = TensorAccess::list(tape);
  const TensorNode& x = l[ia];
  const TensorNode& y = l[ib];
  const Shape ab = broadcast_shape(x.value().shape(), y.value().shape(), "where");
  const Shape mask_shape(mask.shape().begin(), mask.shape().end());
  const Shape out = broadcast_shape(mask_shape, ab, "where (mask)");
  Array z = xt::where(mask, x.value(), y.value());
  if (!std::equal(z.shape().begin(), z.shape().end(), out.begin(), out.end()))
    z = Array(xt::broadcast(z, out));
  Array zt;
  const bool dual = x.has_tan || y.has_tan;
  if (dual) {
    const Array zero = xt::zeros<double>(Shape{});
    zt = xt::where(mask, x.has_tan ? x.tan : zero, y.has_tan ? y.tan : zero);
    if (!std::equal(zt.shape().begin(), zt.shape().end(), out.begin(), out.end()))
      zt = Array(xt::broadcast(zt, out));
  }
  std::unique_ptr<TensorOp> op;
  if (x.active() || y.active()) op = std::make_unique<WhereOp>(std::move(mask), ia, ib);
  return TensorAccess::add(tape, std::move(z), dual ? &zt : nullptr, std::move(op), "where");
}

}  // namespace slope::detail
