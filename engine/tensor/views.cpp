// Views: new shape/strides/offset onto the same storage, O(1), no element is copied.
#include <algorithm>

#include "error.h"
#include "tensor.h"

namespace tt {

namespace {

// Resolves one -1 in a requested shape from the element count.
Shape infer_size(const Shape& requested, int64_t count, const char* what) {
    Shape shape = requested;
    int infer = -1;
    int64_t known = 1;
    for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
        if (shape[d] == -1) {
            TT_CHECK(infer < 0, what << ": only one size may be -1, got " << requested);
            infer = d;
        } else {
            TT_CHECK(shape[d] >= 0, what << ": negative size in " << requested);
            known *= shape[d];
        }
    }
    if (infer >= 0) {
        TT_CHECK(known != 0 && count % known == 0,
                 what << ": shape " << requested << " is invalid for a tensor of " << count << " elements");
        shape[infer] = count / known;
    }
    TT_CHECK(numel(shape) == count,
             what << ": shape " << requested << " is invalid for a tensor of " << count << " elements");
    return shape;
}

}  // namespace

Tensor Tensor::view(const Shape& shape) const {
    Shape target = infer_size(shape, numel(), "view");
    TT_CHECK(is_contiguous(),
             "view: the tensor (shape " << shape_ << ", strides " << strides_
                                        << ") is not contiguous; use reshape(), which copies, or contiguous() first");
    return Tensor(storage_, target, contiguous_strides(target), offset_);
}

Tensor Tensor::reshape(const Shape& shape) const {
    Shape target = infer_size(shape, numel(), "reshape");
    // A non-contiguous tensor's elements are not in row-major order in memory, so no strides can describe the
    // new shape in general: copy first.
    if (is_contiguous()) return view(target);
    return contiguous().view(target);
}

Tensor Tensor::transpose(int axis0, int axis1) const {
    int a = normalize_axis(axis0, dim(), "transpose");
    int b = normalize_axis(axis1, dim(), "transpose");
    // BEGIN SOLUTION swap the sizes and the strides of the two axes; same storage and offset
    Shape shape = shape_, strides = strides_;
    std::swap(shape[a], shape[b]);
    std::swap(strides[a], strides[b]);
    return Tensor(storage_, shape, strides, offset_);
    // END SOLUTION
}

