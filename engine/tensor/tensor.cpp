#include "tensor.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <utility>

#include "error.h"
#include "profile.h"

namespace tt {

std::ostream& operator<<(std::ostream& os, const Shape& shape) {
    os << '[';
    for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
    return os << ']';
}

int64_t numel(const Shape& shape) {
    int64_t n = 1;
    for (int64_t size : shape) {
        TT_CHECK(size >= 0, "numel: negative size in shape " << shape);
        // A shape read from a file can ask for more elements than 64 bits count: an error, not a wrapped number.
        TT_CHECK(!__builtin_mul_overflow(n, size, &n), "numel: shape " << shape << " has more than 2^63 elements");
    }
    return n;
}

Shape contiguous_strides(const Shape& shape) {
    // BEGIN SOLUTION compute row-major strides: the last axis has stride 1, each axis to its left the product of the sizes to its right
    Shape strides(shape.size());
    int64_t stride = 1;
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
        strides[d] = stride;
        stride *= shape[d];
    }
    return strides;
    // END SOLUTION
}

int normalize_axis(int axis, int ndim, const char* what) {
    TT_CHECK(axis >= -ndim && axis < ndim,
             what << ": axis " << axis << " is out of range for a tensor with " << ndim << " dimensions");
    return axis < 0 ? axis + ndim : axis;
}

// ---- Storage --------------------------------------------------------------------------------------------------

// The largest buffer the engine allocates, 2^29 floats (2 GiB): beyond it wasm's 32-bit size_t would wrap the byte
// count, and no model of the course comes near it, so a size from a corrupt file is an error instead.
namespace {
constexpr int64_t kMaxStorageFloats = int64_t(1) << 29;

int64_t checked_storage_size(int64_t size) {
    TT_CHECK(size >= 0 && size <= kMaxStorageFloats,
             "Storage: " << size << " floats is more than the engine allocates (at most " << kMaxStorageFloats
                         << ", 2 GiB)");
    return size;
}
}  // namespace

Storage::Storage(int64_t size) : data_(static_cast<size_t>(checked_storage_size(size)), 0.0f) {
    memory::record_alloc(size * static_cast<int64_t>(sizeof(float)));
}

Storage::~Storage() { memory::record_free(size() * static_cast<int64_t>(sizeof(float))); }

// ---- Tensor ---------------------------------------------------------------------------------------------------

Tensor::Tensor() = default;

Tensor::Tensor(const Shape& shape)
    : storage_(std::make_shared<Storage>(tt::numel(shape))), shape_(shape), strides_(contiguous_strides(shape)) {}

Tensor::Tensor(const Shape& shape, std::vector<float> values) : Tensor(shape) {
    TT_CHECK(static_cast<int64_t>(values.size()) == numel(),
             "Tensor: shape " << shape << " needs " << numel() << " values, got " << values.size());
    std::copy(values.begin(), values.end(), storage_->data());
}

Tensor::Tensor(std::shared_ptr<Storage> storage, const Shape& shape, const Shape& strides, int64_t offset)
    : storage_(std::move(storage)), shape_(shape), strides_(strides), offset_(offset) {
    TT_CHECK(shape.size() == strides.size(),
             "Tensor: shape " << shape << " and strides " << strides << " differ in length");
}

// A copy shares the storage (like PyTorch's `b = a`); clone() is the deep copy. Member by member, so a field added
// to Tensor is copied without touching these lines; the live count is such a member (LiveCount, tensor.h).
Tensor::Tensor(const Tensor& other) = default;
Tensor::Tensor(Tensor&& other) noexcept = default;
Tensor& Tensor::operator=(const Tensor& other) = default;
Tensor& Tensor::operator=(Tensor&& other) noexcept = default;
Tensor::~Tensor() = default;

int64_t Tensor::live_count() { return LiveCount::value(); }

int64_t Tensor::shape(int axis) const { return shape_[normalize_axis(axis, dim(), "shape")]; }

