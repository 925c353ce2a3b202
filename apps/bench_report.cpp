// SPDX-License-Identifier: MIT
// `slope bench report`: the derivative-cost suite's results (one JSON file per workload, written
// by bench/suite, and Rosenbrock's scaling data from bench/scaling_bench) merged into
// REPORT.md, report.json and two gnuplot PNGs. Ratios, not absolute times, are the headline.
//   slope bench report [--results DIR] [--compare OLD.json]

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iterator>

#include "bench_report.hpp"
#include "command_line.hpp"
#include "output_file.hpp"
#include "plot.hpp"
#include "usage_error.hpp"

namespace fs = std::filesystem;
namespace po = boost::program_options;
using namespace bench_report;

namespace {

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
  return fmt::format("{}, {} logical CPUs, {}, Linux {}, GCC {}",
                     first_line_of("/proc/cpuinfo", "model name"), sysconf(_SC_NPROCESSORS_ONLN),
                     first_line_of("/etc/os-release", "PRETTY_NAME"), u.release, __VERSION__);
}

// A number for a gnuplot data block; NaN is gnuplot's word for a missing value.
std::string data_number(std::optional<double> v) {
  return v && std::isfinite(*v) ? fmt::format("{}", *v) : std::string("NaN");
}

// Ratios: one cluster per workload, one bar per gradient method, log scale.
std::string ratios_script(const Report& r) {
  std::string body = "$r << EOD\n";
  for (const Workload& w : r.workloads) {
    body += w.id;
    for (const char* m :
         {"hand_gradient", "fd_gradient", "record_gradient", "replay_gradient", "replay_hvp"})
      fmt::format_to(std::back_inserter(body), " {}", data_number(w.ratio(m, "function")));
    body += "\n";
  }
  return body +
         "EOD\n"
         "set title 'Cost of a gradient (and an HVP) relative to the plain function'\n"
         "set ylabel 'time / function time (log scale)'\nset logscale y\nset grid ytics lc rgb "
         "'#dddddd'\nset style data histogram\nset style histogram cluster gap 1\nset style fill "
         "solid 0.85 border -1\nset boxwidth 0.9\nset key below\nset xtics rotate by -30\n"
         "plot $r using 2:xtic(1) title 'hand-written', '' using 3 title 'central differences', "
         "'' using 4 title 'Slope record + gradient', '' using 5 title 'Slope replayed gradient', "
         "'' using 6 title 'Slope replayed HVP'\n";
}

// Cost against n on log-log axes, with a line of slope 1 through the last replayed gradient.
std::string scaling_script(const Scaling& s) {
  std::string body = "$s << EOD\n";
  for (std::size_t i = 0; i < s.n.size(); ++i)
    fmt::format_to(std::back_inserter(body), "{} {}\n", s.n[i], fmt::join(s.t[i], " "));
  return body + fmt::format(
                    "EOD\nset title 'Extended Rosenbrock: cost against n'\nset xlabel 'n'\nset "
                    "ylabel 'seconds'\nset logscale xy\nset grid lc rgb '#dddddd'\nset key top "
                    "left\nplot $s using 1:2 with linespoints pt 7 title 'function', '' using "
                    "1:3 with linespoints pt 7 title 'record + gradient', '' using 1:4 with "
                    "linespoints pt 7 title 'replayed gradient', '' using 1:5 with linespoints "
                    "pt 7 title 'replayed HVP', '' using 1:($1*{}) with lines dt 2 lc rgb "
                    "'#888888' title 'linear'\n",
                    s.t.back()[2] / s.n.back());
}

}  // namespace

int run_bench(int argc, char** argv) {
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << "usage: slope bench report [options]   (slope bench report --help lists them)\n";
    return 0;
  }
  if (argc >= 2 && std::string(argv[1]) == "--version") {
    std::cout << version_line();
    return 0;
  }
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
  Report rep;
  if (!compare.empty()) rep.before = old_ratios(compare);

  // The suite's W*.json and the peers' peers-W*.json, merged by workload.
  std::vector<Workload> peers;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".json") continue;
    if (name.rfind("W", 0) == 0) rep.workloads.push_back(read_workload(e.path()));
    if (name.rfind("peers-W", 0) == 0) peers.push_back(read_workload(e.path()));
  }
  if (rep.workloads.empty()) throw UsageError("bench report: no W*.json results in '" + dir + "'");
  for (const Workload& p : peers)
    for (Workload& w : rep.workloads)
      if (w.id == p.id) w.methods.insert(w.methods.end(), p.methods.begin(), p.methods.end());
  std::sort(rep.workloads.begin(), rep.workloads.end(),
            [](const Workload& a, const Workload& b) { return a.id < b.id; });
  rep.scaling = read_scaling(fs::path(dir) / "scaling.dat");
  rep.date = fmt::format("{:%Y-%m-%d %H:%M} UTC", fmt::gmtime(std::time(nullptr)));
  rep.machine = machine();

  const fs::path d(dir);
  write_file((d / "REPORT.md").string(), report_markdown(rep), "bench report");
  write_file((d / "report.json").string(), report_json(rep), "bench report");
  fmt::print("wrote {} and {}\n", (d / "REPORT.md").string(), (d / "report.json").string());

  const std::string gp = find_gnuplot();
  if (gp.empty()) {
    fmt::print("gnuplot not available: no plots\n");
    return 0;
  }
  draw_png(gp, ratios_script(rep), (d / "ratios.png").string());
  if (rep.scaling) draw_png(gp, scaling_script(*rep.scaling), (d / "scaling.png").string());
  fmt::print("wrote {}{}\n", (d / "ratios.png").string(),
             rep.scaling ? " and " + (d / "scaling.png").string() : std::string());
  return 0;
}
