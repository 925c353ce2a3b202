// SPDX-License-Identifier: MIT
#pragma once

// PNG plots of a run, drawn by gnuplot (a separate program: Debian's gnuplot-nox).
//   const std::string gp = require_gnuplot("--plot-loss");   // before any work
//   plot_loss(gp, result, "linear model, mse loss, gd on cars7", "iteration", "loss.png");
// Each plot is drawn into a temporary file that is renamed into place when gnuplot succeeds, so
// a failed plot leaves no file. Failures throw slope::Error with gnuplot's first message line.

#include <optional>
#include <slope/models.hpp>
#include <slope/optim.hpp>
#include <span>
#include <string>
#include <vector>

/// gnuplot's path: $SLOPE_GNUPLOT when set, else the first executable `gnuplot` on $PATH;
/// empty when there is none.
std::string find_gnuplot();

/// find_gnuplot(), or a UsageError saying that `option` needs gnuplot.
std::string require_gnuplot(const std::string& option);

/// Runs a gnuplot script `body` (everything after the terminal and output lines) that draws a
/// 900×600 PNG into `path`, written whole or not at all.
void draw_png(const std::string& gnuplot, const std::string& body, const std::string& path);

/// Loss against iteration: loss_script(r, title, unit) drawn into `path`.
void plot_loss(const std::string& gnuplot, const slope::optim::Result& r, const std::string& title,
               const std::string& unit, const std::string& path);

/// plot_loss's gnuplot script (data and commands, for draw_png). The y axis is logarithmic when
/// every finite loss is positive and the largest is more than 100× the smallest, else linear.
std::string loss_script(const slope::optim::Result& r, const std::string& title,
                        const std::string& unit);

/// The data (one feature) and the model's prediction over the feature's range; `params` are
/// for the raw features.
void plot_fit(const std::string& gnuplot, const slope::models::Dataset& data,
              const slope::models::Model& model, std::span<const double> params,
              const std::string& title, const std::string& path);

/// Contours of log10 of the objective over its two parameters, framing the optimizer's path
/// (r.history, drawn on top) and the optimum (find_optimum from the path's end, marked and keyed
/// "optimum"). `names` label the axes. surface_script(...) drawn into `path`.
void plot_surface(const std::string& gnuplot, slope::optim::Objective& f,
                  const slope::optim::Result& r, const std::vector<std::string>& names,
                  const std::string& title, const std::string& path);

/// plot_surface's gnuplot script (data and commands, for draw_png).
std::string surface_script(slope::optim::Objective& f, const slope::optim::Result& r,
                           const std::vector<std::string>& names, const std::string& title);

/// A minimiser of f near `from`: Newton's method (when f has Hessian-vector products), L-BFGS
/// when Newton fails; nothing when neither brings ‖∇f‖ below 1e-8·max(1, ‖∇f(from)‖).
///   if (auto x = find_optimum(f, r.x)) ...
std::optional<std::vector<double>> find_optimum(slope::optim::Objective& f,
                                                std::span<const double> from);
