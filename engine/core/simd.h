// Which SIMD instruction set the fast kernels use in this build.
//
// The native and web reference builds compile with xsimd (TT_USE_XSIMD): SSE/AVX natively, wasm simd128 under
// Emscripten with -msimd128. Builds without it (the in-browser student build for now) fall back to scalar loops,
// and report arch "scalar" with width 1, so every number a lesson shows says what it was measured on.
#pragma once

#if defined(TT_USE_XSIMD)
#include <xsimd/xsimd.hpp>
#endif

namespace tt {

#if defined(TT_USE_XSIMD)
using simd_arch_type = xsimd::default_arch;
using float_batch = xsimd::batch<float, simd_arch_type>;
constexpr int kSimdWidth = static_cast<int>(float_batch::size);
inline const char* simd_arch_name() { return simd_arch_type::name(); }
#else
constexpr int kSimdWidth = 1;
inline const char* simd_arch_name() { return "scalar"; }
#endif

}  // namespace tt
