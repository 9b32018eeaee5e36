// Module 06 — Dataset: what a DataLoader draws samples from (torch.utils.data.Dataset).
//
// A data set answers two questions: how many samples (size(), Python's len) and what sample i is (get(i): an
// input tensor and an integer class label). Every sample of one data set has the same input shape, so a batch of
// them stacks into one tensor [B, ...sample_shape()].
//
// get_batch is the batch-level fast path: it writes several samples straight into the batch's float buffer, with
// no Tensor per sample. The loader only calls get_batch; the default loops over get(). The built-in data sets
// override it: TensorDataset copies rows, ImageDatasetView turns bytes into floats (pixel / 255) as it copies.
// get_batch must not make or drop Tensors (the default does: a data set that only has get() should not be used
// with the loader's prefetch thread, whose allocations the module 01 memory accounting does not expect).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "datasets.h"
#include "tensor.h"

namespace tt {

struct Sample {
    Tensor input;       // sample_shape(), e.g. [C, H, W]
    int64_t label = 0;  // the class index
};

class Dataset {
public:
    virtual ~Dataset() = default;
    virtual int64_t size() const = 0;
    virtual Shape sample_shape() const = 0;
    virtual Sample get(int64_t index) const = 0;
    // Samples indices[0..n) into out (n * numel(sample_shape()) floats) and their labels into labels (n values).
    virtual void get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const;
    // Bytes one sample's input takes in memory as the data set stores it (a uint8 image: C*H*W; floats: 4 per value).
    virtual int64_t stored_sample_bytes() const { return numel(sample_shape()) * int64_t(sizeof(float)); }
    virtual std::string name() const = 0;

protected:
    void check_index(int64_t index) const;  // a clear error naming the data set, the index and the size
};

// torch.utils.data.TensorDataset over inputs [N, ...] and labels [N] (class indices, whole numbers >= 0):
// sample i is (inputs[i], labels[i]).
class TensorDataset : public Dataset {
public:
    TensorDataset(const Tensor& inputs, const Tensor& labels);
    int64_t size() const override { return count_; }
    Shape sample_shape() const override;
    Sample get(int64_t index) const override;
    void get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const override;
    std::string name() const override { return "TensorDataset"; }

private:
    Tensor inputs_;  // contiguous
    std::vector<int64_t> labels_;
    int64_t count_ = 0;
};

// An ImageDataset (datasets.h: MNIST, Fashion-MNIST, CIFAR-10, a packed image folder) behind the interface. The
// pixels stay uint8 in memory and become floats in [0, 1] only in the batch being made: 4x less memory.
class ImageDatasetView : public Dataset {
public:
    explicit ImageDatasetView(std::shared_ptr<const ImageDataset> images);
    int64_t size() const override { return images_->count; }
    Shape sample_shape() const override;
    Sample get(int64_t index) const override;
    void get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const override;
    int64_t stored_sample_bytes() const override { return images_->image_size(); }
    std::string name() const override { return "ImageDatasetView"; }
    const ImageDataset& images() const { return *images_; }

private:
    std::shared_ptr<const ImageDataset> images_;
};

}  // namespace tt
