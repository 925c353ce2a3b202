// SPDX-License-Identifier: MIT
// REPORT.md of `slope bench report`: the headline ratios, the bars they must meet, the other AD
// libraries, one table per workload and the scaling run.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "bench_report.hpp"

namespace bench_report {

namespace {

const std::map<std::string, std::string> kLabels{
    {"function", "plain function"},
    {"hand_gradient", "hand-written gradient"},
    {"fd_gradient", "central differences (gradient)"},
    {"record_gradient", "Slope record + gradient"},
    {"replay_gradient", "Slope replayed gradient"},
    {"record_hvp", "Slope record + HVP"},
    {"replay_hvp", "Slope replayed HVP"},
    {"hessian", "Slope dense Hessian (n HVPs)"},
    {"adolc_record_gradient", "ADOL-C taping + gradient()"},
    {"adolc_replay_gradient", "ADOL-C gradient() on the tape, new point"},
    {"adolc_replay_hvp", "ADOL-C hess_vec() on the tape"},
    {"sacado_record_gradient", "Sacado Rad (reverse, tape per call)"},
    {"eigen_forward_gradient", "Eigen AutoDiffScalar (forward, n directions at once)"},
    {"boost_forward_gradient", "Boost.Math autodiff (forward, one direction per pass)"},
    {"boost_forward_hvp", "Boost.Math autodiff H v (nested forward, one pass per coordinate)"}};

// Reverse-mode methods of other libraries: what Slope's gradients must beat on scalar code.
bool peer_reverse(const std::string& method) {
  return (method.rfind("adolc_", 0) == 0 || method.rfind("sacado_", 0) == 0) &&
         method.find("gradient") != std::string::npos;
}

bool has_peer(const Workload& w) {
  return std::any_of(w.methods.begin(), w.methods.end(), [](const MethodResult& m) {
    for (const char* lib : {"adolc_", "sacado_", "eigen_", "boost_"})
      if (m.method.rfind(lib, 0) == 0) return true;
    return false;
  });
}

// A table cell: the number as `f` writes it, an en dash when there is none.
std::string cell(std::optional<double> v, fmt::format_string<double> f) {
  if (!v || !std::isfinite(*v)) return "–";
  return fmt::vformat(f, fmt::make_format_args(*v));
}

std::string time_cell(std::optional<double> s) {
  if (!s) return "–";
  if (*s < 1e-3) return cell(*s * 1e6, "{:.3g} µs");
  if (*s < 1) return cell(*s * 1e3, "{:.3g} ms");
  return cell(*s, "{:.3g} s");
}

// The bars every run is held to, and the workloads that missed them.
struct Bars {
  bool hvp_ok = true, tensor_ok = true, peers_ok = true, any_peer = false;
  std::vector<std::string> misses;
};

std::string headline(const Report& r, Bars& bars) {
  std::string md =
      "## Headline: cost relative to the plain function\n\n"
      "| workload | hand gradient | central differences | Slope record + gradient | Slope "
      "replayed gradient | Slope replayed HVP | replayed HVP / replayed gradient | replayed "
      "gradient / hand |\n|---|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Workload& w : r.workloads) {
    const auto hvp_grad = w.ratio("replay_hvp", "replay_gradient");
    const auto vs_hand = w.ratio("replay_gradient", "hand_gradient");
    fmt::format_to(std::back_inserter(md), "| {}: {} | {} | {} | {} | {} | {} | {} | {} |\n", w.id,
                   w.what, cell(w.ratio("hand_gradient", "function"), "{:.2f}"),
                   cell(w.ratio("fd_gradient", "function"), "{:.1f}"),
                   cell(w.ratio("record_gradient", "function"), "{:.2f}"),
                   cell(w.ratio("replay_gradient", "function"), "{:.2f}"),
                   cell(w.ratio("replay_hvp", "function"), "{:.2f}"), cell(hvp_grad, "{:.2f}"),
                   cell(vs_hand, "{:.2f}"));
    if (hvp_grad && *hvp_grad > 3) {
      bars.hvp_ok = false;
      bars.misses.push_back(
          fmt::format("{}: replayed HVP / replayed gradient {:.2f} > 3", w.id, *hvp_grad));
    }
    const bool tensor =
        w.what.find("tensors") != std::string::npos || w.what.find("network") != std::string::npos;
    if (tensor && vs_hand && *vs_hand > 1.2) {
      bars.tensor_ok = false;
      bars.misses.push_back(
          fmt::format("{}: replayed gradient / hand-written {:.2f} > 1.2", w.id, *vs_hand));
    }
  }
  return md;
}

// Scalar workloads against the other libraries; empty when no peer ran.
std::string peers(const Report& r, Bars& bars) {
  std::string md =
      "\n## Other C++ AD libraries, scalar workloads (time / plain function)\n\n"
      "| workload | Slope record + gradient | Slope replayed gradient | ADOL-C taping + "
      "gradient | ADOL-C gradient on its tape | Sacado Rad | Eigen AutoDiffScalar | Boost.Math "
      "autodiff | Slope replayed HVP | ADOL-C hess_vec | Boost.Math H v (nested) "
      "|\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Workload& w : r.workloads) {
    if (!has_peer(w)) continue;
    bars.any_peer = true;
    fmt::format_to(std::back_inserter(md), "| {} |", w.id);
    for (const char* m :
         {"record_gradient", "replay_gradient", "adolc_record_gradient", "adolc_replay_gradient",
          "sacado_record_gradient", "eigen_forward_gradient", "boost_forward_gradient",
          "replay_hvp", "adolc_replay_hvp", "boost_forward_hvp"})
      fmt::format_to(std::back_inserter(md), " {} |", cell(w.ratio(m, "function"), "{:.1f}"));
    md += "\n";

    std::optional<double> best_peer;
    for (const MethodResult& m : w.methods)
      if (peer_reverse(m.method) && std::isfinite(m.seconds))
        best_peer = best_peer ? std::min(*best_peer, m.seconds) : m.seconds;
    for (const char* m : {"record_gradient", "replay_gradient"}) {
      const auto t = w.time(m);
      if (best_peer && t && !(*t < *best_peer)) {
        bars.peers_ok = false;
        bars.misses.push_back(
            fmt::format("{}: Slope {} {} is not faster than the fastest peer reverse mode {}", w.id,
                        m, time_cell(t), time_cell(best_peer)));
      }
    }
  }
  return bars.any_peer ? md : std::string();
}

