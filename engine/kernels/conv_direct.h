// Module 10 — the direct convolution: a conv with a tiny receptive field, computed straight from the image.
//
// im2col + GEMM is the general route (conv.h). When K = C*KH*KW is tiny (27 for a first layer on RGB 3x3), its
// GEMM does little arithmetic per value it moves: im2col writes K*OH*OW floats, the GEMM packs them once more, and
// every tile of 27 steps pays for its set-up and its stores. The direct kernel reads the taps of each output tile
// from a zero-padded copy of the image instead (x (C, H+2p, W+2p), a few KiB: it stays in L1), with the weights in
// the same panels and the multiply-adds in the same order as conv_gemm's micro-kernel — so it gives the same bits
// as im2col + conv_gemm, and its test compares it with im2col + conv_gemm_ref.
// Given code: conv2d_forward calls it where it applies. The in-browser student build never takes it, so the
// student's im2col loop is what runs (and is checked) there.
#pragma once

#include "conv.h"

namespace tt {

// True when conv2d_direct handles g: stride 1, dilation 1, K = C*KH*KW <= 64, an output row at least one tile
// wide, and a SIMD build that is not the student build.
bool conv2d_direct_applies(const Conv2dGeometry& g);

// y (B, OC, OH, OW) = conv2d(x, weight) + bias (bias may be null), then max(y, 0) if relu; g must satisfy
// conv2d_direct_applies. Shares the output rows between threads: 1 and 2 threads give the same bits.
void conv2d_direct(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                   bool relu);

}  // namespace tt
