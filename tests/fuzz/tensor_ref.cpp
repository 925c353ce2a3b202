// SPDX-License-Identifier: MIT
// The long-double reference interpreter of a TensorProgram.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>

#include "tensor_ref.hpp"

namespace fuzz {
namespace {

using L = long double;

// The branch each kink took (which operand of a max or min, which element of a max or min
// reduction, the sign under fabs), in evaluation order; reference() fills the caller's trace.
thread_local std::vector<std::uint32_t>* g_choices = nullptr;
void choose(std::uint32_t c) {
  if (g_choices != nullptr) g_choices->push_back(c);
}
std::uint32_t side(L a, L b) { return a < b ? 0 : a > b ? 1 : 2; }

L map1(int fn, L x) {
  switch (fn) {
    case 0:
      return std::sin(x);
    case 1:
      return std::cos(x);
    case 2:
      return std::tanh(x);
    case 3:
      return 1 / (1 + std::exp(-x));
    case 4:
      return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case 5:
      return x * x;
    case 6:
      return std::atan(x);
    case 7:
      return std::erf(x);
    case 8:
      return std::asinh(x);
    case 9:
      choose(side(x, 0));
      return std::fabs(x);
    default:
      return x < 0 ? x - std::log1p(std::exp(x)) : -std::log1p(std::exp(-x));
  }
}

L zip1(int op, L a, L b) {
  switch (op) {
    case 0:
      return a + b;
    case 1:
      return a - b;
    case 2:
      return a * b;
    case 3:
      choose(side(a, b));
      return std::max(a, b);
    default:
      choose(side(a, b));
      return std::min(a, b);
  }
}

// a op b with b the same shape, a row vector (cols,) or a scalar (one element).
Arr zip(int op, const Arr& a, const Arr& b) {
  Arr r = a;
  for (std::size_t i = 0; i < a.v.size(); ++i) {
    const L y = b.v.size() == 1 ? b.v[0] : b.v.size() == a.v.size() ? b.v[i] : b.v[i % a.cols()];
    r.v[i] = zip1(op, a.v[i], y);
  }
  return r;
}

L reduce(int red, const std::vector<L>& xs) {
  L m = xs[0], s = 0;
  switch (red) {
    case 0:
      for (L x : xs) s += x;
      return s;
    case 1:
      for (L x : xs) s += x;
      return s / static_cast<L>(xs.size());
    case 2: {
      const auto it = std::max_element(xs.begin(), xs.end());
      choose(static_cast<std::uint32_t>(it - xs.begin()));
      return *it;
    }
    case 3: {
      const auto it = std::min_element(xs.begin(), xs.end());
      choose(static_cast<std::uint32_t>(it - xs.begin()));
      return *it;
    }
    case 4:
      for (L x : xs) s += x * x;
      return std::sqrt(s);
    default:
      m = *std::max_element(xs.begin(), xs.end());
      for (L x : xs) s += std::exp(x - m);
      return m + std::log(s);
  }
}

// Applies f to each line of a (a 1-D array is one line) along axis, collecting the results.
Arr along(const Arr& a, int axis, const std::function<std::vector<L>(const std::vector<L>&)>& f,
          bool keep) {
  const std::size_t R = a.rows(), C = a.cols();
  const bool cols = a.shape.size() == 2 && axis == 0;  // lines are columns
  const std::size_t lines = cols ? C : R, len = cols ? R : C;
  Arr r;
  r.shape = keep ? a.shape : Shape{lines};
  r.v.assign(keep ? a.v.size() : lines, 0);
  for (std::size_t l = 0; l < lines; ++l) {
    std::vector<L> xs(len);
    for (std::size_t j = 0; j < len; ++j) xs[j] = a.v[cols ? j * C + l : l * C + j];
    const std::vector<L> ys = f(xs);
    for (std::size_t j = 0; j < ys.size(); ++j) {
      if (keep)
        r.v[cols ? j * C + l : l * C + j] = ys[j];
      else
        r.v[l] = ys[j];
    }
  }
  return r;
}

}  // namespace

long double reference(const TensorProgram& p, std::span<const long double> x,
                      std::span<const double> e_data, std::vector<std::uint32_t>* choices) {
  if (choices != nullptr) choices->clear();
  g_choices = choices;
  struct Reset {
    ~Reset() { g_choices = nullptr; }
  } reset;
  const std::size_t R = std::size_t(p.R), C = std::size_t(p.C), K = std::size_t(p.K);
  std::vector<Arr> reg;
  reg.push_back({{R, C}, std::vector<L>(x.begin(), x.begin() + static_cast<long>(R * C))});
  reg.push_back({{C}, std::vector<L>(x.begin() + static_cast<long>(R * C), x.end() - 1)});
  const L s = x.back();
  auto data = [](const Shape& sh, const std::vector<double>& d) {
    return Arr{sh, std::vector<L>(d.begin(), d.end())};
  };
  const Arr D = data({R, C}, p.D), F = data({C}, p.F);
  const Arr E =
      data({C, K}, e_data.empty() ? p.E : std::vector<double>(e_data.begin(), e_data.end()));
  for (const TInstr& in : p.code) {
    const Arr& a = reg[static_cast<std::size_t>(in.x)];
    Arr r = a;
    switch (in.op) {
      case TOp::Map:
        for (L& v : r.v) v = map1(in.fn, v);
        break;
      case TOp::Zip:
        r = zip(in.fn, a, reg[static_cast<std::size_t>(in.y)]);
        break;
      case TOp::ZipData:
        if (in.variant == 2) {
          for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] = a.v[i] / (1 + D.v[i] * D.v[i]);
        } else {
          r = zip(in.fn, a, in.variant == 0 ? D : F);
        }
        break;
      case TOp::ZipScalar:
        r = zip(in.fn, a, Arr{{1}, {in.variant == 0 ? s : L(in.k)}});
        break;
      case TOp::Reduce:
        r = along(
            a, in.axis, [&](const std::vector<L>& xs) { return std::vector<L>{reduce(in.fn, xs)}; },
            false);
        break;
      case TOp::Softmax:
        r = along(
            a, in.axis,
            [&](const std::vector<L>& xs) {
              const L lse = reduce(5, xs);
              std::vector<L> ys;
              for (L v : xs) ys.push_back(in.variant == 0 ? std::exp(v - lse) : v - lse);
              return ys;
            },
            true);
        break;
      case TOp::MatmulE:
      case TOp::MatmulVec: {
        const Arr& b = in.op == TOp::MatmulE ? E : reg[static_cast<std::size_t>(in.y)];
        const std::size_t m = a.shape.size() == 2 ? a.rows() : 1, k = a.cols();
        const std::size_t n = b.shape.size() == 2 ? b.cols() : 1;
        r.v.assign(m * n, 0);
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t j = 0; j < n; ++j)
            for (std::size_t l = 0; l < k; ++l) r.v[i * n + j] += a.v[i * k + l] * b.v[l * n + j];
        r.shape = a.shape.size() == 2 ? (b.shape.size() == 2 ? Shape{m, n} : Shape{m}) : Shape{n};
        break;
      }
      case TOp::Transpose:
        r.shape = {a.shape[1], a.shape[0]};
        for (std::size_t i = 0; i < a.shape[0]; ++i)
          for (std::size_t j = 0; j < a.shape[1]; ++j)
            r.v[j * a.shape[0] + i] = a.v[i * a.shape[1] + j];
        break;
      case TOp::Slice: {
        const std::size_t w = a.shape.size() == 2 ? a.shape[1] : 1;
        r.shape[0] = std::size_t(in.hi - in.lo);
        r.v.assign(a.v.begin() + static_cast<long>(std::size_t(in.lo) * w),
                   a.v.begin() + static_cast<long>(std::size_t(in.hi) * w));
        break;
      }
      case TOp::Concat: {
        const Arr& b = reg[static_cast<std::size_t>(in.y)];
        r.shape[0] += b.shape[0];
        r.v.insert(r.v.end(), b.v.begin(), b.v.end());
        break;
      }
    }
    reg.push_back(std::move(r));
  }
  return reduce(p.final_reduction, reg.back().v) + s / 2;
}

}  // namespace fuzz
