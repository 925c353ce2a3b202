// SPDX-License-Identifier: MIT
#include "plot.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "output_file.hpp"
#include "usage_error.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace slope;

namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// A string literal for gnuplot: single quotes, a quote inside doubled.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Shortest text that reads back as the same double: 8e+306 and 1e-310 stay whole.
std::string num(double v) { return fmt::format("{}", v); }

// Indices 0…n−1 thinned to at most `most`, keeping the first and the last.
std::vector<std::size_t> thinned(std::size_t n, std::size_t most) {
  std::vector<std::size_t> out;
  const std::size_t stride = n <= most ? 1 : (n + most - 1) / most;
  for (std::size_t i = 0; i < n; i += stride) out.push_back(i);
  if (n > 0 && out.back() != n - 1) out.push_back(n - 1);
  return out;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& stem) {
    std::string templ = (fs::temp_directory_path() / (stem + "-XXXXXX")).string();
    const int fd = ::mkstemp(templ.data());
    if (fd < 0)
      throw Error("slope: cannot create a temporary file in " + fs::temp_directory_path().string());
    ::close(fd);
    path = templ;
  }
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

std::string first_line(const std::string& file) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t^") != std::string::npos) return line;
  return "no message";
}

}  // namespace

// gnuplot writes into a temporary beside `path`, renamed to `path` once finished.
void draw_png(const std::string& gnuplot, const std::string& body, const std::string& path) {
  const std::string png = temporary_beside(path);
  const TempFile script("slope-plot"), log("slope-plot-log");
  {
    std::ofstream s(script.path);
    // pngcairo draws anti-aliased lines; gnuplot builds without cairo still have png.
    s << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
         "  set terminal pngcairo size 900,600 noenhanced font ',11'\n"
         "} else {\n"
         "  set terminal png size 900,600 noenhanced\n"
         "}\n"
      << "set output " << quoted(png) << "\n"
      << body << "unset output\n";
    if (!s.flush()) throw Error("slope: cannot write the gnuplot script " + script.path);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.path.c_str(), O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string arg0 = "gnuplot", arg1 = script.path;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  const bool ran = spawned == 0 && waitpid(pid, &status, 0) == pid;
  std::error_code ec;
  if (!ran || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(png, ec) ||
      fs::file_size(png, ec) == 0) {
    fs::remove(png, ec);
    throw Error("slope: gnuplot (" + gnuplot + ") failed to draw '" + path +
                "': " + (ran ? first_line(log.path) : std::string("could not be started")));
  }
  fs::rename(png, path, ec);
  if (ec) {
    fs::remove(png, ec);
    throw Error("slope: cannot write '" + path + "'");
  }
}

namespace {
std::string header(const std::string& title, const std::string& x, const std::string& y) {
  return "set title " + quoted(title) + "\nset xlabel " + quoted(x) + "\nset ylabel " + quoted(y) +
         "\nset grid lc rgb '#dddddd'\nset key top right\n";
}

}  // namespace

std::string find_gnuplot() {
  if (const char* env = std::getenv("SLOPE_GNUPLOT"); env != nullptr && *env != '\0')
    return executable(env) ? std::string(env) : std::string();
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path p = fs::path(dir.empty() ? "." : dir) / "gnuplot";
    if (executable(p)) return p.string();
  }
  return {};
}

std::string require_gnuplot(const std::string& option) {
  std::string gp = find_gnuplot();
  if (gp.empty())
    throw UsageError(option +
                     " needs gnuplot, which is not available (install it: apt-get install "
                     "gnuplot-nox, or set SLOPE_GNUPLOT to its path)");
  return gp;
}

namespace {

// A log axis pays off once the loss falls by more than two decades; it cannot show a loss ≤ 0.
bool log_scale_suits(const std::vector<optim::Record>& history) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const optim::Record& rec : history) {
    if (!std::isfinite(rec.loss)) continue;
    if (rec.loss <= 0) return false;
    lo = std::min(lo, rec.loss);
    hi = std::max(hi, rec.loss);
  }
  return hi > 100 * lo;
}

}  // namespace

