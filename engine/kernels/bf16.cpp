#include "bf16.h"

#include <cstring>

#include "error.h"

namespace tt {

namespace {

uint32_t bits_of(float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

}  // namespace

uint16_t float_to_bf16(float x) {
    const uint32_t b = bits_of(x);
    // BEGIN SOLUTION a NaN (exponent all ones, mantissa not 0: (b & 0x7fffffff) > 0x7f800000) keeps its top 16 bits with the quiet bit 0x0040 set; otherwise add 0x7fff plus the lowest kept bit ((b >> 16) & 1) and keep the top 16 bits
    if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((b >> 16) | 0x0040u);
    return static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
    // END SOLUTION
}

float bf16_to_float(uint16_t bits) {
    const uint32_t b = static_cast<uint32_t>(bits) << 16;
    float x;
    std::memcpy(&x, &b, sizeof x);
    return x;
}

void float_to_bf16(const float* x, uint16_t* out, int64_t n) {
    // The same arithmetic as float_to_bf16 with the NaN case as a select instead of a branch: one loop body the
    // compiler turns into SIMD integer ops.
    for (int64_t i = 0; i < n; ++i) {
        uint32_t b;
        std::memcpy(&b, x + i, sizeof b);
        const uint32_t rounded = (b + 0x7fffu + ((b >> 16) & 1u)) >> 16;
        const uint32_t quiet = (b >> 16) | 0x0040u;
        out[i] = static_cast<uint16_t>((b & 0x7fffffffu) > 0x7f800000u ? quiet : rounded);
    }
}

void float_to_bf16_ref(const float* x, uint16_t* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t b = bits_of(x[i]);
        uint32_t upper = b >> 16;
        const uint32_t lower = b & 0xffffu;
        const bool nan = ((b >> 23) & 0xffu) == 0xffu && (b & 0x7fffffu) != 0;
        if (nan) {
            out[i] = static_cast<uint16_t>(upper | 0x0040u);
            continue;
        }
        // Above half: up. Exactly half: up only if that makes the kept part even. Below: down (truncate).
        if (lower > 0x8000u || (lower == 0x8000u && (upper & 1u) != 0)) upper += 1;
        out[i] = static_cast<uint16_t>(upper);
    }
}

void bf16_to_float(const uint16_t* bits, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_float(bits[i]);
}

Tensor bf16_round(const Tensor& x) {
    Tensor out = x.contiguous().clone();
    float* p = out.data();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = bf16_to_float(float_to_bf16(p[i]));
    return out;
}

}  // namespace tt
