// Printing tensors the way PyTorch does, nested brackets per axis:
//     tensor([[1.0000, 2.0000],
//             [3.0000, 4.0000]])  shape [2, 2]
// Large tensors are summarized with "..." (the first and last 3 entries of each axis).
#include <cstdio>
#include <ostream>
#include <string>

#include "tensor.h"

namespace tt {

namespace {

constexpr int64_t kEdge = 3;            // entries shown at each end of a summarized axis
constexpr int64_t kSummarizeAt = 1000;  // tensors with more elements are summarized

// The element at `index`, read straight from storage: printing must keep working (test failures print tensors)
// even while a lesson's Tensor::storage_index is still a TODO.
float element(const Tensor& t, const Shape& index) {
    int64_t i = t.offset();
    for (int d = 0; d < t.dim(); ++d) i += index[d] * t.strides()[d];
    return t.storage()->data()[i];
}

std::string format_value(float v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", static_cast<double>(v));
    return text;
}

void print_axis(std::ostream& os, const Tensor& t, int axis, Shape& index, bool summarize, int indent) {
    int64_t n = t.shape(axis);
    os << '[';
    for (int64_t i = 0; i < n; ++i) {
        if (summarize && n > 2 * kEdge && i == kEdge) {
            os << (axis + 1 == t.dim() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
            i = n - kEdge;
        }
        index[axis] = i;
        if (axis + 1 == t.dim()) os << format_value(element(t, index));
        else print_axis(os, t, axis + 1, index, summarize, indent + 1);
        if (i + 1 < n) os << (axis + 1 == t.dim() ? ", " : ",\n" + std::string(indent + 1, ' '));
    }
    os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
    if (!t.defined()) return os << "tensor(undefined)";
    os << "tensor(";
    Shape index(t.dim(), 0);
    if (t.dim() == 0) {
        os << format_value(element(t, index));
    } else {
        print_axis(os, t, 0, index, t.numel() > kSummarizeAt, 7);
    }
    return os << ")  shape " << t.shape();
}

}  // namespace tt