std::string loss_script(const optim::Result& r, const std::string& title, const std::string& unit) {
  if (r.history.empty()) throw Error("slope: --plot-loss: the run has no history");
  std::string body = "$loss << EOD\n";
  bool any = false;
  for (std::size_t i : thinned(r.history.size(), 4000)) {
    const optim::Record& rec = r.history[i];
    if (!std::isfinite(rec.loss)) continue;
    any = true;
    fmt::format_to(std::back_inserter(body), "{} {}\n", rec.iteration, num(rec.loss));
  }
  if (!any) throw Error("slope: --plot-loss: the run has no finite loss to draw");
  body += "EOD\n";
  const bool log_y = log_scale_suits(r.history);
  const bool points = r.history.size() <= 60;
  body += header(title, unit, log_y ? "loss (log scale)" : "loss");
  if (log_y) body += "set logscale y\n";
  body += "plot $loss using 1:2 with " + std::string(points ? "linespoints pt 7 ps 0.8" : "lines") +
          " lw 2 lc rgb '#1f77b4' title 'loss'\n";
  return body;
}

void plot_loss(const std::string& gnuplot, const optim::Result& r, const std::string& title,
               const std::string& unit, const std::string& path) {
  draw_png(gnuplot, loss_script(r, title, unit), path);
}

void plot_fit(const std::string& gnuplot, const models::Dataset& data, const models::Model& model,
              std::span<const double> params, const std::string& title, const std::string& path) {
  const std::size_t n = data.size();
  double lo = data.X(0, 0), hi = lo;
  std::string body = "$data << EOD\n";
  for (std::size_t i : thinned(n, 20000)) {
    lo = std::min(lo, data.X(i, 0));
    hi = std::max(hi, data.X(i, 0));
    body += num(data.X(i, 0)) + " " + num(data.y(i)) + "\n";
  }
  body += "EOD\n$fit << EOD\n";
  const std::size_t m = 200;
  const double span = hi > lo ? hi - lo : 1.0;
  xt::xarray<double> grid = xt::xarray<double>::from_shape({m, std::size_t{1}});
  for (std::size_t i = 0; i < m; ++i)
    grid(i, 0) = lo - 0.05 * span + 1.1 * span * static_cast<double>(i) / (m - 1);
  const xt::xarray<double> pred = model.predict(params, grid);
  for (std::size_t i = 0; i < m; ++i) body += num(grid(i, 0)) + " " + num(pred(i)) + "\n";
  body += "EOD\n";
  const bool logistic = model.name() == "logistic";
  // Five digits are enough for a legend.
  const std::string fitted = logistic ? fmt::format("P({} = 1) = σ({:.5g}·{} + {:.5g})", data.label,
                                                    params[0], data.features[0], params[1])
                                      : fmt::format("{} = {:.5g}·{} + {:.5g}", data.label,
                                                    params[0], data.features[0], params[1]);
  body += header(title, data.features[0], data.label);
  body += "set offsets graph 0.03, graph 0.03, graph 0.06, graph 0.06\n";
  body += "set key " + std::string(logistic ? "center right" : "top right") + "\n";
  body += "plot $data using 1:2 with points pt 7 ps " + std::string(n > 1000 ? "0.4" : "1.2") +
          " lc rgb '#1f77b4' title 'data', $fit using 1:2 with lines lw 2 lc rgb '#d62728' title " +
          quoted(fitted) + "\n";
  draw_png(gnuplot, body, path);
}

