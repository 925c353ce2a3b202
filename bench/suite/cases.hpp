// SPDX-License-Identifier: MIT
#pragma once

// The derivative-cost suite's workloads, each at a small and a large size. A Case carries the
// plain function, the hand-written gradient and the loss on the tape, all of the same
// arithmetic, so every method times the same thing.
//   W1-small  linear-model MSE in scalar code, N = 1 000, D = 8
//   W1-large  the same loss with tensors, N = 100 000, D = 100
//   W2-small  extended Rosenbrock, n = 100          W2-large  n = 10 000
//   W3-small  logistic NLL with tensors, N = 1 000, D = 20
//   W3-large  N = 100 000, D = 100
//   W4-small  one tanh layer of 64, softmax over 10 classes, 32 inputs, batch 256
//   W4-large  the same network, batch 4 096

#include <slope/autodiff.hpp>
#include <functional>
#include <string>
#include <vector>

namespace suite {

using Vec = std::vector<double>;

struct Case {
  std::string id;    // "W2-small"
  std::string what;  // one line for the report
  Vec x0, v;         // the point and the HVP direction
  std::function<double(const Vec& x)> plain;
  std::function<double(const Vec& x, Vec& g)> hand;  // value; gradient into g
  std::function<slope::Var(const slope::Tensor& p)> taped;
  bool dense_hessian = false;  // small sizes only
};

/// The case with this id, or an empty id when there is none.
Case make_case(const std::string& id);

/// Every id, in report order.
std::vector<std::string> case_ids();

}  // namespace suite
