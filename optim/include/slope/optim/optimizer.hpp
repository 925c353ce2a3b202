// SPDX-License-Identifier: MIT
#pragma once

#include <slope/optim/objective.hpp>
#include <slope/optim/run.hpp>

namespace slope::optim {

/// The common face of every optimizer: minimise f from x0, calling each callback once per
/// iteration. Options are checked when the optimizer is constructed; x0 of the wrong length (or
/// not finite) is a slope::Error from minimize.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) = 0;
};

}  // namespace slope::optim
