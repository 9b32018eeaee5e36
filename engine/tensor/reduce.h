// Reductions: sum, mean, max, min, argmax over one axis or over all elements.
//
// Over an axis the result drops that axis ([B, T, C] summed over axis 1 -> [B, C]), or keeps it with size 1 when
// keepdim is true ([B, 1, C]), which broadcasts back against the input. Over all elements the result is a scalar
// tensor (shape []). argmax gives indices as float32 values (the engine's only dtype).
#pragma once

#include "tensor.h"

namespace tt {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int axis, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int axis, bool keepdim = false);
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, int axis, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, int axis, bool keepdim = false);
Tensor argmax(const Tensor& x);  // index into the flattened tensor
Tensor argmax(const Tensor& x, int axis, bool keepdim = false);

// Sums a broadcast result back down to `shape` (the gradient of broadcasting): every axis that broadcasting added
// or stretched from 1 is summed. sum_to(ones({4, 2, 3}), {2, 1}) has shape [2, 1] and holds 12s.
Tensor sum_to(const Tensor& x, const Shape& shape);

// The sizes around one axis of a contiguous tensor seen as [outer, n, inner]: a reduction over that axis visits
// x[o * n * inner + k * inner + i] for k in [0, n).
struct AxisSplit {
    int64_t outer, n, inner;
};
AxisSplit split_at_axis(const Shape& shape, int axis);

}  // namespace tt
