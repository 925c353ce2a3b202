// SPDX-License-Identifier: MIT
#pragma once

// What a Function holds (private to the library): its recording (FunctionState: a tape of its
// own, the placeholders' bindings) and how to record again (Rerecorder: f, the OnStale option,
// binds waiting for a new recording). function.cpp replays, function_bind.cpp binds,
// function_record.cpp records (again), function_threads.cpp splits rows among threads.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <slope/autodiff/function.hpp>

#include "rethrow.hpp"
#include "tensor_list.hpp"

namespace slope::detail {

struct Binding {
  PlaceholderSpec now;                // what the node reads
  std::vector<std::size_t> recorded;  // the shape while recording
  std::uint32_t node;
  unsigned index;
};

struct FunctionState {
  std::unique_ptr<Tape> tape;
  std::uint32_t out = 0;  // the output's slot; 0 when f returned a constant
  double constant = 0;
  std::uint32_t first = 0;  // the parameters' first slot
  std::size_t n = 0;
  std::vector<Binding> bindings;
  // parallel_value_and_grad's clones and per-shard results, kept for the next call.
  std::vector<Function> clones;
  std::vector<std::vector<double>> shard_grads;
  // Whether the output is a sum or mean over the data's rows (row_combine), found at the first
  // gradient, and one block's gradient.
  std::optional<std::optional<RowFlow>> by_rows;
  std::vector<double> block_grad;

  Binding& binding(std::string_view name, const char* call);
  void check_x(std::span<const double> x, const char* call) const;
  // The forward sweep at x (and v), then its checks in this order: guards and values read out
  // (StaleRecording), what the sweep ran into, the NaN check (slope::Error).
  void replay(std::span<const double> x, std::span<const double> v, bool dual, const char* call);
  void check_value_reads(const char* call);
  // The replay in dual numbers along v, then H·v into hv (and ∇f into g unless it is empty);
  // returns f(x). `call` names the entry point in errors.
  double hvp(std::span<const double> x, std::span<const double> v, std::span<double> g,
             std::span<double> hv, const char* call);
  // How a gradient walks the bound rows: in blocks of `chunk` rows, or all at once (chunk 0:
  // the function is not a sum or mean over rows, or the rows fit one block).
  struct Blocks {
    RowFlow combine = RowFlow::none;
    std::size_t rows = 0, chunk = 0;
  };
  Blocks blocks();
  /// f(x) and ∇f(x) into g: by blocks of rows when `by_blocks` and blocks() has some, else one
  /// replay over all the bound data.
  double grad(std::span<const double> x, std::span<double> g, bool by_blocks);
  double grad_by_blocks(std::span<const double> x, std::span<double> g, const Blocks& blocks);
  // Points a placeholder's node at new memory; allocates nothing when the rank is unchanged.
  void rebind(Binding& b, const double* data, std::span<const std::size_t> shape,
              std::shared_ptr<const Array> own, const char* call);
};

// How a Function records again: f, the OnStale option, and the binds a pinned placeholder
// refused (recorded with at the next call).
struct Rerecorder {
  Recorder record;  // empty when f could not be copied
  OnStale on_stale = OnStale::raise;
  std::size_t recordings = 1;
  std::vector<PlaceholderSpec> pending;
};

// Rows per replay of a block of rows of `row_bytes` bytes each: 256 KiB of data, so a block fits
// a core's L2 with the sweep's own arrays. Shared by value_and_grad's blocks and the threads'.
std::size_t chunk_rows(std::size_t row_bytes);

// Rows [begin, end) of data: where they start and their shape (checked; `name` is the
// placeholder's, for the error).
struct RowsView {
  const double* data;
  Shape shape;
};
RowsView rows_view(std::string_view name, const Array& data, std::size_t begin, std::size_t end);

// The boundary of every derivative call: what a replay throws leaves as a slope::Error (or a
// subclass) or std::bad_alloc, never as another library's exception (xtensor's, Boost's).
template <class F>
decltype(auto) translate_errors(const char* call, F&& f) {
  try {
    return f();
  } catch (const std::exception&) {
    rethrow_as_error(call);
  }
}

}  // namespace slope::detail