void workload_section(std::string& md, const Workload& w,
                      const std::map<std::string, double>& before) {
  auto out = std::back_inserter(md);
  fmt::format_to(out,
                 "\n## {}: {}\n\n{} parameters; tape {} bytes per op node; compiled replay {} "
                 "bytes per node with the recording, {} in its replay format (values, adjoints "
                 "and schedule included); peak memory of the process {} MiB.\n\n",
                 w.id, w.what, w.parameters, cell(w.tape_bytes_per_op, "{:.1f}"),
                 cell(w.replay_bytes_per_node, "{:.1f}"),
                 cell(w.replay_format_bytes_per_node, "{:.1f}"),
                 cell(w.peak_rss_bytes / 1048576.0, "{:.1f}"));
  const bool compare = !before.empty();
  fmt::format_to(out,
                 "| method | time | / function | / hand gradient | max abs diff of the gradient "
                 "from the hand-written one |{}\n|---|--:|--:|--:|--:|{}\n",
                 compare ? " / function before | change |" : "", compare ? "--:|--:|" : "");
  for (const MethodResult& m : w.methods) {
    const auto per_f = w.ratio(m.method, "function");
    const auto label = kLabels.find(m.method);
    fmt::format_to(out, "| {} | {} | {} | {} | {} |",
                   label != kLabels.end() ? label->second : m.method, time_cell(w.time(m.method)),
                   cell(per_f, "{:.2f}"), cell(w.ratio(m.method, "hand_gradient"), "{:.2f}"),
                   cell(m.max_abs_diff, "{:.2g}"));
    if (compare) {
      const auto it = before.find(w.id + "/" + m.method);
      const std::optional<double> old =
          it == before.end() ? std::nullopt : std::optional<double>(it->second);
      const std::optional<double> change =
          old && per_f ? std::optional<double>(100.0 * (*per_f / *old - 1)) : std::nullopt;
      fmt::format_to(out, " {} | {} |", cell(old, "{:.2f}"), cell(change, "{:+.0f} %"));
    }
    md += "\n";
  }
}

