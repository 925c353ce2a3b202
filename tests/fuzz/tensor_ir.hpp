// SPDX-License-Identifier: MIT
#pragma once

// The tensor fuzzer's program. Parameters p (1-D, size R·C + C + 1) enter as the matrix
// A = p[0, R·C) reshaped (R, C), the vector b = p[R·C, R·C + C) and the scalar s = p[last];
// constant data D (R, C), E (C, K) and F (C,) are fixed per program (E may be a Placeholder).
// Each instruction makes a new register from earlier ones; the result is a reduction of the
// last register to a scalar, plus s/2.

#include <cstdint>
#include <random>
#include <vector>

namespace fuzz {

enum class TOp : std::uint8_t {
  Map,      // fn(x) elementwise: fn indexes kMapNames
  Zip,      // x op y, y a register of the same or a broadcastable shape (bin op: +, -, *, max, min)
  ZipData,  // x op D (same shape) / F (row vector), or x / (1 + D²)
  ZipScalar,  // x op s (a Var) or x op k (a double)
  Reduce,     // reduction `red` along `axis` (2-D to 1-D)
  Softmax,    // softmax (variant 0) or log_softmax (1) along axis
  MatmulE,    // x (·, C) times E (C, K)
  MatmulVec,  // x (m, C) times a (C,) register
  Transpose,
  Slice,   // rows [lo, hi)
  Concat,  // concatenate(x, y) along axis 0
};
// Maps: sin cos tanh sigmoid softplus square atan erf asinh abs log_sigmoid.
inline constexpr int kMaps = 11;
inline constexpr int kZips = 5;        // + - * maximum minimum
inline constexpr int kReductions = 6;  // sum mean max min norm2 log_sum_exp

struct TInstr {
  TOp op;
  int x = 0, y = 0;
  int fn = 0;  // map index, binary op (0 + 1 - 2 * 3 maximum 4 minimum), or reduction
  int axis = 0, lo = 0, hi = 0, variant = 0;
  double k = 1.0;
};

struct TensorProgram {
  int R = 1, C = 1, K = 1;
  std::vector<TInstr> code;  // registers: 0 = A, 1 = b, then one per instruction
  int final_reduction = 0;
  std::vector<double> D, E, F;  // row-major data
};

/// Shapes of the registers as the generator tracks them (for the reference and the checks).
using Shape = std::vector<std::size_t>;

TensorProgram generate_tensor(std::mt19937_64& rng);

}  // namespace fuzz