std::optional<std::vector<double>> find_optimum(optim::Objective& f, std::span<const double> from) {
  std::vector<double> g(f.dimension());
  f.value_and_grad(from, g, {});
  double g0 = 0;
  for (double v : g) g0 += v * v;
  // Relative to where the search starts: a loss in the thousands has gradients to match.
  const double tolerance = 1e-8 * std::max(1.0, std::sqrt(g0));
  const auto found = [](const optim::Result& r) -> std::optional<std::vector<double>> {
    const bool finite =
        std::all_of(r.x.begin(), r.x.end(), [](double v) { return std::isfinite(v); });
    if (r.reason == optim::StopReason::gradient_tolerance && finite) return r.x;
    return std::nullopt;
  };
  // Newton lands on a quadratic's minimum in one step and needs few more elsewhere; L-BFGS
  // stands in when there is no Hessian or Newton stalls.
  try {
    const optim::Stop stop{.max_iterations = 50, .gradient_tolerance = tolerance};
    if (f.has_hvp())
      if (auto x = found(optim::Newton({.stop = stop}).minimize(f, from))) return x;
  } catch (const Error&) {
    // A Hessian Newton could not use: L-BFGS below.
  }
  try {
    const optim::Stop stop{.max_iterations = 2000, .gradient_tolerance = tolerance};
    return found(optim::LBFGS({.stop = stop}).minimize(f, from));
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string surface_script(optim::Objective& f, const optim::Result& r,
                           const std::vector<std::string>& names, const std::string& title) {
  std::vector<std::array<double, 2>> trail;
  for (std::size_t i : thinned(r.history.size(), 2000)) {
    const auto& x = r.history[i].x;
    if (x.size() == 2 && std::isfinite(x[0]) && std::isfinite(x[1])) trail.push_back({x[0], x[1]});
  }
  if (trail.empty()) throw Error("slope: --plot-surface: the run kept no path");
  const auto best = find_optimum(f, trail.back());
  // The window frames the path and the optimum, so the path can be seen heading for it.
  std::vector<std::array<double, 2>> framed = trail;
  if (best) framed.push_back({(*best)[0], (*best)[1]});
  double lo[2] = {framed[0][0], framed[0][1]}, hi[2] = {lo[0], lo[1]};
  for (const auto& p : framed)
    for (int k = 0; k < 2; ++k) {
      lo[k] = std::min(lo[k], p[k]);
      hi[k] = std::max(hi[k], p[k]);
    }
  // A margin around the box; a path that barely moves along an axis still gets a window.
  for (int k = 0; k < 2; ++k) {
    const double span = std::max(hi[k] - lo[k], 0.1 * std::max(1.0, std::fabs(hi[k])));
    lo[k] -= 0.2 * span;
    hi[k] += 0.2 * span;
  }
  const std::size_t m = 81;
  std::string body = "$grid << EOD\n";
  auto out = std::back_inserter(body);
  double x[2];
  for (std::size_t i = 0; i < m; ++i) {
    x[0] = lo[0] + (hi[0] - lo[0]) * static_cast<double>(i) / (m - 1);
    for (std::size_t j = 0; j < m; ++j) {
      x[1] = lo[1] + (hi[1] - lo[1]) * static_cast<double>(j) / (m - 1);
      const double v = f.value(std::span<const double>(x, 2), {});
      fmt::format_to(out, "{} {} {}\n", num(x[0]), num(x[1]), num(std::log10(std::max(v, 1e-300))));
    }
    body += "\n";
  }
  body += "EOD\n$path << EOD\n";
  for (const auto& p : trail) fmt::format_to(out, "{} {}\n", num(p[0]), num(p[1]));
  body += "EOD\n";
  if (best) fmt::format_to(out, "$optimum << EOD\n{} {}\nEOD\n", num((*best)[0]), num((*best)[1]));
  body +=
      "set contour base\nset cntrparam levels 18\nunset surface\nset table $contours\n"
      "splot $grid using 1:2:3 with lines\nunset table\nunset contour\nset surface\n";
  body += header(title, names[0], names[1]);
  fmt::format_to(
      out,
      "set xrange [{}:{}]\nset yrange [{}:{}]\nset cblabel 'log10 loss'\nset key opaque "
      "box width 1\nset palette defined (0 '#440154', 1 '#31688e', 2 '#35b779', 3 '#fde725')\n",
      num(lo[0]), num(hi[0]), num(lo[1]), num(hi[1]));
  fmt::format_to(out,
                 "plot $grid using 1:2:3 with image notitle, $contours using 1:2 with lines lw 1 "
                 "lc rgb '#ffffff' notitle, $path using 1:2 with linespoints pt 7 ps 0.5 lw 2 "
                 "lc rgb '#d62728' title 'path', $path every ::0::0 using 1:2 with points pt 9 ps "
                 "2 lc rgb '#2ca02c' title 'start', $path every ::{} using 1:2 with points pt 5 ps "
                 "1.6 lc rgb '#ff7f0e' title 'end'",
                 trail.size() - 1);
  // An open ring, drawn last: the end often sits on the optimum, and both must stay visible.
  if (best)
    body += ", $optimum using 1:2 with points pt 6 ps 3 lw 2.5 lc rgb '#00e5ff' title 'optimum'";
  body += "\n";
  return body;
}

void plot_surface(const std::string& gnuplot, optim::Objective& f, const optim::Result& r,
                  const std::vector<std::string>& names, const std::string& title,
                  const std::string& path) {
  draw_png(gnuplot, surface_script(f, r, names, title), path);
}
