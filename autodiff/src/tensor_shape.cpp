// SPDX-License-Identifier: MIT
// Ops that move elements without arithmetic: reshape, slice, gather_rows, concatenate. Their
// reverse rules move the adjoint (and its tangent) back the same way.

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope::detail {
namespace {

std::size_t row_size(const Shape& s) {
  return std::accumulate(s.begin() + 1, s.end(), std::size_t{1}, std::multiplies<>());
}

// Copies rows of `from` (each `width` doubles) to rows of `to`: to[dst(i)] (+)= from[src(i)].
template <class Src, class Dst>
void move_rows(const double* from, double* to, std::size_t count, std::size_t width, Src src,
               Dst dst, bool add) {
  for (std::size_t i = 0; i < count; ++i) {
    const double* f = from + src(i) * width;
    double* t = to + dst(i) * width;
    if (add)
      for (std::size_t j = 0; j < width; ++j) t[j] += f[j];
    else
      std::copy(f, f + width, t);
  }
}

// Rows of the source picked by an index list (a slice is the list begin, begin+1, ...).
struct RowsOp final : OpBase<RowsOp> {
  std::uint32_t src;
  std::vector<std::size_t> rows;
  const char* name;
  RowsOp(std::uint32_t s, std::vector<std::size_t> r, const char* n)
      : src(s), rows(std::move(r)), name(n) {}
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[src];
    const Shape& s = x.value().shape();
    if (s.empty())
      throw Error(std::string("slope: ") + name + ": needs at least one axis, got a 0-d tensor");
    for (std::size_t r : rows)
      if (r >= s[0])
        throw Error(std::string("slope: ") + name + ": row " + std::to_string(r) +
                    " out of range for " + std::to_string(s[0]) + " rows (shape " + core::shape(s) +
                    ")");
    Shape out = s;
    out[0] = rows.size();
    const Out o = output(tape, self, out);
    const std::size_t width = row_size(out);
    auto id = [](std::size_t i) { return i; };
    auto pick = [&](std::size_t i) { return rows[i]; };
    move_rows(x.value().data(), o.v, rows.size(), width, pick, id, false);
    if (o.t != nullptr) move_rows(x.tangent(), o.t, rows.size(), width, pick, id, false);
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    TensorNode& x = list[src];
    if (!self.has_adj || !x.active()) return;
    const std::size_t width = row_size(x.value().shape());
    auto id = [](std::size_t i) { return i; };
    auto pick = [&](std::size_t i) { return rows[i]; };
    move_rows(self.adj.data(), adjoint_buffer(x).data(), rows.size(), width, id, pick, true);
    if (TensorAccess::dual(tape) && self.has_adj_tan)
      move_rows(self.adj_tan.data(), adjoint_tangent_buffer(x).data(), rows.size(), width, id, pick,
                true);
  }
};

Tensor take_rows(Tape& tape, std::uint32_t ia, std::vector<std::size_t> rows, const char* name) {
  return TensorAccess::record(tape, std::make_unique<RowsOp>(ia, std::move(rows), name), {ia},
                              name);
}

Shape resolve_shape(std::span<const std::ptrdiff_t> dims, const Shape& from) {
  const std::size_t total =
      std::accumulate(from.begin(), from.end(), std::size_t{1}, std::multiplies<>());
  Shape out(dims.size());
  std::size_t known = 1;
  std::ptrdiff_t infer = -1;
  auto fail = [&](const std::string& why) {
    std::string to = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (i > 0) to += ',';
      to += std::to_string(dims[i]);
    }
    throw Error("slope: reshape: cannot reshape " + core::shape(from) + " into " + to +
                (dims.size() == 1 ? ",)" : ")") + ": " + why);
  };
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer >= 0) fail("only one extent may be -1");
      infer = static_cast<std::ptrdiff_t>(i);
    } else if (dims[i] < 0) {
      fail("negative extent");
    } else {
      out[i] = static_cast<std::size_t>(dims[i]);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || total % known != 0) fail("the sizes do not divide");
    out[static_cast<std::size_t>(infer)] = total / known;
  } else if (known != total) {
    fail(std::to_string(total) + " elements, not " + std::to_string(known));
  }
  return out;
}

