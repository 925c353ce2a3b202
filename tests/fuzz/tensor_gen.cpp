// SPDX-License-Identifier: MIT
// Random tensor programs, tracking each register's shape so every op is well formed.

#include <iterator>

#include "tensor_ir.hpp"

namespace fuzz {

TensorProgram generate_tensor(std::mt19937_64& rng) {
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto real = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  TensorProgram p;
  p.R = uni(1, 4), p.C = uni(1, 4), p.K = uni(1, 3);
  for (int i = 0; i < p.R * p.C; ++i) p.D.push_back(real(-1, 1));
  for (int i = 0; i < p.C * p.K; ++i) p.E.push_back(real(-1, 1));
  for (int i = 0; i < p.C; ++i) p.F.push_back(real(-1, 1));
  std::vector<Shape> shapes{{std::size_t(p.R), std::size_t(p.C)}, {std::size_t(p.C)}};
  const std::size_t C = static_cast<std::size_t>(p.C);
  const int length = uni(1, 12);
  while (static_cast<int>(p.code.size()) < length) {
    TInstr in;
    in.op = static_cast<TOp>(uni(0, static_cast<int>(TOp::Concat)));
    // Mostly the last register: deep chains.
    in.x = uni(0, 2) > 0 ? static_cast<int>(shapes.size()) - 1
                         : uni(0, static_cast<int>(shapes.size()) - 1);
    const Shape& s = shapes[static_cast<std::size_t>(in.x)];
    const bool two = s.size() == 2;
    Shape out = s;
    in.k = real(0.5, 2.0);
    switch (in.op) {
      case TOp::Map:
        in.fn = uni(0, kMaps - 1);
        break;
      case TOp::Zip: {
        std::vector<int> fit;
        for (std::size_t r = 0; r < shapes.size(); ++r)
          if (shapes[r] == s || (two && shapes[r].size() == 1 && shapes[r][0] == s[1]))
            fit.push_back(static_cast<int>(r));
        in.y = fit[static_cast<std::size_t>(uni(0, static_cast<int>(fit.size()) - 1))];
        in.fn = uni(0, kZips - 1);
        break;
      }
      case TOp::ZipData:
        in.fn = uni(0, 2);
        if (s == Shape{std::size_t(p.R), C})
          in.variant = uni(0, 2) == 1 ? 1 : uni(0, 1) * 2;
        else if (s.back() == C)
          in.variant = 1;
        else
          continue;
        break;
      case TOp::ZipScalar:
        in.fn = uni(0, kZips - 1), in.variant = uni(0, 1);
        break;
      case TOp::Reduce:
        if (!two) continue;
        in.fn = uni(0, kReductions - 1), in.axis = uni(0, 1) == 0 ? 0 : (uni(0, 1) ? 1 : -1);
        out = {in.axis == 0 ? s[1] : s[0]};
        break;
      case TOp::Softmax:
        in.variant = uni(0, 1), in.axis = two && uni(0, 1) ? 0 : -1;
        break;
      case TOp::MatmulE:
        if (s.back() != C) continue;
        out = two ? Shape{s[0], std::size_t(p.K)} : Shape{std::size_t(p.K)};
        break;
      case TOp::MatmulVec: {
        if (!two) continue;
        std::vector<int> fit;
        for (std::size_t r = 0; r < shapes.size(); ++r)
          if (shapes[r] == Shape{s[1]}) fit.push_back(static_cast<int>(r));
        if (fit.empty()) continue;
        in.y = fit[static_cast<std::size_t>(uni(0, static_cast<int>(fit.size()) - 1))];
        out = {s[0]};
        break;
      }
      case TOp::Transpose:
        if (!two) continue;
        out = {s[1], s[0]};
        break;
      case TOp::Slice:
        in.lo = uni(0, static_cast<int>(s[0]) - 1), in.hi = uni(in.lo + 1, static_cast<int>(s[0]));
        out[0] = static_cast<std::size_t>(in.hi - in.lo);
        break;
      case TOp::Concat: {
        std::vector<int> fit;
        for (std::size_t r = 0; r < shapes.size(); ++r)
          if (shapes[r].size() == s.size() && (!two || shapes[r][1] == s[1]))
            fit.push_back(static_cast<int>(r));
        in.y = fit[static_cast<std::size_t>(uni(0, static_cast<int>(fit.size()) - 1))];
        out[0] += shapes[static_cast<std::size_t>(in.y)][0];
        break;
      }
    }
    p.code.push_back(in);
    shapes.push_back(out);
  }
  p.final_reduction = uni(0, kReductions - 1);
  if (p.final_reduction == 4) p.final_reduction = 0;  // norm2 of a tiny vector: a kink nearby
  return p;
}

}  // namespace fuzz
