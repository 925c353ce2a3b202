// SPDX-License-Identifier: MIT
#pragma once

// What a recording costs, as Tape::stats() and Function::stats() report it, so that the memory a
// derivative needs can be compared per entry with other tools (which report bytes per Jacobian
// entry of their statement-level tapes).

#include <cstddef>

namespace slope {

struct TapeStats {
  /// Scalar nodes: elementary ops and inputs (the sink at slot 0 is not counted).
  std::size_t nodes = 0;
  /// Local partials (Jacobian entries) the nodes hold: two for a two-operand op, one for an op of
  /// one operand (with or without a constant), none for an input.
  std::size_t entries = 0;
  /// Bytes the recording's sweeps read and write now: the nodes (their adjoints included), the
  /// tangents of a recording with a direction, the compiled replay (its values, schedule and
  /// plan) and the tensor nodes' own values, tangents and adjoints (not the data they reference).
  std::size_t bytes = 0;
  /// The most bytes reserved at once for the above (buffer capacities, which a tape keeps across
  /// recordings), as of the last time the tape grew, compiled a replay or was asked.
  std::size_t peak = 0;
  /// Of `bytes`, the compiled replay's own: the format a replayed gradient sweeps (its values,
  /// adjoints, schedule, operands and any stored partials); 0 before the first replay. The
  /// recording's nodes stay beside it (HVP replays and errors read them).
  std::size_t replay_bytes = 0;

  /// bytes / nodes: what one recorded node costs, values and adjoints included (0 when empty).
  double bytes_per_node() const {
    return nodes == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(nodes);
  }
  /// replay_bytes / nodes: what the replay format costs per recorded node (0 when empty).
  double replay_bytes_per_node() const {
    return nodes == 0 ? 0.0 : static_cast<double>(replay_bytes) / static_cast<double>(nodes);
  }
};

}  // namespace slope
