// SPDX-License-Identifier: MIT
// Elementwise tensor ops. Each applies a scalar op's own rule (ops/) to every element, at
// T = double for values and adjoints, at T = Dual when the recording carries tangents, so a
// tensor op has exactly the first- and second-order behaviour of its scalar twin.

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xoperation.hpp>

#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope::detail {
namespace {

// An operand read at the positions of a (broadcast) output shape: in place when it has that
// shape, one element, or the output's trailing shape (a bias row: read again for every block of
// `period` elements, never copied); else materialised into pooled buffers (released by the
// destructor).
struct Operand {
  const double* v = nullptr;
  const double* t = nullptr;
  std::size_t step = 1;    // 0: one element repeated
  std::size_t period = 0;  // > 0: element i is element i % period
  Shape shape;             // the operand's own shape
  std::optional<Array> vb, tb;

  Operand(const TensorNode& n, const Shape& out) {
    const ValueRef a = n.value();
    const double* at = n.tangent();
    shape.assign(a.shape().begin(), a.shape().end());
    if (std::equal(a.shape().begin(), a.shape().end(), out.begin(), out.end()) || a.size() == 1) {
      v = a.data();
      t = at;
      step = a.size() == 1 ? 0 : 1;
      return;
    }
    if (trails(a.shape(), out)) {
      // All of the output's elements in order ((2, 3) under (1, 2, 3)) is no period: then the
      // other operand is the one that repeats, and blocks are its length.
      v = a.data();
      t = at;
      if (a.size() < size_of(out)) period = a.size();
      return;
    }
    vb.emplace(fresh(out));
    broadcast_into(a.data(), a.shape(), out, vb->data());
    v = vb->data();
    if (at != nullptr) {
      tb.emplace(fresh(out));
      broadcast_into(at, a.shape(), out, tb->data());
      t = tb->data();
    }
  }
  Operand(const Operand&) = delete;
  Operand& operator=(const Operand&) = delete;
  ~Operand() {
    if (vb) recycle(std::move(*vb));
    if (tb) recycle(std::move(*tb));
  }
  // Whether s, without its leading 1s, is the tail of out.
  template <class S>
  static bool trails(const S& s, const Shape& out) {
    std::size_t lead = 0;
    while (lead < s.size() && s[lead] == 1) ++lead;
    const std::size_t rank = s.size() - lead;
    return rank > 0 && rank <= out.size() &&
           std::equal(s.begin() + static_cast<std::ptrdiff_t>(lead), s.end(),
                      out.end() - static_cast<std::ptrdiff_t>(rank));
  }
  template <class T>
  T at(std::size_t i) const {
    return load<T>(v, t, period != 0 ? i % period : i * step);
  }
  // Element j of the block starting at output position r (r a multiple of the block length).
  template <class T>
  T at(std::size_t r, std::size_t j) const {
    return load<T>(v, t, period != 0 ? j : (r + j) * step);
  }
  // Whether this operand's adjoint share has its own shape and is added up over the output
  // (periodic, or one element), rather than stored at the output's shape.
  bool summed() const { return period != 0 || step == 0; }
  // Where element j of block r goes in this operand's adjoint share.
  std::size_t share_index(std::size_t r, std::size_t j) const {
    return period != 0 ? j : (r + j) * step;
  }
};

// The block length of a two-operand loop: a periodic operand's period, else the whole output.
std::size_t block_length(const Operand& x, const Operand& y, std::size_t n) {
  return x.period != 0 ? x.period : y.period != 0 ? y.period : n;
}

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

// Ops whose value and slope share their costly part (softplus: one exp for both).
template <class Op>
concept SharedSlope = requires(double a) {
  Op::value_and_slope(a);
};

template <class Op>
struct OneOperandOp final : OpBase<OneOperandOp<Op>> {
  std::uint32_t a;
  double c;  // the constant of an operand-and-constant op; unused by one-operand ops
  // SharedSlope ops in a first-order sweep: the slopes the forward computed with the values, for
  // the backward (softplus: one exp per element instead of two). Kept between replays.
  Array slopes;
  bool slopes_current = false;
  OneOperandOp(std::uint32_t x, double k) : a(x), c(k) {}
  RowFlow row_flow(const TensorList& list, std::span<const RowFlow> flow,
                   const TensorNode& self) const override {
    return elementwise_flow(list, flow, self, {a});
  }
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[a];
    const ValueRef xv = x.value();
    const Out o = output(tape, self, xv.shape());
    slopes_current = false;
    if (o.t != nullptr) {
      for (std::size_t i = 0; i < xv.size(); ++i)
        store<Dual>(o.v, o.t, i, value_at<Op>(load<Dual>(xv.data(), x.tangent(), i), c));
    } else if constexpr (SharedSlope<Op>) {
      if (!std::equal(slopes.shape().begin(), slopes.shape().end(), xv.shape().begin(),
                      xv.shape().end())) {
        // From the pool, like every array of a sweep: batches of alternating lengths stay warm.
        recycle(std::move(slopes));
        slopes = fresh(xv.shape());
      }
      for (std::size_t i = 0; i < xv.size(); ++i) {
        const ops::Pair<double> zp = Op::value_and_slope(xv.data()[i]);
        o.v[i] = zp.a;
        slopes.data()[i] = zp.b;
      }
      slopes_current = true;
    } else {
      for (std::size_t i = 0; i < xv.size(); ++i) o.v[i] = value_at<Op>(xv.data()[i], c);
    }
  }
  // skip: each share by adjoint_share (the second sweep of Tape::sweep_from).
  template <class T>
  void vjp(const TensorNode& x, const TensorNode& self, double* g, double* gt, bool skip) const {
    const ValueRef xv = x.value();
    if constexpr (std::is_same_v<T, double>) {
      if (slopes_current) {
        const double* s = slopes.data();
        const double* a = self.adj.data();
        if (skip)
          for (std::size_t i = 0; i < xv.size(); ++i) g[i] = adjoint_share(s[i], a[i]);
        else
          for (std::size_t i = 0; i < xv.size(); ++i) g[i] = s[i] * a[i];
        return;
      }
    }
    const double* xtan = x.tangent();
    const double* zt = self.tangent();
    const double* gzt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    for (std::size_t i = 0; i < xv.size(); ++i) {
      const T p = slope_at<Op>(load<T>(xv.data(), xtan, i), c, load<T>(self.own.data(), zt, i));
      const T adj = load<T>(self.adj.data(), gzt, i);
      store<T>(g, gt, i, skip ? adjoint_share(p, adj) : p * adj);
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[a];
    const bool skip = TensorAccess::skip_zeros(tape);
    accumulate_vjp(tape, x, self.own.shape(),
                   [&](auto t, double* g, double* gt) { vjp<decltype(t)>(x, self, g, gt, skip); });
  }
};

template <class Op>
Tensor one_operand_forward(Tape& tape, std::uint32_t ia, double c) {
  return TensorAccess::record(tape, std::make_unique<OneOperandOp<Op>>(ia, c), {ia}, Op::name);
}

// ---- two operands, broadcast ----

template <class Op>
struct ZipOp final : OpBase<ZipOp<Op>> {
  std::uint32_t a, b;
  ZipOp(std::uint32_t x, std::uint32_t y) : a(x), b(y) {}
  RowFlow row_flow(const TensorList& list, std::span<const RowFlow> flow,
                   const TensorNode& self) const override {
    return elementwise_flow(list, flow, self, {a, b});
  }
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[a];
    const TensorNode& y = list[b];
    const Shape out = broadcast_shape(x.value().shape(), y.value().shape(), Op::name);
    const Out o = output(tape, self, out);
    const Operand ox(x, out), oy(y, out);
    const std::size_t n = size_of(out), len = block_length(ox, oy, n);
    for (std::size_t r = 0; r < n; r += len) {
      if (o.t != nullptr) {
        for (std::size_t j = 0; j < len; ++j)
          store<Dual>(o.v, o.t, r + j, ops::call<Op>(ox.at<Dual>(r, j), oy.at<Dual>(r, j)));
      } else {
        for (std::size_t j = 0; j < len; ++j)
          o.v[r + j] = Op::f(ox.at<double>(r, j), oy.at<double>(r, j));
      }
    }
  }
  // Adjoint shares: stored when an operand has the output's shape, added up when it is periodic
  // or one element (its share has its own shape, zeroed first), so a broadcast bias needs no
  // output-sized buffer and no second pass to sum it.
  // skip: each share by adjoint_share (the second sweep of Tape::sweep_from).
  template <class T>
  void vjp(const Operand& x, const Operand& y, const TensorNode& self, double* ga, double* gat,
           double* gb, double* gbt, bool skip) const {
    // One loop per kind of share, so the inner loop has no branch on it.
    const bool sx = ga != nullptr && x.summed(), sy = gb != nullptr && y.summed();
    if (sx && sy)
      vjp_loop<T, true, true>(x, y, self, ga, gat, gb, gbt, skip);
    else if (sx)
      vjp_loop<T, true, false>(x, y, self, ga, gat, gb, gbt, skip);
    else if (sy)
      vjp_loop<T, false, true>(x, y, self, ga, gat, gb, gbt, skip);
    else
      vjp_loop<T, false, false>(x, y, self, ga, gat, gb, gbt, skip);
  }
  template <class T, bool kSumX, bool kSumY>
  void vjp_loop(const Operand& x, const Operand& y, const TensorNode& self, double* ga, double* gat,
                double* gb, double* gbt, bool skip) const {
    const double* zt = self.tangent();
    const double* gzt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    const std::size_t n = self.own.size(), len = block_length(x, y, n);
    for (std::size_t r = 0; r < n; r += len)
      for (std::size_t j = 0; j < len; ++j) {
        const std::size_t i = r + j;
        const ops::Pair<T> p =
            Op::df(x.at<T>(r, j), y.at<T>(r, j), load<T>(self.own.data(), zt, i));
        const T g = load<T>(self.adj.data(), gzt, i);
        if (ga != nullptr)
          share<T, kSumX>(x, ga, gat, r, j, skip ? adjoint_share(p.a, g) : p.a * g);
        if (gb != nullptr)
          share<T, kSumY>(y, gb, gbt, r, j, skip ? adjoint_share(p.b, g) : p.b * g);
      }
  }
  template <class T, bool kSummed>
  static void share(const Operand& o, double* g, double* gt, std::size_t r, std::size_t j,
                    const T& d) {
    const std::size_t k = o.share_index(r, j);
    if constexpr (!kSummed) {
      store<T>(g, gt, k, d);
    } else if constexpr (std::is_same_v<T, double>) {
      g[k] += d;
    } else {
      g[k] += d.v;
      if (gt != nullptr) gt[k] += d.d;
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[a];
    TensorNode& y = list[b];
    const Shape& out = self.own.shape();
    const Operand ox(x, out), oy(y, out);
    const bool dual = TensorAccess::dual(tape);
    std::optional<Array> ga, gat, gb, gbt;
    auto buffer = [&](bool need, const Operand& o, std::optional<Array>& v) -> double* {
      if (!need) return nullptr;
      v.emplace(fresh(o.summed() ? o.shape : out));
      if (o.summed()) std::fill(v->begin(), v->end(), 0.0);
      return v->data();
    };
    double* pa = buffer(x.active(), ox, ga);
    double* pat = buffer(x.active() && dual, ox, gat);
    double* pb = buffer(y.active(), oy, gb);
    double* pbt = buffer(y.active() && dual, oy, gbt);
    const bool skip = TensorAccess::skip_zeros(tape);
    if (dual)
      vjp<Dual>(ox, oy, self, pa, pat, pb, pbt, skip);
    else
      vjp<double>(ox, oy, self, pa, nullptr, pb, nullptr, skip);
    if (ga) accumulate(x, std::move(*ga), gat ? &*gat : nullptr);
    if (gb) accumulate(y, std::move(*gb), gbt ? &*gbt : nullptr);
  }
};

template <class Op>
Tensor zip_forward(Tape& tape, std::uint32_t ia, std::uint32_t ib) {
  return TensorAccess::record(tape, std::make_unique<ZipOp<Op>>(ia, ib), {ia, ib}, Op::name);
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

// Where: mask ? a : b, the mask a constant stored at the output's shape.
struct WhereOp final : OpBase<WhereOp> {
  xt::xarray<bool> mask;
  std::uint32_t a, b;
  WhereOp(xt::xarray<bool> m, std::uint32_t x, std::uint32_t y) : mask(std::move(m)), a(x), b(y) {}
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[a];
    const TensorNode& y = list[b];
    const Shape ab = broadcast_shape(x.value().shape(), y.value().shape(), "where");
    const Shape& ms = mask.shape();
    if (broadcast_shape(ms, ab, "where (mask)") != ms)
      throw Error("slope: where: the mask has shape " + core::shape(ms) +
                  ", the operands broadcast to " + core::shape(ab));
    const Out o = output(tape, self, ms);
    const Operand ox(x, ms), oy(y, ms);
    const bool* m = mask.data();
    for (std::size_t i = 0; i < mask.size(); ++i) {
      o.v[i] = m[i] ? ox.at<double>(i) : oy.at<double>(i);
      if (o.t != nullptr) o.t[i] = m[i] ? ox.at<Dual>(i).d : oy.at<Dual>(i).d;
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    const bool dual = TensorAccess::dual(tape) && self.has_adj_tan;
    const bool* m = mask.data();
    for (const auto& [k, pick] : {std::pair{a, true}, std::pair{b, false}}) {
      TensorNode& n = list[k];
      if (!n.active()) continue;
      auto select = [&](const Array& from) {
        Array g = fresh(from.shape());
        for (std::size_t i = 0; i < from.size(); ++i)
          g.data()[i] = m[i] == pick ? from.data()[i] : 0.0;
        return g;
      };
      Array g = select(self.adj);
      if (dual) {
        Array gt = select(self.adj_tan);
        accumulate(n, std::move(g), &gt);
      } else {
        accumulate(n, std::move(g), nullptr);
      }
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
  const Shape ab = broadcast_shape(l[ia].value().shape(), l[ib].value().shape(), "where");
  const Shape mask_shape(mask.shape().begin(), mask.shape().end());
  const Shape out = broadcast_shape(mask_shape, ab, "where (mask)");
  if (out != mask_shape) mask = xt::xarray<bool>(xt::broadcast(mask, out));
  return TensorAccess::record(tape, std::make_unique<WhereOp>(std::move(mask), ia, ib), {ia, ib},
                              "where");
}

}  // namespace slope::detail
