// SPDX-License-Identifier: MIT
// parallel_value_and_grad: the rows of the data split among threads, each replaying its block
// on a clone of the Function.

#include <slope/autodiff/function.hpp>

#include <algorithm>
#include <exception>
#include <string>
#include <system_error>
#include <thread>

#include "function_state.hpp"

namespace slope::detail {

namespace {

// Points a placeholder at rows [begin, end) of its data now, as Function::bind_rows does with
// OnStale::raise: never a bind kept for a new recording, which the replay after would not see.
void bind_rows_now(FunctionState& s, const Rows& r, std::size_t begin, std::size_t end) {
  const RowsView rows = rows_view(r.name, r.data, begin, end);
  s.rebind(s.binding(r.name, "bind_rows"), rows.data, {rows.shape.data(), rows.shape.size()},
           nullptr, "bind_rows");
}

}  // namespace

ValueAndGrad parallel_value_and_grad(Function& f, std::span<const double> x,
                                     std::span<const Rows> data, std::size_t threads,
                                     Combine combine) {
  constexpr const char* call = "slope::parallel_value_and_grad";
  if (threads == 0) throw Error(std::string(call) + ": threads must be at least 1, got 0");
  if (data.empty()) throw Error(std::string(call) + ": no data to split (give at least one Rows)");
  const std::size_t rows = data[0].data.dimension() == 0 ? 0 : data[0].data.shape()[0];
  for (const Rows& r : data)
    if (r.data.dimension() == 0 || r.data.shape()[0] != rows)
      throw Error(std::string(call) + ": '" + r.name + "' has shape " +
                  core::shape(r.data.shape()) + ", '" + data[0].name + "' has " +
                  std::to_string(rows) + " rows: every entry needs the same number of rows");
  if (rows == 0) throw Error(std::string(call) + ": the data has no rows");
  const std::size_t k = std::min(threads, rows);
  f.record_again(x, "parallel_value_and_grad", false);  // binds waiting for a new recording
  FunctionState& s = *f.s_;
  s.check_x(x, "parallel_value_and_grad");
  // Each thread walks its block in chunks small enough to stay in cache between the forward and
  // the reverse sweep: the data is then read from memory once per gradient, not twice, which is
  // what lets two threads beat one on a memory-bound loss.
  std::size_t row_bytes = 0;
  for (const Rows& r : data) row_bytes += sizeof(double) * (r.data.size() / rows);
  const std::size_t chunk = chunk_rows(row_bytes);
  while (s.clones.size() + 1 < k) s.clones.push_back(f.clone());
  s.shard_grads.resize(2 * k);
  std::vector<double> values(k, 0.0);
  std::vector<std::exception_ptr> errors(k);
  const double all = static_cast<double>(rows);
  auto shard = [&](std::size_t i) {
    try {
      Function& g = i == 0 ? f : s.clones[i - 1];
      std::vector<double>& sum = s.shard_grads[2 * i];
      std::vector<double>& part = s.shard_grads[2 * i + 1];
      sum.assign(s.n, 0.0);
      part.resize(s.n);
      const std::size_t end = rows * (i + 1) / k;
      for (std::size_t b = rows * i / k; b < end; b += chunk) {
        const std::size_t e = std::min(end, b + chunk);
        for (const Rows& r : data) bind_rows_now(*g.s_, r, b, e);
        const double w = combine == Combine::mean ? static_cast<double>(e - b) / all : 1.0;
        values[i] += w * g.s_->grad(x, part, false);
        for (std::size_t j = 0; j < s.n; ++j) sum[j] += w * part[j];
      }
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(k - 1);
  std::size_t started = 1;
  try {
    for (; started < k; ++started) pool.emplace_back(shard, started);
  } catch (const std::system_error&) {
    // No thread to be had: this one runs the shards left after its own (a vector of joinable
    // threads must not unwind).
  }
  shard(0);
  for (std::size_t i = started; i < k; ++i) shard(i);
  for (std::thread& t : pool) t.join();
  for (const Rows& r : data) bind_rows_now(s, r, 0, rows);
  for (const std::exception_ptr& e : errors)
    if (e) translate_errors(call, [&] { std::rethrow_exception(e); });
  ValueAndGrad out{0.0, xt::zeros<double>({s.n})};
  for (std::size_t i = 0; i < k; ++i) {
    out.value += values[i];
    for (std::size_t j = 0; j < s.n; ++j) out.grad(j) += s.shard_grads[2 * i][j];
  }
  return out;
}

}  // namespace slope::detail