void scaling_section(std::string& md, const Scaling& s) {
  auto out = std::back_inserter(md);
  // The range is the run's own (scripts/bench chooses the sizes).
  fmt::format_to(out, "\n## Scaling: extended Rosenbrock, n = {:g} … {:g}\n\n",
                 s.n.empty() ? 0.0 : s.n.front(), s.n.empty() ? 0.0 : s.n.back());
  md +=
      "| n | function | record + gradient | replayed gradient | replayed HVP |\n"
      "|--:|--:|--:|--:|--:|\n";
  for (std::size_t i = 0; i < s.n.size(); ++i)
    fmt::format_to(out, "| {:g} | {} | {} | {} | {} |\n", s.n[i], time_cell(s.t[i][0]),
                   time_cell(s.t[i][1]), time_cell(s.t[i][2]), time_cell(s.t[i][3]));
  fmt::format_to(out,
                 "\nLog-log slopes (1 = linear): function {}, record + gradient {}, replayed "
                 "gradient {}, replayed HVP {}.\n\n![Cost against n](scaling.png)\n",
                 cell(loglog_slope(s, 0), "{:.3f}"), cell(loglog_slope(s, 1), "{:.3f}"),
                 cell(loglog_slope(s, 2), "{:.3f}"), cell(loglog_slope(s, 3), "{:.3f}"));
}

}  // namespace

std::string report_markdown(const Report& r) {
  std::string md = fmt::format(
      "# What a derivative costs\n\nMeasured {} on {}. Reproduce: `./scripts/bench`. Each time "
      "is the median of 11 repetitions (5 for central differences and the dense Hessian; Google "
      "Benchmark, repetitions of all methods randomly interleaved), each workload in its own "
      "process; ratios come from one run.\n\n",
      r.date, r.machine);
  Bars bars;
  md += headline(r, bars);
  const std::string peer_table = peers(r, bars);
  const auto met = [](bool ok) { return ok ? "met" : "**missed**"; };
  fmt::format_to(std::back_inserter(md),
                 "\nBars: HVP ≤ 3× gradient everywhere: {}; tensor gradients ≤ 1.2× "
                 "hand-written: {}",
                 met(bars.hvp_ok), met(bars.tensor_ok));
  if (bars.any_peer)
    fmt::format_to(std::back_inserter(md),
                   "; Slope's recorded and replayed gradients faster than every peer's reverse "
                   "mode on the scalar workloads: {}",
                   met(bars.peers_ok));
  md += ".\n";
  for (const std::string& m : bars.misses) md += "- " + m + "\n";
  if (bars.any_peer)
    md += peer_table +
          "\nPeers run on W1-small, W2-small and W2-large (scalar code); the tensor workloads "
          "need tensor ops none of them has. A peer whose column is empty was not installed "
          "when the suite was built.\n";
  else
    md += "\nOther C++ AD libraries: not in this run (`./scripts/bench --peers`).\n";

  md += "\n![Gradient cost / function cost per method and workload](ratios.png)\n";
  for (const Workload& w : r.workloads) workload_section(md, w, r.before);
  if (r.scaling) scaling_section(md, *r.scaling);
  return md;
}

}  // namespace bench_report
