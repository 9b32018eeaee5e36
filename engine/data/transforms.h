// Module 06 — transforms: per-sample changes made while a batch is put together (torchvision.transforms).
//
// A transform maps one sample [C, H, W] to another. The random ones (augmentation: a shifted crop, a mirror image)
// draw from the Generator they are handed — the DataLoader hands each batch its own generator, seeded from the
// loader's — so a training run with augmentation is reproducible bit for bit, with or without the prefetch thread.
// They work on plain float buffers, not Tensors, so a loader's second thread can run them without allocating.
//
//     auto t = std::make_shared<tt::Compose>(std::vector<std::shared_ptr<const tt::Transform>>{
//         std::make_shared<tt::RandomCrop>(32, 4), std::make_shared<tt::RandomHorizontalFlip>(0.5f),
//         std::make_shared<tt::Normalize>(std::vector<float>{0.49f, 0.48f, 0.45f}, std::vector<float>{0.25f, 0.24f, 0.26f})});
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "random.h"
#include "tensor.h"

namespace tt {

class Transform {
public:
    virtual ~Transform() = default;
    // The shape of the output for an input of this shape [C, H, W]; a clear error if the input does not fit.
    virtual Shape output_shape(const Shape& input) const { return input; }
    // in: a contiguous sample of shape `input`; out: numel(output_shape(input)) floats, not overlapping in.
    virtual void apply(const float* in, const Shape& input, float* out, Generator& gen) const = 0;
    virtual std::string name() const = 0;

    // The same on a Tensor [C, H, W] (a new tensor): for tests and one-off use.
    Tensor operator()(const Tensor& sample, Generator& gen) const;
};

// (x - mean[c]) / std[c], per channel c.
class Normalize : public Transform {
public:
    Normalize(std::vector<float> mean, std::vector<float> std);
    Shape output_shape(const Shape& input) const override;
    void apply(const float* in, const Shape& input, float* out, Generator& gen) const override;
    std::string name() const override { return "Normalize"; }

private:
    std::vector<float> mean_;
    std::vector<float> std_;
};

// Pads the image with `padding` zeros on every side, then cuts out a random height x width window: the top row
// drawn uniformly from [0, H + 2*padding - height], then the left column from [0, W + 2*padding - width].
class RandomCrop : public Transform {
public:
    explicit RandomCrop(int64_t size, int64_t padding = 0) : RandomCrop(size, size, padding) {}
    RandomCrop(int64_t height, int64_t width, int64_t padding);
    Shape output_shape(const Shape& input) const override;
    void apply(const float* in, const Shape& input, float* out, Generator& gen) const override;
    std::string name() const override { return "RandomCrop"; }

private:
    int64_t height_;
    int64_t width_;
    int64_t padding_;
};

// Mirrors the image left-right (column w goes to W - 1 - w) with probability p: one gen.uniform() per sample,
// flipped when it is < p (as torchvision: torch.rand(1) < p).
class RandomHorizontalFlip : public Transform {
public:
    explicit RandomHorizontalFlip(float p = 0.5f);
    Shape output_shape(const Shape& input) const override;
    void apply(const float* in, const Shape& input, float* out, Generator& gen) const override;
    std::string name() const override { return "RandomHorizontalFlip"; }

private:
    float p_;
};

// Several transforms, first to last, each drawing from the same generator in that order.
class Compose : public Transform {
public:
    explicit Compose(std::vector<std::shared_ptr<const Transform>> transforms);
    Shape output_shape(const Shape& input) const override;
    void apply(const float* in, const Shape& input, float* out, Generator& gen) const override;
    std::string name() const override { return "Compose"; }

private:
    std::vector<std::shared_ptr<const Transform>> transforms_;
};

}  // namespace tt
