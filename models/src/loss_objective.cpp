// SPDX-License-Identifier: MIT
#include <algorithm>
#include <slope/models/loss_objective.hpp>

namespace slope {

namespace {

std::string shape_text(const xt::xarray<double>& a) {
  std::string s = "(";
  for (std::size_t i = 0; i < a.dimension(); ++i)
    s += (i ? "," : "") + std::to_string(a.shape()[i]);
  return s + (a.dimension() == 1 ? ",)" : ")");
}

}  // namespace

std::size_t LossObjective::rows_of(const std::vector<Placeholder>& data) {
  std::size_t rows = 0;
  for (const Placeholder& p : data) {
    const auto& a = p.data();
    if (a.dimension() == 0)
      throw Error("slope::as_objective: placeholder '" + p.name() +
                  "' is a scalar; examples are the rows of the data");
    if (&p != &data.front() && a.shape()[0] != rows)
      throw Error("slope::as_objective: placeholder '" + p.name() + "' has shape " + shape_text(a) +
                  ", '" + data.front().name() + "' has " + std::to_string(rows) +
                  " rows: every placeholder needs the same number of rows");
    rows = a.shape()[0];
  }
  if (!data.empty() && rows == 0) throw Error("slope::as_objective: the data has no rows");
  return rows;
}

void LossObjective::init() {
  fn_.on_stale(OnStale::record_again);
  n_ = fn_.dimension();
  gathered_.resize(data_.size());
  begin_ = 0;
  end_ = examples_;  // recording bound every placeholder to all of its rows
}

void LossObjective::bind(optim::Batch batch, const char* call) {
  if (batch.empty()) {
    if (gathered_bound_ || begin_ != 0 || end_ != examples_) {
      for (const Placeholder& p : data_) fn_.bind_rows(p.name(), p.data(), 0, examples_);
      begin_ = 0;
      end_ = examples_;
      gathered_bound_ = false;
    }
    return;
  }
  if (data_.empty())
    throw Error(std::string("slope::LossObjective::") + call +
                ": a batch of examples was given, but the loss has no data placeholders");
  bool run = true;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] >= examples_)
      throw Error(std::string("slope::LossObjective::") + call + ": example index " +
                  std::to_string(batch[i]) + " is out of range (the data has " +
                  std::to_string(examples_) + " rows)");
    run = run && batch[i] == batch[0] + i;
  }
  if (run) {
    const std::size_t b = batch[0], e = batch[0] + batch.size();
    if (gathered_bound_ || b != begin_ || e != end_) {
      for (const Placeholder& p : data_) fn_.bind_rows(p.name(), p.data(), b, e);
      begin_ = b;
      end_ = e;
      gathered_bound_ = false;
    }
    return;
  }
  for (std::size_t k = 0; k < data_.size(); ++k) {
    const xt::xarray<double>& src = data_[k].data();
    xt::xarray<double>& dst = gathered_[k];
    auto shape = src.shape();
    shape[0] = batch.size();
    if (dst.shape() != shape) dst.resize(shape);
    const std::size_t width = src.size() / examples_;
    for (std::size_t i = 0; i < batch.size(); ++i)
      std::copy_n(src.data() + batch[i] * width, width, dst.data() + i * width);
    fn_.bind(data_[k].name(), dst);
  }
  gathered_bound_ = true;
}

double LossObjective::value(optim::Span x, optim::Batch batch) {
  bind(batch, "value");
  return fn_.value(x);
}

double LossObjective::value_and_grad(optim::Span x, optim::MutSpan g, optim::Batch batch) {
  bind(batch, "value_and_grad");
  return fn_.value_and_grad(x, g);
}

void LossObjective::hvp(optim::Span x, optim::Span v, optim::MutSpan hv, optim::Batch batch) {
  bind(batch, "hvp");
  fn_.hvp(x, v, hv);
}

void LossObjective::hessian(optim::Span x, optim::MutSpan h, optim::Batch batch) {
  bind(batch, "hessian");
  const xt::xarray<double> H = fn_.hessian(x);
  if (h.size() != H.size())
    throw Error("slope::LossObjective::hessian: output has " + std::to_string(h.size()) +
                " entries, need " + std::to_string(H.size()));
  std::copy(H.begin(), H.end(), h.begin());
}

}  // namespace slope
