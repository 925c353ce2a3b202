// SPDX-License-Identifier: MIT
// Broadcasting as every tensor op's rules share it: the broadcast shape of two operands, strided
// gathers into it, transposes, and the reverse of a broadcast (summing an adjoint back down to
// its operand's shape) when an adjoint is accumulated.

#include <algorithm>
#include <string>

#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope::detail {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ea = i + a.size() >= n ? a[i + a.size() - n] : 1;
    const std::size_t eb = i + b.size() >= n ? b[i + b.size() - n] : 1;
    if (ea != eb && ea != 1 && eb != 1)
      throw Error(std::string("slope: ") + op + ": shapes " + core::shape(a) + " and " +
                  core::shape(b) + " do not broadcast");
    out[i] = ea == 1 ? eb : ea;
  }
  return out;
}

void gather(const double* from, const Shape& strides, const Shape& out, double* dst) {
  const std::size_t rank = out.size();
  if (rank == 0) {
    dst[0] = from[0];
    return;
  }
  Shape idx(rank, 0);
  const std::size_t inner = out[rank - 1], step = strides[rank - 1];
  const std::size_t outer = size_of(out) / std::max<std::size_t>(inner, 1);
  std::size_t off = 0;
  for (std::size_t o = 0; o < outer; ++o, dst += inner) {
    for (std::size_t j = 0; j < inner; ++j) dst[j] = from[off + j * step];
    for (std::size_t d = rank - 1; d-- > 0;) {
      off += strides[d];
      if (++idx[d] < out[d]) break;
      off -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

void broadcast_into(const double* from, const Shape& s, const Shape& out, double* dst) {
  const std::size_t rank = out.size(), lead = rank - s.size();
  Shape strides(rank, 0);
  std::size_t stride = 1;
  for (std::size_t d = rank; d-- > lead;) {
    const std::size_t e = s[d - lead];
    strides[d] = e == 1 ? 0 : stride;
    stride *= e;
  }
  gather(from, strides, out, dst);
}

void transpose_into(const double* from, const Shape& s, double* dst) {
  const std::size_t rank = s.size();
  Shape out(rank, 0), strides(rank, 0);
  std::size_t stride = 1;
  for (std::size_t d = rank; d-- > 0;) {
    out[rank - 1 - d] = s[d];
    strides[rank - 1 - d] = stride;
    stride *= s[d];
  }
  gather(from, strides, out, dst);
}

Array unbroadcast(Array g, const Shape& target) {
  if (std::equal(g.shape().begin(), g.shape().end(), target.begin(), target.end())) return g;
  Array r = zeros(target);
  if (r.size() == 1) {
    // A scalar broadcast (the bias of a linear model): a plain sum.
    r.flat(0) = std::accumulate(g.begin(), g.end(), 0.0);
    recycle(std::move(g));
    return r;
  }
  // Walk g in order, keeping the offset of the target element each g element was broadcast
  // from (stride 0 along broadcast axes); no temporaries, so a warm replay allocates nothing.
  const Shape& gs = g.shape();
  const std::size_t rank = gs.size(), lead = rank - target.size();
  Shape ts(rank, 0), idx(rank, 0);
  std::size_t stride = 1;
  for (std::size_t d = rank; d-- > lead;) {
    const std::size_t e = target[d - lead];
    ts[d] = e == 1 ? 0 : stride;
    stride *= e;
  }
  const std::size_t inner = gs[rank - 1], step = ts[rank - 1];
  const std::size_t outer = g.size() / std::max<std::size_t>(inner, 1);
  const double* p = g.data();
  double* out = r.data();
  std::size_t off = 0;
  for (std::size_t o = 0; o < outer; ++o, p += inner) {
    if (step == 0)
      out[off] += std::accumulate(p, p + inner, 0.0);
    else
      for (std::size_t j = 0; j < inner; ++j) out[off + j] += p[j];
    for (std::size_t d = rank - 1; d-- > 0;) {
      off += ts[d];
      if (++idx[d] < gs[d]) break;
      off -= ts[d] * idx[d];
      idx[d] = 0;
    }
  }
  recycle(std::move(g));
  return r;
}

namespace {
void add_into(Array& to, Array&& from, bool& has) {
  if (has) {
    double* t = to.data();
    const double* f = from.data();
    for (std::size_t i = 0, n = to.size(); i < n; ++i) t[i] += f[i];
    recycle(std::move(from));
  } else {
    to = std::move(from);
    has = true;
  }
}
}  // namespace

void accumulate(TensorNode& n, Array g, Array* gt) {
  if (!n.active()) return;
  const Shape& s = n.value().shape();
  add_into(n.adj, unbroadcast(std::move(g), s), n.has_adj);
  if (gt != nullptr) add_into(n.adj_tan, unbroadcast(std::move(*gt), s), n.has_adj_tan);
}

std::size_t normalize_axis(std::ptrdiff_t axis, std::size_t dims, const char* op,
                           const Shape& shape) {
  const auto d = static_cast<std::ptrdiff_t>(dims);
  if (axis < -d || axis >= d)
    throw Error(std::string("slope: ") + op + ": axis " + std::to_string(axis) +
                " is out of range for shape " + core::shape(shape));
  return static_cast<std::size_t>(axis < 0 ? axis + d : axis);
}

}  // namespace slope::detail
