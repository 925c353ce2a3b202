// SPDX-License-Identifier: MIT
#pragma once

// Tensor nodes: the second list of a tape. Each remembers how many scalar nodes preceded it
// (its mark): scalar nodes below the mark may be its operands, scalar nodes at or above it may
// consume it. The reverse sweep runs the scalar nodes above a mark, then that tensor node's
// vector-Jacobian product, then the scalar nodes below, and so on down.
//
// Second order: in a recording with tangents every active node also carries its tangent, and
// its reverse rule runs in dual numbers (adjoint and adjoint tangent), the tensor form of the
// scalar tape's forward-over-reverse sweep.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <autodiff/dual.hpp>
#include <autodiff/error.hpp>
#include <autodiff/tape.hpp>
#include <autodiff/tensor.hpp>

namespace slope::detail {

using Array = xt::xarray<double>;
using Shape = Array::shape_type;

struct TensorList;
struct TensorNode;

/// A tensor op's reverse rule. `self` holds the op's value, adjoint and (in recordings with
/// tangents) their tangents; the rule adds its operands' shares.
struct TensorOp {
  virtual ~TensorOp() = default;
  virtual void backward(Tape& tape, TensorList& list, TensorNode& self) = 0;
};

struct TensorNode {
  Array own;                     // the value, unless it is referenced data
  const Array* data = nullptr;   // referenced constant data
  Array tan;                     // value tangent (recordings with tangents)
  Array adj, adj_tan;            // adjoint and its tangent, built by the reverse sweep
  std::unique_ptr<TensorOp> op;  // null for constants
  std::uint32_t mark = 0;        // scalar nodes recorded before this node
  bool has_tan = false, has_adj = false, has_adj_tan = false;

  const Array& value() const { return data != nullptr ? *data : own; }
  const Array* tangent() const { return has_tan ? &tan : nullptr; }
  bool active() const { return op != nullptr; }
};

struct TensorList {
  std::vector<TensorNode> nodes;
  TensorNode& operator[](std::uint32_t i) { return nodes[i]; }
  /// Drops every node, handing its arrays back to this thread's array pool.
  void clear();
};

/// An uninitialised array of the given shape, from this thread's pool of arrays released by
/// earlier recordings when one of the same size is there. Recording the same loss again then
/// reuses memory instead of asking the kernel for fresh pages (page faults were a third of an
/// HVP at N = 100 000 before the pool).
Array fresh(const Shape& shape);
Array zeros(const Shape& shape);
/// Hands an array's memory to the pool (bounded by the largest recording seen on this thread).
void recycle(Array&& a);

/// What tensor ops need of the tape (a friend of Tape and Tensor).
struct TensorAccess {
  static Tape& active(const char* op);
  static TensorList& list(Tape& t);
  static bool dual(const Tape& t) { return t.dual_; }
  static std::uint32_t tag(const Tape& t) { return t.tag_; }
  /// A new node; `value` and `tan` are moved in. Its mark is the current scalar size.
  static Tensor add(Tape& t, Array value, Array* tan, std::unique_ptr<TensorOp> op,
                    const char* name);
  static Tensor add_data(Tape& t, const Array* data, Array own);
  /// A scalar node produced by a tensor op (its adjoint is read back by that op's rule).
  static Var push_scalar(Tape& t, double z, double tangent);
  static double adjoint(const Tape& t, std::uint32_t slot) { return t.base_[slot].adj; }
  static double adjoint_tangent(const Tape& t, std::uint32_t slot) {
    return t.dual_ ? t.tangents_[slot].adj : 0.0;
  }
  static void add_adjoint(Tape& t, std::uint32_t slot, double g, double gt) {
    t.base_[slot].adj += g;
    if (t.dual_) t.tangents_[slot].adj += gt;
  }
  static double tangent(const Tape& t, std::uint32_t slot) {
    return t.dual_ ? t.tangents_[slot].t : 0.0;
  }
  static bool nan_check(const Tape& t) { return t.nan_check_; }
};

// ---- helpers shared by the op files ----

std::string shape_str(const Shape& s);
std::string shape_str(const std::vector<std::size_t>& s);
/// The node of a Tensor operand on tape t; throws for stale handles or handles of other tapes.
std::uint32_t node_index(Tape& t, const Tensor& x, const char* op);
/// NumPy broadcast shape of a and b; throws naming the op and both shapes.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);
/// Sums g over the axes along which `target` was broadcast, so it has shape `target`.
Array unbroadcast(Array g, const Shape& target);
/// Adds an adjoint share (and its tangent) of any broadcast shape into node n.
void accumulate(TensorNode& n, Array g, Array* gt);
/// The adjoint (tangent) buffer of n, zero-filled on first use, for rules that add into part
/// of it (slices, gathered rows, single elements).
Array& adjoint_buffer(TensorNode& n);
Array& adjoint_tangent_buffer(TensorNode& n);
/// Element `flat` of tensor node src as a scalar node.
Var element_of(Tape& t, std::uint32_t src, std::size_t flat);
std::size_t normalize_axis(std::ptrdiff_t axis, std::size_t dims, const char* op,
                           const Shape& shape);

/// The common shape of a reverse rule with one operand: `vjp(T{}, g, gt)` fills an adjoint share
/// of `shape` at T = double (gt null) or, in a recording with tangents, at T = Dual; the share is
/// then added to `target`.
template <class Vjp>
void accumulate_vjp(const Tape& tape, TensorNode& target, const Shape& shape, Vjp&& vjp) {
  Array g = fresh(shape);
  if (TensorAccess::dual(tape)) {
    Array gt = fresh(shape);
    vjp(Dual{}, g.data(), gt.data());
    accumulate(target, std::move(g), &gt);
  } else {
    vjp(0.0, g.data(), nullptr);
    accumulate(target, std::move(g), nullptr);
  }
}

template <class T>
T load(const double* v, const double* t, std::size_t i) {
  if constexpr (std::is_same_v<T, double>)
    return v[i];
  else
    return Dual(v[i], t != nullptr ? t[i] : 0.0);
}
template <class T>
void store(double* v, double* t, std::size_t i, const T& x) {
  if constexpr (std::is_same_v<T, double>) {
    v[i] = x;
  } else {
    v[i] = x.v;
    if (t != nullptr) t[i] = x.d;
  }
}

}  // namespace slope::detail
