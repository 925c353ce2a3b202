// SPDX-License-Identifier: MIT
// Tensor workloads at N = 100 000 rows, D = 100 features: MSE of a linear model and the
// logistic-regression NLL. Each is timed as the plain loss, the hand-written gradient (two BLAS
// calls), Slope's gradient, the hand-written HVP and Slope's HVP; the table ends with the ratios
// and the peak heap memory one Slope gradient takes beyond the data.
//   tensor_bench [google benchmark flags...]
// OpenBLAS runs on one thread unless OPENBLAS_NUM_THREADS says otherwise (the same for the
// hand-written code and Slope; on a shared 2-core host a second BLAS thread mostly adds noise).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xrandom.hpp>

#include <slope/autodiff.hpp>

#include "harness.hpp"
#include "heap_counter.hpp"
#include "linear_kernels.hpp"

namespace {

using Array = xt::xarray<double>;
using bench::num;

[[noreturn]] void fail(const std::string& what) { bench::fail("tensor_bench", what); }

constexpr std::size_t kN = 100000, kD = 100;

struct Data {
  Array X, y_real, y_label, x0, v;  // x0, v: (w, b) and a direction, D + 1 entries
};

Data make_data() {
  xt::random::seed(42);
  Data d;
  d.X = xt::random::randn<double>({kN, kD});
  d.y_real = xt::random::randn<double>({kN});
  d.y_label = xt::cast<double>(xt::random::rand<double>({kN}) < 0.5);
  d.x0 = 0.1 * xt::random::randn<double>({kD + 1});
  d.v = xt::random::randn<double>({kD + 1});
  return d;
}

// The hand-written baselines (linear_kernels.hpp) over this data.
bench::linear::Problem problem(const Data& d, const Array& y) {
  return {d.X.data(), y.data(), kN, kD};
}

struct Mse {
  static constexpr const char* name = "mse";
  static constexpr const char* what = "linear-model MSE";
  static const Array& y(const Data& d) { return d.y_real; }
  static slope::Var loss(const slope::Tensor& p, const Data& d) {
    return slope::mean(slope::square(slope::matmul(d.X, p.slice(0, kD)) + p[kD] - d.y_real));
  }
  static double plain(const Data& d, std::vector<double>& z) {
    return bench::linear::mse(problem(d, d.y_real), d.x0.data(), z.data());
  }
  static double gradient(const Data& d, std::vector<double>& r, double* g) {
    return bench::linear::mse_gradient(problem(d, d.y_real), d.x0.data(), r.data(), g);
  }
  static void hvp(const Data& d, std::vector<double>& u, std::vector<double>&, double* hv) {
    bench::linear::mse_hvp(problem(d, d.y_real), d.v.data(), u.data(), hv);
  }
};

struct Logistic {
  static constexpr const char* name = "logistic";
  static constexpr const char* what = "logistic-regression NLL";
  static slope::Var loss(const slope::Tensor& p, const Data& d) {
    const slope::Tensor z = slope::matmul(d.X, p.slice(0, kD)) + p[kD];
    return slope::mean(slope::softplus(z) - d.y_label * z);
  }
  static double plain(const Data& d, std::vector<double>& z) {
    return bench::linear::logistic(problem(d, d.y_label), d.x0.data(), z.data());
  }
  static double gradient(const Data& d, std::vector<double>& r, double* g) {
    return bench::linear::logistic_gradient(problem(d, d.y_label), d.x0.data(), r.data(), g);
  }
  static void hvp(const Data& d, std::vector<double>& u, std::vector<double>& z, double* hv) {
    bench::linear::logistic_hvp(problem(d, d.y_label), d.x0.data(), d.v.data(), u.data(), z.data(),
                                hv);
  }
};

template <class W>
auto taped(const Data& d) {
  return [&d](const slope::Tensor& p) { return W::loss(p, d); };
}

// The same losses over placeholders, for recorded Functions (the data rebinds between replays).
slope::Var mse_of(const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
  return slope::mean(slope::square(slope::matmul(X, p.slice(0, kD)) + p[kD] - y));
}
slope::Var logistic_of(const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
  const slope::Tensor z = slope::matmul(X, p.slice(0, kD)) + p[kD];
  return slope::mean(slope::softplus(z) - y * z);
}

template <class W>
slope::Function recorded(const Data& d, const Array& X) {
  const Array& y = std::string(W::name) == "mse" ? d.y_real : d.y_label;
  return slope::record(std::string(W::name) == "mse" ? mse_of : logistic_of, d.x0,
                       slope::Placeholder("X", X), slope::Placeholder("y", y));
}

double max_rel_diff(const Array& a, const std::vector<double>& b) {
  double diff = 0, scale = 1e-300;
  for (std::size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::fabs(a(i) - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return diff / scale;
}

// A benchmark of a wrong derivative is worthless: check against the hand-written code first.
template <class W>
void verify(const Data& d) {
  std::vector<double> buf(kN), buf2(kN), g(kD + 1), hv(kD + 1);
  const double f = W::gradient(d, buf, g.data());
  W::hvp(d, buf, buf2, hv.data());
  const auto [fs, gs] = slope::value_and_grad(taped<W>(d), d.x0);
  const Array hs = slope::hvp(taped<W>(d), d.x0, d.v);
  const double dg = max_rel_diff(gs, g), dh = max_rel_diff(hs, hv);
  std::printf("%s: |f_slope - f_hand| = %s, gradient max rel diff %s, HVP max rel diff %s\n",
              W::name, num(std::fabs(fs - f)).c_str(), num(dg).c_str(), num(dh).c_str());
  if (std::fabs(fs - f) > 1e-10 * std::fabs(f) || !(dg < 1e-10) || !(dh < 1e-10))
    fail(std::string(W::name) + ": Slope and the hand-written derivatives disagree");
  slope::Function F = recorded<W>(d, d.X);
  std::vector<double> gr(kD + 1), hr(kD + 1);
  const double fr = F.value_and_grad(d.x0, gr);
  F.hvp(d.x0, d.v, hr);
  const double dgr = max_rel_diff(Array(xt::adapt(gr)), g),
               dhr = max_rel_diff(Array(xt::adapt(hr)), hv);
  std::printf("%s replayed: gradient max rel diff %s, HVP max rel diff %s\n", W::name,
              num(dgr).c_str(), num(dhr).c_str());
  if (std::fabs(fr - f) > 1e-10 * std::fabs(f) || !(dgr < 1e-10) || !(dhr < 1e-10))
    fail(std::string(W::name) + ": the replayed and hand-written derivatives disagree");
}

// Peak heap bytes of one Slope gradient beyond what was live before it (X is live already). On a
// new thread, whose tape and array pool start empty: everything the gradient needs is counted,
// nothing is borrowed from earlier calls.
template <class W>
double extra_bytes(const Data& d) {
  double extra = 0;
  std::thread([&] {
    const std::size_t before = bench::heap_live_bytes();
    bench::heap_reset_peak();
    {
      auto r = slope::value_and_grad(taped<W>(d), d.x0);
      benchmark::DoNotOptimize(r);
    }
    extra = static_cast<double>(bench::heap_peak_bytes() - before);
  }).join();
  return extra;
}

template <class W>
void register_workload(const Data& d, bool set_min_time) {
  const auto add = [&](const char* kind, auto fn) {
    bench::add(std::string(W::name) + "/" + kind, fn, set_min_time, 0.1, 15);
  };
  add("function", [&d](benchmark::State& st) {
    std::vector<double> z(kN);
    for (auto _ : st) benchmark::DoNotOptimize(W::plain(d, z));
  });
  add("hand_gradient", [&d](benchmark::State& st) {
    std::vector<double> r(kN), g(kD + 1);
    for (auto _ : st) {
      benchmark::DoNotOptimize(W::gradient(d, r, g.data()));
      benchmark::ClobberMemory();
    }
  });
  add("slope_gradient", [&d](benchmark::State& st) {
    const auto f = taped<W>(d);
    for (auto _ : st) {
      auto r = slope::value_and_grad(f, d.x0);
      benchmark::DoNotOptimize(r);
    }
    st.counters["extra_doubles"] = extra_bytes<W>(d) / sizeof(double);
  });
  add("hand_hvp", [&d](benchmark::State& st) {
    std::vector<double> u(kN), z(kN), hv(kD + 1);
    for (auto _ : st) {
      W::hvp(d, u, z, hv.data());
      benchmark::ClobberMemory();
    }
  });
  add("slope_hvp", [&d](benchmark::State& st) {
    const auto f = taped<W>(d);
    for (auto _ : st) {
      auto hv = slope::hvp(f, d.x0, d.v);
      benchmark::DoNotOptimize(hv);
    }
  });
  // Recorded once, replayed at two points in turn into buffers, warm: the first replay (untimed)
  // builds the replay's buffers, which later replays reuse (the zero-allocation test).
  add("replay_gradient", [&d](benchmark::State& st) {
    slope::Function F = recorded<W>(d, d.X);
    const Array x1 = d.x0 + 0.01 * d.v;
    std::vector<double> g(kD + 1);
    benchmark::DoNotOptimize(F.value_and_grad(d.x0, g));
    bool odd = false;
    for (auto _ : st) {
      benchmark::DoNotOptimize(F.value_and_grad((odd = !odd) ? x1 : d.x0, g));
      benchmark::ClobberMemory();
    }
  });
  add("replay_hvp", [&d](benchmark::State& st) {
    slope::Function F = recorded<W>(d, d.X);
    const Array x1 = d.x0 + 0.01 * d.v;
    std::vector<double> hv(kD + 1);
    benchmark::DoNotOptimize(F.hvp(d.x0, d.v, hv));
    bool odd = false;
    for (auto _ : st) {
      benchmark::DoNotOptimize(F.hvp((odd = !odd) ? x1 : d.x0, d.v, hv));
      benchmark::ClobberMemory();
    }
  });
}

// parallel_value_and_grad of the MSE at N = 1 000 000 rows on 1 and 2 threads.
void register_parallel(const Data& big, bool set_min_time) {
  for (std::size_t threads : {1u, 2u}) {
    bench::add(
        "mse_1M/parallel_" + std::to_string(threads),
        [&big, threads](benchmark::State& st) {
          slope::Function F = slope::record(mse_of, big.x0, slope::Placeholder("X", big.X),
                                            slope::Placeholder("y", big.y_real));
          // Warm, untimed: the first call clones F for the second thread and sizes the shards'
          // buffers; with about two calls per repetition that cold call weighed on the
          // 2-thread time alone (an optimizer makes thousands of warm calls).
          benchmark::DoNotOptimize(slope::parallel_value_and_grad(
              F, big.x0, {{"X", big.X}, {"y", big.y_real}}, threads));
          for (auto _ : st) {
            auto r = slope::parallel_value_and_grad(F, big.x0, {{"X", big.X}, {"y", big.y_real}},
                                                    threads);
            benchmark::DoNotOptimize(r);
          }
        },
        set_min_time, 0.2, 7);
  }
}

class TableReporter : public bench::ResultsReporter {
 public:
  using ResultsReporter::ResultsReporter;
  void print_table(const std::vector<std::pair<std::string, std::string>>& workloads) const {
    const double budget = 20.0 * (kN + kD);
    std::printf(
        "\n| workload (N = %zu, D = %zu) | function | hand gradient / function "
        "| Slope gradient / hand gradient (≤ 1.2) | Slope HVP / hand HVP (≤ 1.3) "
        "| Slope HVP / Slope gradient | replayed gradient / hand gradient (≤ 1.1) "
        "| replayed HVP / hand HVP | record + gradient / replayed gradient "
        "| extra doubles of one gradient (≤ 20(N+D) = %.0f) |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
        kN, kD, budget);
    for (const auto& [name, what] : workloads) {
      const auto f = seconds(name + "/function"), hand = seconds(name + "/hand_gradient");
      const auto grad = seconds(name + "/slope_gradient"), hvp = seconds(name + "/slope_hvp");
      const auto hand_hvp = seconds(name + "/hand_hvp");
      const auto extra = counter(name + "/slope_gradient", "extra_doubles");
      const auto rgrad = seconds(name + "/replay_gradient"), rhvp = seconds(name + "/replay_hvp");
      std::printf("| %s: %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s N) |\n", name.c_str(),
                  what.c_str(), cell(f ? std::optional(*f * 1e3) : f, "%.2f ms").c_str(),
                  ratio(hand, f).c_str(), ratio(grad, hand).c_str(), ratio(hvp, hand_hvp).c_str(),
                  ratio(hvp, grad).c_str(), ratio(rgrad, hand).c_str(),
                  ratio(rhvp, hand_hvp).c_str(), ratio(grad, rgrad).c_str(),
                  cell(extra, "%.0f").c_str(),
                  cell(extra ? std::optional(*extra / kN) : extra, "%.1f").c_str());
    }
    const auto p1 = seconds("mse_1M/parallel_1"), p2 = seconds("mse_1M/parallel_2");
    std::printf(
        "\n| parallel_value_and_grad, MSE, N = 1 000 000, D = %zu | 1 thread | 2 threads "
        "| speed-up (≥ 1.5) |\n|---|--:|--:|--:|\n| OpenBLAS on one thread | %s | %s | %s |\n",
        kD, cell(p1 ? std::optional(*p1 * 1e3) : p1, "%.1f ms").c_str(),
        cell(p2 ? std::optional(*p2 * 1e3) : p2, "%.1f ms").c_str(), ratio(p1, p2).c_str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) openblas_set_num_threads(1);
  std::vector<char*> args;
  const bool min_time_given = bench::initialize(argc, argv, args);
  std::printf("OpenBLAS threads: %d\n", openblas_get_num_threads());
  const Data d = make_data();
  verify<Mse>(d);
  verify<Logistic>(d);
  register_workload<Mse>(d, !min_time_given);
  register_workload<Logistic>(d, !min_time_given);
  // The million-row data only when its benchmarks run (it takes 800 MB).
  Data big;
  if (!std::getenv("SLOPE_BENCH_NO_1M")) {
    xt::random::seed(7);
    big.X = xt::random::randn<double>({10 * kN, kD});
    big.y_real = xt::random::randn<double>({10 * kN});
    big.x0 = d.x0;
    register_parallel(big, !min_time_given);
  }
  TableReporter reporter(isatty(STDOUT_FILENO) ? TableReporter::OO_Color : TableReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_table({{Mse::name, Mse::what}, {Logistic::name, Logistic::what}});
  benchmark::Shutdown();
  return 0;
}