bool Tensor::is_contiguous() const {
    // Size-1 axes may have any stride: they are never stepped along.
    Shape expected = contiguous_strides(shape_);
    for (int d = 0; d < dim(); ++d)
        if (shape_[d] != 1 && strides_[d] != expected[d]) return false;
    return true;
}

float* Tensor::data() {
    TT_CHECK(defined(), "data: the tensor is undefined (default-constructed)");
    return storage_->data() + offset_;
}

const float* Tensor::data() const {
    TT_CHECK(defined(), "data: the tensor is undefined (default-constructed)");
    return storage_->data() + offset_;
}

int64_t Tensor::storage_index(const Shape& index) const {
    TT_CHECK(defined(), "at: the tensor is undefined (default-constructed)");
    TT_CHECK(index.size() == shape_.size(),
             "at: index " << index << " has " << index.size() << " entries, the tensor has shape " << shape_);
    for (int d = 0; d < dim(); ++d)
        TT_CHECK(index[d] >= 0 && index[d] < shape_[d],
                 "at: index " << index << " is out of range for shape " << shape_);
    // BEGIN SOLUTION the element's place in storage: the offset plus each index times its axis's stride
    int64_t i = offset_;
    for (int d = 0; d < dim(); ++d) i += index[d] * strides_[d];
    return i;
    // END SOLUTION
}

float& Tensor::at(const Shape& index) { return storage_->data()[storage_index(index)]; }
float Tensor::at(const Shape& index) const { return storage_->data()[storage_index(index)]; }

float Tensor::item() const {
    TT_CHECK(defined() && numel() == 1, "item: needs a tensor with exactly one element, got shape " << shape_);
    return storage_->data()[offset_];
}

std::vector<float> Tensor::to_vector() const {
    TT_CHECK(defined(), "to_vector: the tensor is undefined (default-constructed)");
    std::vector<float> out(static_cast<size_t>(numel()));
    const float* base = storage_->data();
    OffsetWalker walk(shape_, strides_, offset_);
    for (float& v : out) {
        v = base[walk.offset()];
        walk.next();
    }
    return out;
}

// ---- OffsetWalker ---------------------------------------------------------------------------------------------

OffsetWalker::OffsetWalker(const Shape& shape, const Shape& strides, int64_t offset)
    : shape_(shape), strides_(strides), index_(shape.size(), 0), offset_(offset) {}

void OffsetWalker::next() {
    // BEGIN SOLUTION odometer: from the last axis leftwards, step index_[d] and offset_ by strides_[d]; if it reached shape_[d], wrap it to 0 (undo its steps) and carry left
    for (int d = static_cast<int>(shape_.size()) - 1; d >= 0; --d) {
        ++index_[d];
        offset_ += strides_[d];
        if (index_[d] < shape_[d]) return;
        offset_ -= index_[d] * strides_[d];
        index_[d] = 0;
    }
    // END SOLUTION
}

// ---- factories ------------------------------------------------------------------------------------------------

Tensor zeros(const Shape& shape) { return Tensor(shape); }
Tensor ones(const Shape& shape) { return full(shape, 1.0f); }

Tensor full(const Shape& shape, float value) {
    Tensor t(shape);
    t.fill_(value);
    return t;
}

Tensor zeros_like(const Tensor& t) { return zeros(t.shape()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape()); }

Tensor arange(float start, float stop, float step) {
    TT_CHECK(step != 0.0f, "arange: step must not be 0");
    double span = (static_cast<double>(stop) - start) / step;
    int64_t n = span > 0 ? static_cast<int64_t>(std::ceil(span)) : 0;
    Tensor t({n});
    for (int64_t i = 0; i < n; ++i) t.data()[i] = static_cast<float>(start + static_cast<double>(i) * step);
    return t;
}

Tensor arange(int64_t n) { return arange(0.0f, static_cast<float>(n), 1.0f); }

Tensor from_vector(const Shape& shape, std::vector<float> values) { return Tensor(shape, std::move(values)); }

Tensor scalar(float value) { return Tensor(Shape{}, {value}); }

}  // namespace tt
