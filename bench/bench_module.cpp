// tt_bench.mjs: the engine's kernels for bench/run.mjs, over raw pointers into the wasm heap (HEAPF32), plus a
// probe of this machine's simd128 multiply+add ceiling, and a training step (train_step.h). Benchmark-only: it is
// not part of the site. tt_bench_relaxed is the same module with sgemm on relaxed SIMD (TT_RELAXED_SIMD) and a
// relaxed-madd ceiling probe.
#include <emscripten/bind.h>
#include <wasm_simd128.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "conv.h"
#include "gemm.h"
#include "kernel_profile.h"
#include "mlp.h"
#include "parallel.h"
#include "simd.h"
#include "train_step.h"

namespace {

float* f32(uintptr_t p) { return reinterpret_cast<float*>(p); }

void sgemm_js(bool ta, bool tb, int M, int N, int K, float alpha, uintptr_t A, int lda, uintptr_t B, int ldb,
              float beta, uintptr_t C, int ldc) {
    tt::sgemm(ta, tb, M, N, K, alpha, f32(A), lda, f32(B), ldb, beta, f32(C), ldc);
}
void naive_js(uintptr_t A, uintptr_t B, uintptr_t C, int M, int N, int K) {
    tt::matmul_naive(f32(A), f32(B), f32(C), M, N, K);
}
void ikj_js(uintptr_t A, uintptr_t B, uintptr_t C, int M, int N, int K) {
    tt::matmul_ikj(f32(A), f32(B), f32(C), M, N, K);
}
void mlp_js(int batch, int n_in, int n_hidden, int n_out, uintptr_t x, uintptr_t w1, uintptr_t b1, uintptr_t w2,
            uintptr_t b2, uintptr_t h, uintptr_t y) {
    tt::bench::mlp_forward(batch, n_in, n_hidden, n_out, f32(x), f32(w1), f32(b1), f32(w2), f32(b2), f32(h), f32(y));
}

// The bench's conv layers: NCHW, a square kernel, stride 1.
tt::Conv2dGeometry square_conv(int n, int c, int h, int w, int oc, int ks, int pad) {
    tt::Conv2dGeometry g;
    g.batch = n, g.in_channels = c, g.height = h, g.width = w;
    g.out_channels = oc, g.kernel_h = g.kernel_w = ks, g.padding = pad;
    return g;
}
// y = relu(conv2d(x, weight) + bias): the engine's conv (im2col + sgemm) with the
// bias and ReLU in sgemm's epilogue (fused: what TF.js's fused conv2d does), or (fused = false) as a Conv2d layer
// followed by a ReLU layer run in the engine: the conv with its bias, then a second pass over y for the ReLU.
void conv_relu_js(int n, int c, int h, int w, int oc, int ks, int pad, uintptr_t x, uintptr_t weight, uintptr_t bias,
                  uintptr_t y, bool fused) {
    const tt::Conv2dGeometry g = square_conv(n, c, h, w, oc, ks, pad);
    tt::conv2d_forward(g, f32(x), f32(weight), f32(bias), f32(y), fused);
    if (fused) return;
    float* out = f32(y);
    for (int64_t i = 0; i < g.output_size(); ++i) out[i] = out[i] > 0.0f ? out[i] : 0.0f;
}
// The im2col route for any shape (which conv2d_direct replaces for a tiny K): per image im2col, then conv_gemm with
// the bias and ReLU in its tiles.
void conv_relu_gemm_js(int n, int c, int h, int w, int oc, int ks, int pad, uintptr_t x, uintptr_t weight,
                       uintptr_t bias, uintptr_t y) {
    tt::conv2d_forward_im2col(square_conv(n, c, h, w, oc, ks, pad), f32(x), f32(weight), f32(bias), f32(y), true);
}
// The conv as the engine ran it before conv_gemm (issue 13), kept to measure the change in the same process: per
// image im2col, then sgemm (which packs cols into its panels), then the bias pass, then the ReLU pass.
void conv_relu_sgemm_js(int n, int c, int h, int w, int oc, int ks, int pad, uintptr_t x, uintptr_t weight,
                        uintptr_t bias, uintptr_t y) {
    const tt::Conv2dGeometry g = square_conv(n, c, h, w, oc, ks, pad);
    const int K = c * ks * ks, P = g.out_h() * g.out_w();
    std::vector<float> cols(size_t(K) * P);
    for (int i = 0; i < n; i++) {
        tt::im2col(g, f32(x) + int64_t(i) * c * h * w, cols.data());
        float* yn = f32(y) + int64_t(i) * oc * P;
        tt::sgemm(false, false, oc, P, K, 1.0f, f32(weight), K, cols.data(), P, 0.0f, yn, P);
        for (int o = 0; o < oc; o++)
            for (int p = 0; p < P; p++) yn[int64_t(o) * P + p] += f32(bias)[o];
    }
    float* out = f32(y);
    for (int64_t i = 0; i < g.output_size(); ++i) out[i] = out[i] > 0.0f ? out[i] : 0.0f;
}
// The same layer's backward from a given dy: dweight and dbias accumulate (+=), dx (null: 0) is overwritten.
void conv_backward_js(int n, int c, int h, int w, int oc, int ks, int pad, uintptr_t x, uintptr_t weight, uintptr_t dy,
                      uintptr_t dx, uintptr_t dweight, uintptr_t dbias) {
    const tt::Conv2dGeometry g = square_conv(n, c, h, w, oc, ks, pad);
    tt::conv2d_backward(g, f32(x), f32(weight), f32(dy), dx ? f32(dx) : nullptr, f32(dweight), f32(dbias));
}

// The ceiling: the same work as a gemm micro-kernel with every operand already in registers or L1. A 4 x 2-vector
// tile = 8 independent accumulators (enough to hide the add latency), 2 loads + 8 mul + 8 add per step, 16
// live registers at most. The loads walk a window that moves every iteration: with a fixed window the compiler
// proves the products loop-invariant, hoists every multiply out of the loop and the "ceiling" becomes add-only.
// What it leaves out, compared with the kernel: the broadcasts of a, packing, and memory beyond L1.
// ring: 512 floats in the wasm heap (the caller's). Returns a value derived from every accumulator.
float simd_peak(int iterations, uintptr_t ring_ptr) {
    const float* ring = f32(ring_ptr);
    v128_t s0 = wasm_f32x4_splat(1e-3f), s1 = wasm_f32x4_splat(2e-3f), s2 = wasm_f32x4_splat(3e-3f),
           s3 = wasm_f32x4_splat(4e-3f);
    v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int it = 0; it < iterations; ++it) {
        const float* window = ring + (it & 15) * 16;  // 64 floats, a different start every iteration
        // One step per loop iteration, as in the kernel: unrolled, clang computes all 64 products first and V8
        // spills them (16 registers), which measures the spills, not the arithmetic.
#pragma clang loop unroll(disable)
        for (int k = 0; k < 64; k += 8) {  // 8 steps
            v128_t b0 = wasm_v128_load(window + k), b1 = wasm_v128_load(window + k + 4);
            c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(s0, b0));
            c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(s0, b1));
            c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(s1, b0));
            c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(s1, b1));
            c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(s2, b0));
            c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(s2, b1));
            c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(s3, b0));
            c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(s3, b1));
        }
    }
    v128_t sum = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c00, c01), wasm_f32x4_add(c10, c11)),
                                wasm_f32x4_add(wasm_f32x4_add(c20, c21), wasm_f32x4_add(c30, c31)));
    return wasm_f32x4_extract_lane(sum, 0) + wasm_f32x4_extract_lane(sum, 3);
}
// FLOPs of one simd_peak iteration: 8 steps x 8 accumulators x 4 lanes x 2 (mul, add).
int simd_peak_flops_per_iteration() { return 8 * 8 * 4 * 2; }

