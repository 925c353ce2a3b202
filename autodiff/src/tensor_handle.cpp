// SPDX-License-Identifier: MIT
// The Tensor handle: its node, shape and values as read while recording, one element as a Var,
// stacking Vars into a Tensor, and data as a constant Tensor.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope {

using detail::TensorAccess;

namespace {
// The node behind a handle. A shape read pins the placeholders the node depends on; a value
// read also keeps a copy of the value to check on replay (see TensorList::value_reads).
enum class Read { shape, value };
const detail::TensorNode& read(const Tensor& x, const char* what, Read kind) {
  Tape* t = Tape::active();
  if (t == nullptr || TensorAccess::tag(*t) != x.tag()) detail::throw_stale_tensor(x, t, what);
  const std::uint32_t k = x.node();
  const detail::TensorNode& n = TensorAccess::list(*t)[k];
  TensorAccess::pin(*t, n.placeholders);
  if (kind == Read::value) TensorAccess::note_value_read(*t, k);
  return n;
}
}  // namespace

std::size_t Tensor::node_size() const {
  if (values_ == nullptr) read(*this, "Tensor::size", Read::shape);
  return n_;
}

std::size_t Tensor::dimension() const {
  if (values_ != nullptr) return 1;
  return read(*this, "Tensor::dimension", Read::shape).value().dimension();
}

std::vector<std::size_t> Tensor::shape() const {
  if (values_ != nullptr) return {std::size_t{n_}};
  const auto& s = read(*this, "Tensor::shape", Read::shape).value().shape();
  return {s.begin(), s.end()};
}

double Tensor::value(std::size_t i) const {
  if (i >= n_)
    throw Error("slope::Tensor::value: index " + std::to_string(i) + " out of range for size " +
                std::to_string(n_));
  if (values_ != nullptr) return values_[i];
  return read(*this, "Tensor::value", Read::value).value().flat(i);
}

std::vector<double> Tensor::values() const {
  if (values_ != nullptr) return {values_, values_ + n_};
  const detail::ValueRef v = read(*this, "Tensor::values", Read::value).value();
  return {v.begin(), v.end()};
}

Tensor::Fields Tensor::element(std::size_t i) const {
  if (values_ != nullptr || dimension() == 1) {
    if (i >= n_)
      throw Error("slope::Tensor: index " + std::to_string(i) + " out of range for size " +
                  std::to_string(n_));
  } else {
    throw Error("slope::Tensor::operator[]: needs a 1-D tensor, got shape " +
                core::shape(shape()) + " (use slice, reshape or item)");
  }
  const Var v = detail::element_of(TensorAccess::active("Tensor::operator[]"), node(), i, true);
  return {v.value(), v.slot(), v.tag()};
}

Var Tensor::item() const {
  if (size() != 1)
    throw Error("slope::Tensor::item: needs a tensor of one element, got shape " +
                core::shape(shape()));
  if (values_ != nullptr) return (*this)[0];
  return detail::element_of(TensorAccess::active("Tensor::item"), node(), 0, true);
}

xt::xarray<double> Tensor::value() const { return slope::value(*this); }

// A data node, as an op makes for a data operand, handed back as a Tensor of its own.
Tensor constant(const xt::xarray<double>& data) {
  return TensorAccess::add_data(TensorAccess::active("constant"), &data, detail::Array());
}

Tensor constant(xt::xarray<double>&& data) {
  return TensorAccess::add_data(TensorAccess::active("constant"), nullptr, std::move(data));
}

xt::xarray<double> value(const Tensor& t) {
  const std::vector<double> v = t.values();
  xt::xarray<double> r = xt::xarray<double>::from_shape(t.shape());
  std::copy(v.begin(), v.end(), r.data());
  return r;
}

}  // namespace slope
