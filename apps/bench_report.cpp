// SPDX-License-Identifier: MIT
// `slope bench report`: the derivative-cost suite's results (one JSON file per workload, written
// by bench/suite, and Rosenbrock's scaling data from bench/scaling_bench) merged into
// REPORT.md, report.json and two gnuplot PNGs. Ratios, not absolute times, are the headline.
//   slope bench report [--results DIR] [--compare OLD.json]

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "output_file.hpp"
#include "plot.hpp"
#include "usage_error.hpp"

namespace fs = std::filesystem;
namespace po = boost::program_options;
namespace pt = boost::property_tree;

namespace {

struct MethodResult {
  std::string method;
  double seconds = NAN;
  std::optional<double> max_abs_diff;
};

struct Workload {
  std::string id, what;
  std::size_t parameters = 0;
  double peak_rss_bytes = NAN, tape_bytes_per_op = NAN, replay_bytes_per_node = NAN;
  std::vector<MethodResult> methods;

  std::optional<double> time(const std::string& m) const {
    for (const auto& r : methods)
      if (r.method == m && std::isfinite(r.seconds)) return r.seconds;
    return std::nullopt;
  }
  std::optional<double> ratio(const std::string& a, const std::string& b) const {
    const auto x = time(a), y = time(b);
    if (!x || !y || *y <= 0) return std::nullopt;
    return *x / *y;
  }
};

const std::vector<std::string> kMethods{"function",        "hand_gradient",   "fd_gradient",
                                        "record_gradient", "replay_gradient", "record_hvp",
                                        "replay_hvp",      "hessian"};
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

std::optional<double> optional_number(const pt::ptree& t, const std::string& key) {
  const auto v = t.get_optional<std::string>(key);
  if (!v || *v == "null" || v->empty()) return std::nullopt;
  try {
    return std::stod(*v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Workload read_workload(const fs::path& file) {
  pt::ptree t;
  try {
    pt::read_json(file.string(), t);
  } catch (const pt::json_parser_error& e) {
    throw UsageError("bench report: " + file.string() + " is not valid JSON: " + e.message());
  }
  Workload w;
  w.id = t.get<std::string>("workload", "");
  if (w.id.empty()) throw UsageError("bench report: " + file.string() + " has no \"workload\"");
  w.what = t.get<std::string>("what", "");
  w.parameters = t.get<std::size_t>("parameters", 0);
  w.peak_rss_bytes = optional_number(t, "peak_rss_bytes").value_or(NAN);
  w.tape_bytes_per_op = optional_number(t, "tape_bytes_per_op").value_or(NAN);
  w.replay_bytes_per_node = optional_number(t, "replay_stats.bytes_per_node").value_or(NAN);
  if (const auto m = t.get_child_optional("methods"))
    for (const auto& [_, row] : *m)
      w.methods.push_back({row.get<std::string>("method", ""),
                           optional_number(row, "seconds").value_or(NAN),
                           optional_number(row, "max_abs_diff")});
  return w;
}

std::string fmt(std::optional<double> v, const char* format) {
  if (!v || !std::isfinite(*v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

std::string time_cell(std::optional<double> s) {
  if (!s) return "–";
  if (*s < 1e-3) return fmt(*s * 1e6, "%.3g µs");
  if (*s < 1) return fmt(*s * 1e3, "%.3g ms");
  return fmt(*s, "%.3g s");
}

std::string first_line_of(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) {
      std::string v = line.substr(line.find_first_of(":=") + 1);
      v.erase(0, v.find_first_not_of(" \t\""));
      while (!v.empty() && (v.back() == '"' || v.back() == ' ')) v.pop_back();
      return v;
    }
  return "unknown";
}

std::string machine() {
  utsname u{};
  uname(&u);
  std::ostringstream m;
  m << first_line_of("/proc/cpuinfo", "model name") << ", " << sysconf(_SC_NPROCESSORS_ONLN)
    << " logical CPUs, " << first_line_of("/etc/os-release", "PRETTY_NAME") << ", Linux "
    << u.release << ", GCC " << __VERSION__;
  return m.str();
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

struct Scaling {
  std::vector<double> n;
  std::vector<std::array<double, 4>> t;  // function, record grad, replay grad, replay HVP
};

std::optional<Scaling> read_scaling(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  Scaling s;
  double n;
  std::array<double, 4> t{};
  while (in >> n >> t[0] >> t[1] >> t[2] >> t[3]) {
    s.n.push_back(n);
    s.t.push_back(t);
  }
  if (s.n.size() < 2) return std::nullopt;
  return s;
}

double loglog_slope(const Scaling& s, int m) {
  const double k = static_cast<double>(s.n.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < s.n.size(); ++i) {
    mx += std::log(s.n[i]) / k;
    my += std::log(s.t[i][m]) / k;
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < s.n.size(); ++i) {
    sxy += (std::log(s.n[i]) - mx) * (std::log(s.t[i][m]) - my);
    sxx += (std::log(s.n[i]) - mx) * (std::log(s.n[i]) - mx);
  }
  return sxy / sxx;
}

// Old ratios by "workload/method" from an earlier report.json.
std::map<std::string, double> old_ratios(const std::string& file) {
  pt::ptree t;
  try {
    pt::read_json(file, t);
  } catch (const pt::json_parser_error& e) {
    throw UsageError("bench report: --compare " + file + ": " + e.message());
  }
  std::map<std::string, double> out;
  if (const auto ws = t.get_child_optional("workloads"))
    for (const auto& [_, w] : *ws)
      if (const auto ms = w.get_child_optional("methods"))
        for (const auto& [__, m] : *ms)
          if (const auto r = optional_number(m, "per_function"))
            out[w.get<std::string>("workload", "") + "/" + m.get<std::string>("method", "")] = *r;
  if (out.empty()) throw UsageError("bench report: --compare " + file + " holds no ratios");
  return out;
}

}  // namespace

int run_bench(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "report")
    throw UsageError("bench: the only subcommand is 'report' (slope bench report --help)");
  std::string dir = "bench/results", compare;
  po::options_description desc("slope bench report options");
  desc.add_options()("help,h", "this help")(
      "results", po::value(&dir), "directory of the suite's JSON files (default bench/results)")(
      "compare", po::value(&compare), "an earlier report.json: show the change of each ratio");
  po::variables_map vm;
  if (!parse_command_line(argc - 1, argv + 1, desc, "bench report", vm)) return 0;
  if (!fs::is_directory(dir)) throw UsageError("bench report: no directory '" + dir + "'");
  std::map<std::string, double> before;
  if (!compare.empty()) before = old_ratios(compare);

  // The suite's W*.json and the peers' peers-W*.json, merged by workload.
  std::vector<Workload> ws;
  std::vector<Workload> peers;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".json") continue;
    if (name.rfind("W", 0) == 0) ws.push_back(read_workload(e.path()));
    if (name.rfind("peers-W", 0) == 0) peers.push_back(read_workload(e.path()));
  }
  if (ws.empty()) throw UsageError("bench report: no W*.json results in '" + dir + "'");
  for (const Workload& p : peers)
    for (Workload& w : ws)
      if (w.id == p.id) w.methods.insert(w.methods.end(), p.methods.begin(), p.methods.end());
  std::sort(ws.begin(), ws.end(), [](const Workload& a, const Workload& b) { return a.id < b.id; });
  const auto scaling = read_scaling(fs::path(dir) / "scaling.dat");

  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  const std::string host = machine();

  std::ostringstream md;
  md << "# What a derivative costs\n\nMeasured " << date << " on " << host
     << ". Reproduce: `./scripts/bench`. Each time is the median of 11 repetitions (5 for "
        "central differences and the dense Hessian; Google Benchmark, repetitions of all methods "
        "randomly interleaved), each workload in its own process; ratios come from one run.\n\n";
  md << "## Headline: cost relative to the plain function\n\n"
        "| workload | hand gradient | central differences | Slope record + gradient | Slope "
        "replayed gradient | Slope replayed HVP | replayed HVP / replayed gradient | replayed "
        "gradient / hand |\n|---|--:|--:|--:|--:|--:|--:|--:|\n";
  bool hvp_ok = true, tensor_ok = true;
  std::vector<std::string> misses;
  for (const Workload& w : ws) {
    const auto hvp_grad = w.ratio("replay_hvp", "replay_gradient");
    const auto vs_hand = w.ratio("replay_gradient", "hand_gradient");
    md << "| " << w.id << ": " << w.what << " | "
       << fmt(w.ratio("hand_gradient", "function"), "%.2f") << " | "
       << fmt(w.ratio("fd_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("record_gradient", "function"), "%.2f") << " | "
       << fmt(w.ratio("replay_gradient", "function"), "%.2f") << " | "
       << fmt(w.ratio("replay_hvp", "function"), "%.2f") << " | " << fmt(hvp_grad, "%.2f") << " | "
       << fmt(vs_hand, "%.2f") << " |\n";
    if (hvp_grad && *hvp_grad > 3) {
      hvp_ok = false;
      misses.push_back(w.id + ": replayed HVP / replayed gradient " + fmt(hvp_grad, "%.2f") +
                       " > 3");
    }
    const bool tensor =
        w.what.find("tensors") != std::string::npos || w.what.find("network") != std::string::npos;
    if (tensor && vs_hand && *vs_hand > 1.2) {
      tensor_ok = false;
      misses.push_back(w.id + ": replayed gradient / hand-written " + fmt(vs_hand, "%.2f") +
                       " > 1.2");
    }
  }
  // Scalar workloads against the other libraries.
  bool peers_ok = true, any_peer = false;
  std::ostringstream pt;
  pt << "\n## Other C++ AD libraries, scalar workloads (time / plain function)\n\n"
        "| workload | Slope record + gradient | Slope replayed gradient | ADOL-C taping + "
        "gradient | ADOL-C gradient on its tape | Sacado Rad | Eigen AutoDiffScalar | Boost.Math "
        "autodiff | Slope replayed HVP | ADOL-C hess_vec | Boost.Math H v (nested) "
        "|\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const Workload& w : ws) {
    std::optional<double> best_peer;
    for (const MethodResult& m : w.methods)
      if (peer_reverse(m.method) && std::isfinite(m.seconds))
        best_peer = best_peer ? std::min(*best_peer, m.seconds) : m.seconds;
    bool has_peer = false;
    for (const MethodResult& m : w.methods)
      for (const char* lib : {"adolc_", "sacado_", "eigen_", "boost_"})
        has_peer |= m.method.rfind(lib, 0) == 0;
    if (!has_peer) continue;
    any_peer = true;
    pt << "| " << w.id << " | " << fmt(w.ratio("record_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("replay_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("adolc_record_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("adolc_replay_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("sacado_record_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("eigen_forward_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("boost_forward_gradient", "function"), "%.1f") << " | "
       << fmt(w.ratio("replay_hvp", "function"), "%.1f") << " | "
       << fmt(w.ratio("adolc_replay_hvp", "function"), "%.1f") << " | "
       << fmt(w.ratio("boost_forward_hvp", "function"), "%.1f") << " |\n";
    for (const char* m : {"record_gradient", "replay_gradient"}) {
      const auto t = w.time(m);
      if (best_peer && t && !(*t < *best_peer)) {
        peers_ok = false;
        misses.push_back(w.id + ": Slope " + std::string(m) + " " + time_cell(t) +
                         " is not faster than the fastest peer reverse mode " +
                         time_cell(best_peer));
      }
    }
  }
  md << "\nBars: HVP ≤ 3× gradient everywhere: " << (hvp_ok ? "met" : "**missed**")
     << "; tensor gradients ≤ 1.2× hand-written: " << (tensor_ok ? "met" : "**missed**");
  if (any_peer)
    md << "; Slope's recorded and replayed gradients faster than every peer's reverse mode on "
          "the scalar workloads: "
       << (peers_ok ? "met" : "**missed**");
  md << ".\n";
  for (const std::string& m : misses) md << "- " << m << "\n";
  if (any_peer)
    md << pt.str()
       << "\nPeers run on W1-small, W2-small and W2-large (scalar code); the tensor workloads need "
          "tensor ops none of them has. A peer whose column is empty was not installed when the "
          "suite was built.\n";
  else
    md << "\nOther C++ AD libraries: not in this run (`./scripts/bench --peers`).\n";

  md << "\n![Gradient cost / function cost per method and workload](ratios.png)\n";
  for (const Workload& w : ws) {
    md << "\n## " << w.id << ": " << w.what << "\n\n"
       << w.parameters << " parameters; tape " << fmt(w.tape_bytes_per_op, "%.1f")
       << " bytes per op node; compiled replay " << fmt(w.replay_bytes_per_node, "%.1f")
       << " bytes per node (values and schedule included); peak memory of the process "
       << fmt(w.peak_rss_bytes / 1048576.0, "%.1f") << " MiB.\n\n"
       << "| method | time | / function | / hand gradient | max abs diff of the gradient from "
          "the hand-written one |"
       << (before.empty() ? "" : " / function before | change |") << "\n|---|--:|--:|--:|--:|"
       << (before.empty() ? "" : "--:|--:|") << "\n";
    for (const MethodResult& m : w.methods) {
      const auto per_f = w.ratio(m.method, "function");
      md << "| " << (kLabels.count(m.method) ? kLabels.at(m.method) : m.method) << " | "
         << time_cell(w.time(m.method)) << " | " << fmt(per_f, "%.2f") << " | "
         << fmt(w.ratio(m.method, "hand_gradient"), "%.2f") << " | " << fmt(m.max_abs_diff, "%.2g")
         << " |";
      if (!before.empty()) {
        const auto it = before.find(w.id + "/" + m.method);
        const std::optional<double> old =
            it == before.end() ? std::nullopt : std::optional<double>(it->second);
        md << " " << fmt(old, "%.2f") << " | "
           << fmt(old && per_f ? std::optional<double>(100.0 * (*per_f / *old - 1)) : std::nullopt,
                  "%+.0f %%")
           << " |";
      }
      md << "\n";
    }
  }
  if (scaling) {
    md << "\n## Scaling: extended Rosenbrock, n = 10 … 100 000\n\n"
          "| n | function | record + gradient | replayed gradient | replayed HVP |\n"
          "|--:|--:|--:|--:|--:|\n";
    for (std::size_t i = 0; i < scaling->n.size(); ++i)
      md << "| " << scaling->n[i] << " | " << time_cell(scaling->t[i][0]) << " | "
         << time_cell(scaling->t[i][1]) << " | " << time_cell(scaling->t[i][2]) << " | "
         << time_cell(scaling->t[i][3]) << " |\n";
    md << "\nLog-log slopes (1 = linear): function " << fmt(loglog_slope(*scaling, 0), "%.3f")
       << ", record + gradient " << fmt(loglog_slope(*scaling, 1), "%.3f") << ", replayed gradient "
       << fmt(loglog_slope(*scaling, 2), "%.3f") << ", replayed HVP "
       << fmt(loglog_slope(*scaling, 3), "%.3f") << ".\n\n![Cost against n](scaling.png)\n";
  }

  // report.json: the same numbers, for --compare and for tools.
  std::ostringstream js;
  js << "{\n  \"date\": \"" << date << "\",\n  \"machine\": \"" << json_escape(host)
     << "\",\n  \"workloads\": [";
  for (std::size_t i = 0; i < ws.size(); ++i) {
    const Workload& w = ws[i];
    js << (i ? "," : "") << "\n    {\"workload\": \"" << w.id << "\", \"what\": \""
       << json_escape(w.what) << "\", \"parameters\": " << w.parameters
       << ", \"peak_rss_bytes\": " << fmt(w.peak_rss_bytes, "%.0f")
       << ", \"tape_bytes_per_op\": " << fmt(w.tape_bytes_per_op, "%.2f") << ", \"methods\": [";
    for (std::size_t k = 0; k < w.methods.size(); ++k) {
      const MethodResult& m = w.methods[k];
      const auto num = [](std::optional<double> v, const char* f) {
        const std::string s = fmt(v, f);
        return s == "–" ? std::string("null") : s;
      };
      js << (k ? "," : "") << "\n      {\"method\": \"" << m.method
         << "\", \"seconds\": " << num(w.time(m.method), "%.6g")
         << ", \"per_function\": " << num(w.ratio(m.method, "function"), "%.6g")
         << ", \"per_hand_gradient\": " << num(w.ratio(m.method, "hand_gradient"), "%.6g")
         << ", \"max_abs_diff\": " << num(m.max_abs_diff, "%.3g") << "}";
    }
    js << "]}";
  }
  js << "\n  ]";
  if (scaling)
    js << ",\n  \"scaling_slopes\": {\"function\": " << fmt(loglog_slope(*scaling, 0), "%.4f")
       << ", \"record_gradient\": " << fmt(loglog_slope(*scaling, 1), "%.4f")
       << ", \"replay_gradient\": " << fmt(loglog_slope(*scaling, 2), "%.4f")
       << ", \"replay_hvp\": " << fmt(loglog_slope(*scaling, 3), "%.4f") << "}";
  js << "\n}\n";

  const fs::path d(dir);
  write_file((d / "REPORT.md").string(), md.str(), "bench report");
  write_file((d / "report.json").string(), js.str(), "bench report");
  std::cout << "wrote " << (d / "REPORT.md").string() << " and " << (d / "report.json").string()
            << "\n";

  const std::string gp = find_gnuplot();
  if (gp.empty()) {
    std::cout << "gnuplot not available: no plots\n";
    return 0;
  }
  // Ratios: one cluster per workload, one bar per gradient method, log scale.
  std::string body = "$r << EOD\n";
  for (const Workload& w : ws) {
    body += w.id;
    for (const char* m :
         {"hand_gradient", "fd_gradient", "record_gradient", "replay_gradient", "replay_hvp"}) {
      const std::string c = fmt(w.ratio(m, "function"), "%.4g");
      body += " " + (c == "–" ? std::string("NaN") : c);
    }
    body += "\n";
  }
  body += "EOD\n";
  body +=
      "set title 'Cost of a gradient (and an HVP) relative to the plain function'\n"
      "set ylabel 'time / function time (log scale)'\nset logscale y\nset grid ytics lc rgb "
      "'#dddddd'\nset style data histogram\nset style histogram cluster gap 1\nset style fill "
      "solid 0.85 border -1\nset boxwidth 0.9\nset key below\nset xtics rotate by -30\n"
      "plot $r using 2:xtic(1) title 'hand-written', '' using 3 title 'central differences', "
      "'' using 4 title 'Slope record + gradient', '' using 5 title 'Slope replayed gradient', "
      "'' using 6 title 'Slope replayed HVP'\n";
  draw_png(gp, body, (d / "ratios.png").string());
  if (scaling) {
    std::string s = "$s << EOD\n";
    for (std::size_t i = 0; i < scaling->n.size(); ++i) {
      char row[160];
      std::snprintf(row, sizeof row, "%g %g %g %g %g\n", scaling->n[i], scaling->t[i][0],
                    scaling->t[i][1], scaling->t[i][2], scaling->t[i][3]);
      s += row;
    }
    s += "EOD\nset title 'Extended Rosenbrock: cost against n'\nset xlabel 'n'\nset ylabel "
         "'seconds'\nset logscale xy\nset grid lc rgb '#dddddd'\nset key top left\n"
         "plot $s using 1:2 with linespoints pt 7 title 'function', '' using 1:3 with "
         "linespoints pt 7 title 'record + gradient', '' using 1:4 with linespoints pt 7 title "
         "'replayed gradient', '' using 1:5 with linespoints pt 7 title 'replayed HVP', "
         "'' using 1:($1*" +
         fmt(scaling->t.back()[2] / scaling->n.back(), "%.6g") +
         ") with lines dt 2 lc rgb '#888888' title 'linear'\n";
    draw_png(gp, s, (d / "scaling.png").string());
  }
  std::cout << "wrote " << (d / "ratios.png").string()
            << (scaling ? " and " + (d / "scaling.png").string() : std::string()) << "\n";
  return 0;
}