#if defined(TT_RELAXED_SIMD)
// tt_bench_relaxed's ceiling: simd_peak with each mul + add as one f32x4.relaxed_madd (clang 14's prototype builtin,
// renumbered after the link by scripts/wasm-relaxed-simd.mjs), the instruction tt_web_relaxed's sgemm kernel uses.
// The same FLOPs per iteration.
v128_t madd(v128_t a, v128_t b, v128_t c) {
    using f32x4 = float __attribute__((__vector_size__(16)));
    return static_cast<v128_t>(
        __builtin_wasm_fma_f32x4(static_cast<f32x4>(a), static_cast<f32x4>(b), static_cast<f32x4>(c)));
}
float relaxed_peak(int iterations, uintptr_t ring_ptr) {
    const float* ring = f32(ring_ptr);
    v128_t s0 = wasm_f32x4_splat(1e-3f), s1 = wasm_f32x4_splat(2e-3f), s2 = wasm_f32x4_splat(3e-3f),
           s3 = wasm_f32x4_splat(4e-3f);
    v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int it = 0; it < iterations; ++it) {
        const float* window = ring + (it & 15) * 16;
#pragma clang loop unroll(disable)
        for (int k = 0; k < 64; k += 8) {
            v128_t b0 = wasm_v128_load(window + k), b1 = wasm_v128_load(window + k + 4);
            c00 = madd(s0, b0, c00);
            c01 = madd(s0, b1, c01);
            c10 = madd(s1, b0, c10);
            c11 = madd(s1, b1, c11);
            c20 = madd(s2, b0, c20);
            c21 = madd(s2, b1, c21);
            c30 = madd(s3, b0, c30);
            c31 = madd(s3, b1, c31);
        }
    }
    v128_t sum = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c00, c01), wasm_f32x4_add(c10, c11)),
                                wasm_f32x4_add(wasm_f32x4_add(c20, c21), wasm_f32x4_add(c30, c31)));
    return wasm_f32x4_extract_lane(sum, 0) + wasm_f32x4_extract_lane(sum, 3);
}
#endif