// The target extents are kept as given (with -1), so a reshape of a placeholder's rows follows a
// new number of rows.
struct ReshapeOp final : OpBase<ReshapeOp> {
  std::uint32_t src;
  std::vector<std::ptrdiff_t> dims;
  ReshapeOp(std::uint32_t s, std::vector<std::ptrdiff_t> d) : src(s), dims(std::move(d)) {}
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[src];
    const Out o = output(tape, self, resolve_shape(dims, x.value().shape()));
    std::copy(x.value().begin(), x.value().end(), o.v);
    if (o.t != nullptr) std::copy_n(x.tangent(), x.value().size(), o.t);
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    TensorNode& x = list[src];
    if (!self.has_adj) return;
    auto reshaped = [&](const Array& from) {
      Array g = fresh(x.value().shape());
      std::copy(from.begin(), from.end(), g.begin());
      return g;
    };
    Array g = reshaped(self.adj);
    if (TensorAccess::dual(tape) && self.has_adj_tan) {
      Array gt = reshaped(self.adj_tan);
      accumulate(x, std::move(g), &gt);
    } else {
      accumulate(x, std::move(g), nullptr);
    }
  }
};

Tensor reshape_node(const Tensor& a, std::span<const std::ptrdiff_t> dims) {
  Tape& tape = TensorAccess::active("reshape");
  const std::uint32_t ia = node_index(tape, a, "reshape");
  return TensorAccess::record(
      tape, std::make_unique<ReshapeOp>(ia, std::vector<std::ptrdiff_t>(dims.begin(), dims.end())),
      {ia}, "reshape");
}

Tensor slice_node(const Tensor& a, std::size_t begin, std::size_t end) {
  Tape& tape = TensorAccess::active("slice");
  const std::uint32_t ia = node_index(tape, a, "slice");
  const Shape& s = TensorAccess::list(tape)[ia].value().shape();
  if (s.empty()) throw Error("slope: slice: needs at least one axis, got a 0-d tensor");
  if (begin > end || end > s[0])
    throw Error("slope: slice: rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                ") out of range for shape " + core::shape(s));
  std::vector<std::size_t> rows(end - begin);
  std::iota(rows.begin(), rows.end(), begin);
  return take_rows(tape, ia, std::move(rows), "slice");
}

struct ConcatOp final : OpBase<ConcatOp> {
  std::vector<std::uint32_t> parts;
  std::ptrdiff_t axis;
  std::size_t outer = 1;  // chunks per part: the product of the extents before the axis
  ConcatOp(std::vector<std::uint32_t> p, std::ptrdiff_t a) : parts(std::move(p)), axis(a) {}
  void forward(Tape& tape, TensorList& l, TensorNode& self) override {
    const Shape first = l[parts[0]].value().shape();
    if (first.empty()) throw Error("slope: concatenate: needs at least one axis, got a 0-d tensor");
    const std::size_t ax = normalize_axis(axis, first.size(), "concatenate", first);
    Shape out = first;
    out[ax] = 0;
    for (std::uint32_t k : parts) {
      const Shape& s = l[k].value().shape();
      bool same = s.size() == first.size();
      for (std::size_t d = 0; same && d < s.size(); ++d) same = d == ax || s[d] == first[d];
      if (!same)
        throw Error("slope: concatenate: shapes " + core::shape(first) + " and " + core::shape(s) +
                    " differ outside axis " + std::to_string(ax));
      out[ax] += s[ax];
    }
    outer = 1;
    for (std::size_t d = 0; d < ax; ++d) outer *= first[d];
    const Out o = output(tape, self, out);
    const std::size_t total = size_of(out) / std::max<std::size_t>(outer, 1);
    std::size_t offset = 0;
    for (std::uint32_t k : parts) {
      const TensorNode& x = l[k];
      const std::size_t chunk = x.value().size() / std::max<std::size_t>(outer, 1);
      for (std::size_t i = 0; i < outer; ++i) {
        std::copy_n(x.value().data() + i * chunk, chunk, o.v + i * total + offset);
        if (o.t != nullptr) {
          double* t = o.t + i * total + offset;
          if (x.tangent() != nullptr)
            std::copy_n(x.tangent() + i * chunk, chunk, t);
          else
            std::fill_n(t, chunk, 0.0);
        }
      }
      offset += chunk;
    }
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    const bool dual = TensorAccess::dual(tape) && self.has_adj_tan;
    std::size_t offset = 0, total = self.own.size() / std::max<std::size_t>(outer, 1);
    for (std::uint32_t k : parts) {
      TensorNode& x = list[k];
      const std::size_t chunk = x.value().size() / std::max<std::size_t>(outer, 1);
      if (x.active()) {
        auto part = [&](const Array& from) {
          Array g = fresh(x.value().shape());
          for (std::size_t o = 0; o < outer; ++o)
            std::copy_n(from.data() + o * total + offset, chunk, g.data() + o * chunk);
          return g;
        };
        Array g = part(self.adj);
        if (dual) {
          Array gt = part(self.adj_tan);
          accumulate(x, std::move(g), &gt);
        } else {
          accumulate(x, std::move(g), nullptr);
        }
      }
      offset += chunk;
    }
  }
};

}  // namespace
}  // namespace slope::detail

