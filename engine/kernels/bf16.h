// Module 17 — Competition: bfloat16, the 16-bit float of mixed-precision training, as conversion kernels.
//
// bf16 is the top half of an fp32: 1 sign bit, the same 8 exponent bits (so the same range, up to ~3.4e38, and
// the same denormals below 2^-126), and 7 of fp32's 23 mantissa bits (about 2-3 significant decimal digits).
//     fp32 bits  s eeeeeeee mmmmmmm mmmmmmmmmmmmmmmm
//     bf16 bits  s eeeeeeee mmmmmmm                    the low 16 bits are rounded away
// Widening bf16 -> fp32 is exact (append 16 zero bits). Narrowing rounds to nearest, ties to even (IEEE's default,
// what torch.Tensor.to(torch.bfloat16) does): the 16 dropped bits decide; exactly half (0x8000) rounds to the even
// neighbour, so rounding errors do not drift one way. Carrying into the exponent is correct, including the largest
// finite fp32 values rounding up to Inf. NaN needs care: a NaN whose payload sits only in the low 16 bits would
// round (or truncate) to the bits of Inf, so a NaN keeps its sign and top payload and gets the quiet bit (0x0040).
#pragma once

#include <cstdint>

#include "tensor.h"

namespace tt {

uint16_t float_to_bf16(float x);     // round to nearest even, NaN stays NaN
float bf16_to_float(uint16_t bits);  // exact

// Arrays of n: the kernels mixed precision uses for whole tensors (branch-free, so the compiler vectorises them),
// and their scalar twin written case by case.
void float_to_bf16(const float* x, uint16_t* out, int64_t n);
void float_to_bf16_ref(const float* x, uint16_t* out, int64_t n);
void bf16_to_float(const uint16_t* bits, float* out, int64_t n);

// x rounded to the nearest bf16 value, kept as float (what a bf16 round trip does to every element): a new tensor.
Tensor bf16_round(const Tensor& x);

}  // namespace tt