// Module 15's measurements (kernel_profile.h), for bench/fusion.mjs: JSON text, as the site's bindings/kernels.cpp.
std::string profile_matmul_js(const std::string& sizes_csv, int naive_max_n, int repeats) {
    std::vector<int> sizes;
    for (size_t at = 0; at < sizes_csv.size();) {
        size_t end = sizes_csv.find(',', at);
        if (end == std::string::npos) end = sizes_csv.size();
        sizes.push_back(std::stoi(sizes_csv.substr(at, end - at)));
        at = end + 1;
    }
    return tt::profile_matmul(sizes, naive_max_n, repeats).dump();
}
std::string profile_fusion_js(int scale, int repeats) { return tt::profile_fusion(scale, repeats).dump(); }

emscripten::val tile_js() {
    tt::GemmTile t = tt::sgemm_tile();
    emscripten::val out = emscripten::val::object();
    out.set("mr", t.mr);
    out.set("nr", t.nr);
    out.set("arch", std::string(tt::simd_arch_name()));
    return out;
}

// The training step (train_step.h) with its tensors copied in and out of the wasm heap, so that the peer starts
// from the same weights and batch and the results can be compared.
class TrainStepJS {
public:
    TrainStepJS(const std::string& architecture, const std::string& input_shape, int batch, double lr)
        : t_(architecture, input_shape, batch, lr) {}
    double step() { return t_.step(); }
    int parameter_tensors() const { return int(t_.parameter_tensors()); }
    int parameter_size(int i) { return int(t_.parameter(size_t(i)).value.numel()); }
    void read_parameter(int i, uintptr_t out) { copy_out(t_.parameter(size_t(i)).value, out); }
    void write_parameter(int i, uintptr_t in) { copy_in(t_.parameter(size_t(i)).value, in); }
    void write_input(uintptr_t in) { copy_in(t_.input(), in); }
    void write_target(uintptr_t in) { copy_in(t_.target(), in); }

private:
    static void copy_out(const tt::Tensor& t, uintptr_t out) { std::copy_n(t.data(), t.numel(), f32(out)); }
    static void copy_in(tt::Tensor& t, uintptr_t in) { std::copy_n(f32(in), t.numel(), t.data()); }  // in place
    tt::bench::TrainStep t_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(tt_bench) {
    using namespace emscripten;
    function("sgemm", &sgemm_js);
    function("matmulNaive", &naive_js);
    function("matmulIkj", &ikj_js);
    function("mlpForward", &mlp_js);
    function("conv2dRelu", &conv_relu_js);
    function("conv2dBackward", &conv_backward_js);
    function("conv2dReluSgemm", &conv_relu_sgemm_js);
    function("conv2dReluGemm", &conv_relu_gemm_js);
    function("simdPeak", &simd_peak);
    function("simdPeakFlopsPerIteration", &simd_peak_flops_per_iteration);
#if defined(TT_RELAXED_SIMD)
    function("relaxedPeak", &relaxed_peak);
#endif
    function("tile", &tile_js);
    function("profileMatmulCsv", &profile_matmul_js);
    function("profileFusionRun", &profile_fusion_js);
    function("maxThreads", &tt::max_threads);
    function("setNumThreads", &tt::set_num_threads);
    class_<TrainStepJS>("TrainStep")
        .constructor<std::string, std::string, int, double>()
        .function("step", &TrainStepJS::step)
        .function("parameterTensors", &TrainStepJS::parameter_tensors)
        .function("parameterSize", &TrainStepJS::parameter_size)
        .function("readParameter", &TrainStepJS::read_parameter)
        .function("writeParameter", &TrainStepJS::write_parameter)
        .function("writeInput", &TrainStepJS::write_input)
        .function("writeTarget", &TrainStepJS::write_target);
}