namespace slope {

using detail::Array;
using detail::Shape;
using detail::TensorAccess;

Tensor reshape(const Tensor& a, std::initializer_list<Dim> shape) {
  std::vector<std::ptrdiff_t> dims;
  for (const Dim& d : shape) dims.push_back(d.n);
  return detail::reshape_node(a, dims);
}

Tensor Tensor::reshape(std::initializer_list<Dim> shape) const {
  return slope::reshape(*this, shape);
}

Tensor Tensor::reshape(std::span<const std::size_t> shape) const {
  std::vector<std::ptrdiff_t> dims;
  for (std::size_t d : shape) dims.push_back(static_cast<std::ptrdiff_t>(d));
  return detail::reshape_node(*this, dims);
}

Tensor slice(const Tensor& a, std::size_t begin, std::size_t end) {
  return detail::slice_node(a, begin, end);
}

Tensor Tensor::slice(std::size_t begin, std::size_t end) const {
  if (values_ != nullptr) {  // a block of inputs stays a block: p.slice(a, b)[i] is still an input
    if (begin > end || end > n_)
      throw Error("slope: slice: elements [" + std::to_string(begin) + ", " + std::to_string(end) +
                  ") out of range for shape (" + std::to_string(n_) + ",)");
    return Tensor(values_ + begin, first_ + static_cast<std::uint32_t>(begin),
                  static_cast<std::uint32_t>(end - begin), tag_);
  }
  return detail::slice_node(*this, begin, end);
}

Tensor gather_rows(const Tensor& a, std::span<const std::size_t> idx) {
  Tape& tape = TensorAccess::active("gather_rows");
  const std::uint32_t ia = detail::node_index(tape, a, "gather_rows");
  const Shape& s = TensorAccess::list(tape)[ia].value().shape();
  if (s.empty()) throw Error("slope: gather_rows: needs at least one axis, got a 0-d tensor");
  for (std::size_t i : idx)
    if (i >= s[0])
      throw Error("slope: gather_rows: index " + std::to_string(i) + " out of range for " +
                  std::to_string(s[0]) + " rows (shape " + core::shape(s) + ")");
  return detail::take_rows(tape, ia, {idx.begin(), idx.end()}, "gather_rows");
}

Tensor concatenate(std::span<const Tensor> parts, std::ptrdiff_t axis) {
  Tape& tape = TensorAccess::active("concatenate");
  if (parts.empty()) throw Error("slope: concatenate: needs at least one tensor, got 0");
  std::vector<std::uint32_t> ids;
  for (const Tensor& p : parts) ids.push_back(detail::node_index(tape, p, "concatenate"));
  const std::vector<std::uint32_t> operands = ids;
  return TensorAccess::record(tape, std::make_unique<detail::ConcatOp>(std::move(ids), axis),
                              operands, "concatenate");
}

}  // namespace slope
