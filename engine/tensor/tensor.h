// Module 02 — Tensor: an n-dimensional float32 array as PyTorch lays it out.
//
// A Tensor is a window onto a Storage (a flat, shared float buffer): element (i0, i1, ..., in) lives at
//     storage[offset + i0*strides[0] + i1*strides[1] + ... + in*strides[n]].
// Because only shape, strides and offset describe the window, reshape/transpose/slice/expand make a new window onto
// the same storage in O(1) — a *view*: writing through a view changes the base. contiguous() and clone() copy.
//
// Files of this module: tensor.h/.cpp (storage, strides, element access, factories), views.cpp, elementwise.h/.cpp
// (broadcasting), reduce.h/.cpp, matmul.h/.cpp, random.h/.cpp, format.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <utility>
#include <vector>

namespace tt {

namespace autograd {
struct Meta;  // module 07: what autograd knows about a tensor (autograd/graph.h); null unless grad is required
}

// A list of sizes (or strides), printed as [2, 3]. A vector, so Shape{2, 3}, .size() and == work as usual.
struct Shape : std::vector<int64_t> {
    using std::vector<int64_t>::vector;
};
std::ostream& operator<<(std::ostream& os, const Shape& shape);

// Number of elements of a tensor of this shape (1 for the scalar shape []). Sizes must be >= 0.
int64_t numel(const Shape& shape);

// Row-major ("C order") strides for a shape: [2, 3, 4] -> [12, 4, 1].
Shape contiguous_strides(const Shape& shape);

// Maps a possibly negative axis (-1 = last) into [0, ndim); `what` names the operation in the error.
int normalize_axis(int axis, int ndim, const char* what);

// The flat float buffer tensors share. It reports its size to the memory accounting of module 01.
class Storage {
public:
    explicit Storage(int64_t size);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    float* data() { return data_.data(); }
    const float* data() const { return data_.data(); }
    int64_t size() const { return static_cast<int64_t>(data_.size()); }

    // Counts in-place changes (fill_, copy_, add_, mul_): autograd (module 07) notes it when it saves a tensor for
    // backward and refuses to run that backward if it changed meanwhile.
    int64_t version() const { return version_; }
    void bump_version() { ++version_; }

private:
    std::vector<float> data_;
    int64_t version_ = 0;
};

// Counts the objects that hold one, alive right now. Tensor holds one as a member, so Tensor's own copies and moves
// can stay the compiler's memberwise ones: a copy or move makes a new object (+1), an assignment leaves the number
// of objects as it was, a destructor -1.
class LiveCount {
public:
    LiveCount() noexcept { count_.fetch_add(1, std::memory_order_relaxed); }
    LiveCount(const LiveCount&) noexcept : LiveCount() {}
    LiveCount& operator=(const LiveCount&) noexcept { return *this; }
    ~LiveCount() { count_.fetch_sub(1, std::memory_order_relaxed); }
    static int64_t value() { return count_.load(std::memory_order_relaxed); }

private:
    static inline std::atomic<int64_t> count_{0};  // atomic: a parallel_for worker may make or drop tensors
};

class Tensor {
public:
    Tensor();                                               // undefined: no storage, defined() is false
    explicit Tensor(const Shape& shape);                    // zeros
    Tensor(const Shape& shape, std::vector<float> values);  // row-major values, values.size() == numel(shape)
    Tensor(std::shared_ptr<Storage> storage, const Shape& shape, const Shape& strides, int64_t offset);
    // Copies and moves copy every member (defaulted in tensor.cpp), whatever fields later modules add.
    Tensor(const Tensor& other);
    Tensor(Tensor&& other) noexcept;
    Tensor& operator=(const Tensor& other);
    Tensor& operator=(Tensor&& other) noexcept;
    ~Tensor();

    // ---- layout ---------------------------------------------------------------------------------------------
    bool defined() const { return storage_ != nullptr; }
    const Shape& shape() const { return shape_; }
    int64_t shape(int axis) const;  // size of one axis, negative counts from the end
    const Shape& strides() const { return strides_; }
    int64_t offset() const { return offset_; }
    int dim() const { return static_cast<int>(shape_.size()); }
    int64_t numel() const { return tt::numel(shape_); }
    int64_t nbytes() const { return numel() * static_cast<int64_t>(sizeof(float)); }
    bool is_contiguous() const;
    bool shares_storage(const Tensor& other) const { return storage_ && storage_ == other.storage_; }
    const std::shared_ptr<Storage>& storage() const { return storage_; }