Tensor Tensor::permute(const std::vector<int>& axes) const {
    TT_CHECK(static_cast<int>(axes.size()) == dim(),
             "permute: got " << axes.size() << " axes for a tensor of shape " << shape_);
    std::vector<bool> seen(axes.size(), false);
    Shape shape(axes.size()), strides(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
        int a = normalize_axis(axes[i], dim(), "permute");
        TT_CHECK(!seen[a], "permute: axis " << axes[i] << " is repeated, shape " << shape_);
        seen[a] = true;
        shape[i] = shape_[a];
        strides[i] = strides_[a];
    }
    return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::t() const {
    TT_CHECK(dim() == 2, "t: needs a 2-D tensor, got shape " << shape_);
    return transpose(0, 1);
}

Tensor Tensor::slice(int axis, int64_t start, int64_t stop, int64_t step) const {
    int a = normalize_axis(axis, dim(), "slice");
    int64_t size = shape_[a];
    TT_CHECK(step > 0, "slice: step must be > 0, got " << step);
    // Negative bounds count from the end, as in Python; bounds past the end are clamped, also as in Python.
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    TT_CHECK(start >= 0 && start <= size,
             "slice: start " << start << " is out of range for axis " << a << " of shape " << shape_);
    stop = std::min(std::max(stop, start), size);
    // BEGIN SOLUTION the view starts start*stride further in, has ceil((stop-start)/step) elements along the axis, and steps step*stride
    Shape shape = shape_, strides = strides_;
    shape[a] = (stop - start + step - 1) / step;
    strides[a] = strides_[a] * step;
    return Tensor(storage_, shape, strides, offset_ + start * strides_[a]);
    // END SOLUTION
}

Tensor Tensor::select(int axis, int64_t index) const {
    int a = normalize_axis(axis, dim(), "select");
    int64_t i = index < 0 ? index + shape_[a] : index;
    TT_CHECK(i >= 0 && i < shape_[a],
             "select: index " << index << " is out of range for axis " << a << " of shape " << shape_);
    return slice(a, i, i + 1).squeeze(a);
}

Tensor Tensor::expand(const Shape& shape) const {
    TT_CHECK(shape.size() >= shape_.size(),
             "expand: cannot expand shape " << shape_ << " to " << shape << " (fewer dimensions)");
    // BEGIN SOLUTION align the axes on the right; new leading axes and broadcast size-1 axes get stride 0 (every index reads the same element), equal sizes keep their stride
    size_t lead = shape.size() - shape_.size();
    Shape strides(shape.size(), 0);
    for (size_t d = 0; d < shape.size(); ++d) {
        if (d < lead) continue;
        int64_t size = shape_[d - lead];
        if (size == shape[d]) strides[d] = strides_[d - lead];
        else TT_CHECK(size == 1, "expand: cannot expand shape " << shape_ << " to " << shape);
    }
    return Tensor(storage_, shape, strides, offset_);
    // END SOLUTION
}

Tensor Tensor::squeeze(int axis) const {
    int a = normalize_axis(axis, dim(), "squeeze");
    if (shape_[a] != 1) return *this;  // like PyTorch: squeezing a non-1 axis is a no-op
    Shape shape = shape_, strides = strides_;
    shape.erase(shape.begin() + a);
    strides.erase(strides.begin() + a);
    return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::squeeze() const {
    Shape shape, strides;
    for (int d = 0; d < dim(); ++d)
        if (shape_[d] != 1) {
            shape.push_back(shape_[d]);
            strides.push_back(strides_[d]);
        }
    return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::unsqueeze(int axis) const {
    int a = normalize_axis(axis, dim() + 1, "unsqueeze");
    Shape shape = shape_, strides = strides_;
    // The new axis has size 1, so its stride never matters; this one keeps the tensor contiguous if it was.
    int64_t stride = a < dim() ? shape_[a] * strides_[a] : 1;
    shape.insert(shape.begin() + a, 1);
    strides.insert(strides.begin() + a, stride);
    return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::flatten(int start_axis, int end_axis) const {
    if (dim() == 0) return reshape({1});
    int s = normalize_axis(start_axis, dim(), "flatten");
    int e = normalize_axis(end_axis, dim(), "flatten");
    TT_CHECK(s <= e, "flatten: start axis " << start_axis << " comes after end axis " << end_axis);
    Shape shape(shape_.begin(), shape_.begin() + s);
    int64_t merged = 1;
    for (int d = s; d <= e; ++d) merged *= shape_[d];
    shape.push_back(merged);
    shape.insert(shape.end(), shape_.begin() + e + 1, shape_.end());
    return reshape(shape);
}

// ---- copies ---------------------------------------------------------------------------------------------------

Tensor Tensor::contiguous() const {
    if (is_contiguous()) return *this;
    return clone();
}

Tensor Tensor::clone() const {
    TT_CHECK(defined(), "clone: the tensor is undefined (default-constructed)");
    Tensor out(shape_);
    float* dst = out.data();
    const float* src = storage_->data();
    // BEGIN SOLUTION walk this tensor's elements in row-major order (OffsetWalker) and write them densely into dst
    const int64_t n = out.numel();
    if (is_contiguous()) {  // already row-major and dense: one copy (backward clones every fresh gradient it keeps)
        std::copy_n(src + offset_, n, dst);
        return out;
    }
    OffsetWalker walk(shape_, strides_, offset_);
    for (int64_t i = 0; i < n; ++i) {
        dst[i] = src[walk.offset()];
        walk.next();
    }
    // END SOLUTION
    return out;
}

}  // namespace tt
