// SPDX-License-Identifier: MIT
// Which recordings are a sum or mean over the rows of their data. For those a replay may walk the
// data in blocks of rows, forward and reverse per block while the block is in cache, and add up
// the blocks' gradients: a loss over a large data set then reads the data from memory once per
// gradient instead of once per sweep.

#include <algorithm>
#include <vector>

#include "tensor_list.hpp"

namespace slope::detail {

RowFlow elementwise_flow(const TensorList& list, std::span<const RowFlow> flow,
                         const TensorNode& self, std::initializer_list<std::uint32_t> operands) {
  const Shape& out = self.value().shape();
  bool rows = false;
  for (const std::uint32_t k : operands) {
    const Shape& s = list.nodes[k].value().shape();
    if (flow[k] == RowFlow::rows) {
      // Same rank, same leading extent: the operand's axis 0 is the result's.
      if (s.size() != out.size() || s.empty() || s[0] != out[0]) return RowFlow::mixed;
      rows = true;
    } else if (flow[k] == RowFlow::none) {
      // Repeated along axis 0, so every block of rows reads all of it.
      if (s.size() == out.size() && !s.empty() && s[0] != 1) return RowFlow::mixed;
    } else {
      return RowFlow::mixed;
    }
  }
  return rows ? RowFlow::rows : RowFlow::none;
}

std::optional<RowFlow> row_combine(Tape& tape, std::uint32_t out) {
  if (out == 0 || !tape.guards().empty() || tape.pinned_placeholders() != 0 ||
      tape.tensor_count() == 0)
    return std::nullopt;
  const TensorList& list = TensorAccess::list(tape);
  if (!list.value_reads.empty()) return std::nullopt;
  std::vector<RowFlow> flow(list.nodes.size(), RowFlow::none);
  std::optional<RowFlow> result;
  for (std::size_t i = 0; i < list.nodes.size(); ++i) {
    const TensorNode& n = list.nodes[i];
    if (n.placeholders == 0) continue;  // none: no data reaches it
    if (n.op == nullptr) {
      flow[i] = n.value().dimension() > 0 ? RowFlow::rows : RowFlow::mixed;
    } else {
      flow[i] = n.op->row_flow(list, flow, n);
      if (flow[i] == RowFlow::sum || flow[i] == RowFlow::mean) {
        // A reduction's 0-d node, or the element that reads it out as a Var: only the output
        // may be such a Var (another would let a block see its own sum where the whole's is
        // meant, e.g. mean(z * mean(z))).
        const std::uint32_t slot = n.op->scalar_slot();
        if (slot != 0) {
          if (slot != out) return std::nullopt;
          result = flow[i];
        }
      }
    }
    if (flow[i] == RowFlow::mixed) return std::nullopt;
  }
  return result;
}

}  // namespace slope::detail
