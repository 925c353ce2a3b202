// SPDX-License-Identifier: MIT
// matmul, dot and transpose. Products go through BLAS (OpenBLAS, cblas) in the forward and the
// reverse sweep. Second order uses the dual product (A + Ȧε)(B + Ḃε) = AB + (ȦB + AḂ)ε. When only
// one factor carries a tangent and the other is a large constant (the data matrix X), both
// products read X from memory once, not twice: BLAS has no efficient two-right-hand-side product
// (a dgemm with two columns measured slower here than two dgemv calls), so X·[w ẇ] and Xᵀ·[ḡ ġ]
// are two small fused kernels, and a matrix pair is BLAS on cached blocks of X's rows.

#include <algorithm>
#include <cstring>
#include <string>

#include <cblas.h>

#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

// AVX2 and baseline clones, chosen at load time by an ifunc resolver. Not under
// ThreadSanitizer: the resolver runs before the TSan runtime is up, and its instrumented code
// crashed the test binaries at start-up.
#if defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define SLOPE_CLONES [[gnu::target_clones("avx2", "default")]]
#else
#define SLOPE_CLONES
#endif

namespace slope::detail {

void transposed_pair(const double* a, std::size_t rows, std::size_t cols, const double* g,
                     const double* h, double* out_g, double* out_h);
void rows_pair(const double* a, std::size_t rows, std::size_t cols, const double* w,
               const double* v, double* out_w, double* out_v);

// A·w and A·v for row-major A and vectors w, v, in one pass over A: two dot products per row.
// `omp simd reduction` (compiled with -fopenmp-simd, no OpenMP runtime) lets the sums be split
// into vector lanes. Measured at 100 000 × 100 on one thread: faster than one BLAS dgemv, and than
// two BLAS calls on cached row blocks.
SLOPE_CLONES void rows_pair(const double* a, std::size_t rows, std::size_t cols, const double* w,
                            const double* v, double* out_w, double* out_v) {
  for (std::size_t i = 0; i < rows; ++i) {
    const double* x = a + i * cols;
    double sw = 0, sv = 0;
#pragma omp simd reduction(+ : sw, sv)
    for (std::size_t j = 0; j < cols; ++j) {
      sw += x[j] * w[j];
      sv += x[j] * v[j];
    }
    out_w[i] = sw;
    out_v[i] = sv;
  }
}

// Aᵀ·g and Aᵀ·h for row-major A (rows × cols) and vectors g, h, in one pass over A: each row adds
// into two accumulators of length cols, which stay in L1. It vectorises without reassociating any
// sum (an axpy per row), so no fast-math is needed; cloned for AVX2 and chosen at load time.
// Measured at 100 000 × 100 on one thread: about as fast as one BLAS dgemv, and faster than the
// pair of BLAS calls on cached row blocks.
// External linkage: GCC's function multiversioning needs it.
SLOPE_CLONES void transposed_pair(const double* a, std::size_t rows, std::size_t cols,
                                  const double* g, const double* h, double* out_g, double* out_h) {
  std::fill(out_g, out_g + cols, 0.0);
  std::fill(out_h, out_h + cols, 0.0);
  for (std::size_t i = 0; i < rows; ++i) {
    const double* x = a + i * cols;
    const double gi = g[i], hi = h[i];
    for (std::size_t j = 0; j < cols; ++j) {
      out_g[j] += gi * x[j];
      out_h[j] += hi * x[j];
    }
  }
}

namespace {

// op(M) where M is stored row-major, rows × cols; op transposes when `trans`.
struct Mat {
  const double* p;
  std::size_t rows, cols;
  bool trans;
  std::size_t r() const { return trans ? cols : rows; }
  std::size_t c() const { return trans ? rows : cols; }
};

// C (m×n, contiguous) = op(A)·op(B) + beta·C. With beta = 0, C is not read: outputs come from
// the array pool, and a recycled NaN times 0 is NaN (an HVP once came out NaN after a replay at
// a NaN point had left one there). dgemm does not read C at beta = 0; for dgemv that depends on
// the OpenBLAS version, so C is cleared first.
void gemm(const Mat& a, const Mat& b, double* c, double beta) {
  const std::size_t m = a.r(), k = a.c(), n = b.c();
  if (m == 0 || n == 0) return;
  if (beta == 0 && (k == 0 || n == 1 || m == 1)) std::fill(c, c + m * n, 0.0);
  if (k == 0) {
    if (beta != 0)
      for (std::size_t i = 0; i < m * n; ++i) c[i] *= beta;
    return;
  }
  const auto bi = [](std::size_t v) { return static_cast<blasint>(v); };
  if (n == 1 && m == 1) {
    c[0] = beta * c[0] + cblas_ddot(bi(k), a.p, 1, b.p, 1);
  } else if (n == 1) {  // op(B) is a vector, whatever its storage
    cblas_dgemv(CblasRowMajor, a.trans ? CblasTrans : CblasNoTrans, bi(a.rows), bi(a.cols), 1.0,
                a.p, bi(a.cols), b.p, 1, beta, c, 1);
  } else if (m == 1) {  // a·op(B) = op(B)ᵀ·a
    cblas_dgemv(CblasRowMajor, b.trans ? CblasNoTrans : CblasTrans, bi(b.rows), bi(b.cols), 1.0,
                b.p, bi(b.cols), a.p, 1, beta, c, 1);
  } else {
    cblas_dgemm(CblasRowMajor, a.trans ? CblasTrans : CblasNoTrans,
                b.trans ? CblasTrans : CblasNoTrans, bi(m), bi(n), bi(k), 1.0, a.p, bi(a.cols), b.p,
                bi(b.cols), beta, c, bi(n));
  }
}

// op(A)·op(B) and op(A)·op(Ḃ) reading A once. For vectors B, Ḃ: the fused kernels above. For
// matrices: BLAS on blocks of A's stored rows small enough to stay in cache between the two calls
// (and below OpenBLAS's threading threshold, so no thread start-up per block). Two whole BLAS
// products when A is small (it stays in cache anyway) or B would need a strided slice.
void gemm_pair(const Mat& a, const Mat& b, const Mat& bt, double* c, double* ct) {
  constexpr std::size_t kBlockElements = 8192;
  constexpr std::size_t kLarge = std::size_t{1} << 18;
  if (a.rows * a.cols < kLarge || (a.trans && (b.trans || bt.trans))) {
    gemm(a, b, c, 0.0);
    gemm(a, bt, ct, 0.0);
    return;
  }
  const std::size_t n = b.c();
  if (n == 1 && a.trans) return transposed_pair(a.p, a.rows, a.cols, b.p, bt.p, c, ct);
  if (n == 1) return rows_pair(a.p, a.rows, a.cols, b.p, bt.p, c, ct);
  const std::size_t block =
      std::max<std::size_t>(1, kBlockElements / std::max<std::size_t>(1, a.cols));
  for (std::size_t r0 = 0; r0 < a.rows; r0 += block) {
    const std::size_t rows = std::min(block, a.rows - r0);
    const Mat ab{a.p + r0 * a.cols, rows, a.cols, a.trans};
    if (!a.trans) {  // rows of the result
      gemm(ab, b, c + r0 * n, 0.0);
      gemm(ab, bt, ct + r0 * n, 0.0);
    } else {  // a slab of the inner dimension: accumulate
      const double beta = r0 == 0 ? 0.0 : 1.0;
      gemm(ab, Mat{b.p + r0 * b.cols, rows, b.cols, false}, c, beta);
      gemm(ab, Mat{bt.p + r0 * bt.cols, rows, bt.cols, false}, ct, beta);
    }
  }
}

// (C, Ċ) = (A, Ȧ)·(B, Ḃ) for dual matrices; a null tangent is zero. ct may be null when no
// tangent is wanted.
void dual_gemm(const Mat& a, const double* at, const Mat& b, const double* bt, double* c,
               double* ct) {
  const std::size_t size = a.r() * b.c();
  if (ct == nullptr || (at == nullptr && bt == nullptr)) {
    gemm(a, b, c, 0.0);
    if (ct != nullptr) std::fill(ct, ct + size, 0.0);
  } else if (at == nullptr) {
    gemm_pair(a, b, Mat{bt, b.rows, b.cols, b.trans}, c, ct);
  } else {
    gemm(a, b, c, 0.0);
    gemm(Mat{at, a.rows, a.cols, a.trans}, b, ct, 0.0);
    if (bt != nullptr) gemm(a, Mat{bt, b.rows, b.cols, b.trans}, ct, 1.0);
  }
}

struct Dims {
  std::size_t m, k, n;
};

Dims matmul_dims(const Shape& sa, const Shape& sb) {
  const bool ok = (sa.size() == 1 || sa.size() == 2) && (sb.size() == 1 || sb.size() == 2);
  if (!ok)
    throw Error("slope: matmul: supports 1-D and 2-D operands, got " + core::shape(sa) + " x " +
                core::shape(sb));
  const Dims d{sa.size() == 2 ? sa[0] : 1, sa.back(), sb.size() == 2 ? sb[1] : 1};
  if (sa.back() != sb[0])
    throw Error("slope: matmul: " + core::shape(sa) + " x " + core::shape(sb) + " do not align");
  return d;
}

Shape matmul_shape(const Shape& sa, const Shape& sb, const Dims& d) {
  Shape out;
  if (sa.size() == 2) out.push_back(d.m);
  if (sb.size() == 2) out.push_back(d.n);
  return out;
}

struct MatmulOp final : OpBase<MatmulOp> {
  std::uint32_t a, b;
  Dims d{};  // of the current forward
  MatmulOp(std::uint32_t x, std::uint32_t y) : a(x), b(y) {}
  // Row i of A·B reads row i of A and all of B.
  RowFlow row_flow(const TensorList& list, std::span<const RowFlow> flow,
                   const TensorNode&) const override {
    if (flow[b] != RowFlow::none) return RowFlow::mixed;
    return flow[a] == RowFlow::rows && list.nodes[a].value().dimension() == 2 ? RowFlow::rows
                                                                              : RowFlow::mixed;
  }
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[a];
    const TensorNode& y = list[b];
    const Shape& sa = x.value().shape();
    const Shape& sb = y.value().shape();
    d = matmul_dims(sa, sb);
    const Out o = output(tape, self, matmul_shape(sa, sb, d));
    dual_gemm(Mat{x.value().data(), d.m, d.k, false}, x.tangent(),
              Mat{y.value().data(), d.k, d.n, false}, y.tangent(), o.v, o.t);
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[a];
    TensorNode& y = list[b];
    const bool dual = TensorAccess::dual(tape);
    const Mat g{self.adj.data(), d.m, d.n, false};
    const double* gt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    // Ā = Ḡ·Bᵀ and B̄ = Aᵀ·Ḡ, each with its tangent in a sweep with tangents.
    auto share = [&](TensorNode& target, const Mat& l, const double* lt, const Mat& r,
                     const double* rt) {
      Array ga = fresh(target.value().shape());
      if (dual) {
        Array gat = fresh(target.value().shape());
        dual_gemm(l, lt, r, rt, ga.data(), gat.data());
        accumulate(target, std::move(ga), &gat);
      } else {
        dual_gemm(l, lt, r, rt, ga.data(), nullptr);
        accumulate(target, std::move(ga), nullptr);
      }
    };
    if (x.active()) share(x, g, gt, Mat{y.value().data(), d.k, d.n, true}, y.tangent());
    if (y.active()) share(y, Mat{x.value().data(), d.m, d.k, true}, x.tangent(), g, gt);
  }
};

struct TransposeOp final : OpBase<TransposeOp> {
  std::uint32_t src;
  explicit TransposeOp(std::uint32_t s) : src(s) {}
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[src];
    const Shape& s = x.value().shape();
    const Shape out(s.rbegin(), s.rend());
    const Out o = output(tape, self, out);
    transpose_into(x.value().data(), s, o.v);
    if (o.t != nullptr) transpose_into(x.tangent(), s, o.t);
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[src];
    const Shape& s = self.own.shape();
    Array g = fresh(x.value().shape());
    transpose_into(self.adj.data(), s, g.data());
    if (TensorAccess::dual(tape) && self.has_adj_tan) {
      Array gt = fresh(x.value().shape());
      transpose_into(self.adj_tan.data(), s, gt.data());
      accumulate(x, std::move(g), &gt);
    } else {
      accumulate(x, std::move(g), nullptr);
    }
  }
};

}  // namespace