    // Pointer to the first element (storage + offset); with strides, not necessarily a dense array.
    float* data();
    const float* data() const;

    // ---- elements -------------------------------------------------------------------------------------------
    int64_t storage_index(const Shape& index) const;  // offset + sum(index[d] * strides[d]), bounds-checked
    float& at(const Shape& index);
    float at(const Shape& index) const;
    float item() const;                    // the one element of a 1-element tensor
    std::vector<float> to_vector() const;  // all elements in row-major order (a copy)

    // ---- views (views.cpp): O(1), share storage -----------------------------------------------------------
    Tensor view(const Shape& shape) const;     // needs a contiguous tensor; one size may be -1
    Tensor reshape(const Shape& shape) const;  // a view when contiguous, else a contiguous copy
    Tensor transpose(int axis0, int axis1) const;
    Tensor permute(const std::vector<int>& axes) const;
    Tensor t() const;                                                             // transpose of a 2-D tensor
    Tensor slice(int axis, int64_t start, int64_t stop, int64_t step = 1) const;  // Python's a[start:stop:step]
    Tensor select(int axis, int64_t index) const;  // a[index] along axis: drops that axis
    Tensor expand(const Shape& shape) const;       // broadcast size-1 axes (stride 0) and add leading axes
    Tensor squeeze(int axis) const;
    Tensor squeeze() const;  // all size-1 axes
    Tensor unsqueeze(int axis) const;
    Tensor flatten(int start_axis = 0, int end_axis = -1) const;

    // ---- copies ---------------------------------------------------------------------------------------------
    Tensor contiguous() const;  // itself when already contiguous, else a row-major copy
    Tensor clone() const;       // always a fresh copy

    // ---- in place (elementwise.cpp) -------------------------------------------------------------------------
    Tensor& fill_(float value);
    Tensor& copy_(const Tensor& src);                       // src broadcast to this shape
    Tensor& add_(const Tensor& other, float alpha = 1.0f);  // this += alpha * other (other broadcast)
    Tensor& mul_(float value);

    // Tensor objects alive right now (views included): the leak check for code that owns tensors by hand (JS).
    static int64_t live_count();

    // ---- autograd (module 07, defined in engine/autograd/) ------------------------------------------------------
    Tensor& requires_grad_(bool requires = true);  // leaves only: start (or stop) recording the ops that use this
    bool requires_grad() const;                    // a leaf that asked for it, or the output of a recorded op
    Tensor grad() const;                           // dL/dthis accumulated by backward() (leaves); undefined before
    void backward(const Tensor& grad_output = Tensor()) const;  // without grad_output: a 1-element output only
    Tensor detach() const;                                      // same storage, no autograd history
    const std::shared_ptr<autograd::Meta>& autograd_meta() const { return autograd_; }
    void set_autograd_meta(std::shared_ptr<autograd::Meta> meta) { autograd_ = std::move(meta); }

private:
    std::shared_ptr<Storage> storage_;
    Shape shape_;
    Shape strides_;
    int64_t offset_ = 0;
    std::shared_ptr<autograd::Meta> autograd_;  // shared by copies of this Tensor, like a Python reference
    LiveCount live_;
};

// Visits every element of a strided layout in row-major order, keeping its storage offset, the way a car's
// odometer counts: the last axis advances; when it reaches its size it wraps to 0 and carries into the next axis to
// the left. O(1) per step on average, for any strides (transposed, sliced, broadcast with stride 0).
class OffsetWalker {
public:
    OffsetWalker(const Shape& shape, const Shape& strides, int64_t offset);
    int64_t offset() const { return offset_; }
    void next();

private:
    Shape shape_;
    Shape strides_;
    Shape index_;
    int64_t offset_;
};

// ---- factories ----------------------------------------------------------------------------------------------
Tensor zeros(const Shape& shape);
Tensor ones(const Shape& shape);
Tensor full(const Shape& shape, float value);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor arange(float start, float stop, float step = 1.0f);  // [start, stop), like torch.arange
Tensor arange(int64_t n);                                   // 0, 1, ..., n-1
Tensor from_vector(const Shape& shape, std::vector<float> values);
Tensor scalar(float value);  // shape []

std::ostream& operator<<(std::ostream& os, const Tensor& t);  // format.cpp

}  // namespace tt
