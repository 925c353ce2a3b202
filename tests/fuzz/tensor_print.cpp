// SPDX-License-Identifier: MIT
// A TensorProgram as the C++ tensor_slope.cpp executes.

#include <string>

#include "print.hpp"
#include "tensor_print.hpp"

namespace fuzz {
namespace {

const char* kMapNames[kMaps] = {"sin",  "cos", "tanh",  "sigmoid", "softplus",   "square",
                                "atan", "erf", "asinh", "abs",     "log_sigmoid"};
const char* kZipNames[kZips] = {"+", "-", "*", "maximum", "minimum"};
const char* kReduceNames[kReductions] = {"sum", "mean", "max", "min", "norm2", "log_sum_exp"};

std::string zip(int op, const std::string& a, const std::string& b) {
  if (op < 3) return a + " " + kZipNames[op] + " " + b;
  return std::string(kZipNames[op]) + "(" + a + ", " + b + ")";
}

std::string data(const std::string& name, const std::vector<double>& v, int rows, int cols) {
  std::string s = "  const xt::xarray<double> " + name + " = xt::adapt(std::vector<double>" +
                  to_cpp(v) + ", std::vector<std::size_t>{" + std::to_string(rows);
  if (cols > 0) s += ", " + std::to_string(cols);
  return s + "});\n";
}

}  // namespace

const char* map_name(int fn) { return kMapNames[fn]; }
const char* zip_name(int op) { return kZipNames[op]; }
const char* reduction_name(int red) { return kReduceNames[red]; }

std::string to_cpp(const TensorProgram& p) {
  const int RC = p.R * p.C;
  std::string s = data("D", p.D, p.R, p.C) + data("E", p.E, p.C, p.K) + data("F", p.F, p.C, 0);
  s += "  auto f = [&](const slope::Tensor& p) {\n    using namespace slope;\n";
  s += "    Tensor t0 = p.slice(0, " + std::to_string(RC) + ").reshape({" + std::to_string(p.R) +
       ", " + std::to_string(p.C) + "});\n";
  s += "    Tensor t1 = p.slice(" + std::to_string(RC) + ", " + std::to_string(RC + p.C) + ");\n";
  s += "    Var s = p[" + std::to_string(RC + p.C) + "];\n";
  int r = 2;
  for (const TInstr& in : p.code) {
    const std::string a = "t" + std::to_string(in.x), y = "t" + std::to_string(in.y);
    std::string e;
    switch (in.op) {
      case TOp::Map:
        e = std::string(kMapNames[in.fn]) + "(" + a + ")";
        break;
      case TOp::Zip:
        e = zip(in.fn, a, y);
        break;
      case TOp::ZipData:
        e = in.variant == 2 ? a + " / (1.0 + D * D)" : zip(in.fn, a, in.variant == 0 ? "D" : "F");
        break;
      case TOp::ZipScalar:
        e = zip(in.fn, a, in.variant == 0 ? "s" : num(in.k));
        break;
      case TOp::Reduce:
        e = std::string(kReduceNames[in.fn]) + "(" + a + ", " + std::to_string(in.axis) + ")";
        break;
      case TOp::Softmax:
        e = std::string(in.variant == 0 ? "softmax(" : "log_softmax(") + a + ", " +
            std::to_string(in.axis) + ")";
        break;
      case TOp::MatmulE:
        e = "matmul(" + a + ", E)";
        break;
      case TOp::MatmulVec:
        e = "matmul(" + a + ", " + y + ")";
        break;
      case TOp::Transpose:
        e = "transpose(" + a + ")";
        break;
      case TOp::Slice:
        e = "slice(" + a + ", " + std::to_string(in.lo) + ", " + std::to_string(in.hi) + ")";
        break;
      case TOp::Concat:
        e = "concatenate({" + a + ", " + y + "}, 0)";
        break;
    }
    s += "    Tensor t" + std::to_string(r++) + " = " + e + ";\n";
  }
  s += "    return " + std::string(kReduceNames[p.final_reduction]) + "(t" + std::to_string(r - 1) +
       ") + s / 2.0;\n  };\n";
  return s;
}

}  // namespace fuzz