Tensor tensor_matmul(std::uint32_t ia, std::uint32_t ib) {
  Tape& tape = TensorAccess::active("matmul");
  return TensorAccess::record(tape, std::make_unique<MatmulOp>(ia, ib), {ia, ib}, "matmul");
}

Var tensor_dot(std::uint32_t ia, std::uint32_t ib) {
  Tape& tape = TensorAccess::active("dot");
  {
    TensorList& l = TensorAccess::list(tape);
    const Shape& sa = l[ia].value().shape();
    const Shape& sb = l[ib].value().shape();
    if (sa.size() != 1 || sb.size() != 1)
      throw Error("slope: dot: needs two 1-D operands, got " + core::shape(sa) + " and " +
                  core::shape(sb));
    if (sa[0] != sb[0])
      throw Error("slope: dot: " + core::shape(sa) + " and " + core::shape(sb) + " differ in length");
  }
  const Tensor z = tensor_matmul(ia, ib);
  return element_of(tape, z.node(), 0, false);
}

}  // namespace slope::detail

namespace slope {

Tensor transpose(const Tensor& a) {
  using namespace detail;
  Tape& tape = TensorAccess::active("transpose");
  const std::uint32_t ia = node_index(tape, a, "transpose");
  return TensorAccess::record(tape, std::make_unique<TransposeOp>(ia), {ia}, "transpose");
}

}  // namespace slope
