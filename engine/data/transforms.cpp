#include "transforms.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "error.h"
#include "sampler.h"

namespace tt {
namespace {

void check_chw(const Shape& input, const char* what) {
    TT_CHECK(input.size() == 3 && input[0] > 0 && input[1] > 0 && input[2] > 0,
             what << ": expects one image [C, H, W], got shape " << input);
}

}  // namespace

Tensor Transform::operator()(const Tensor& sample, Generator& gen) const {
    TT_CHECK(sample.defined(), name() << ": the sample is an undefined tensor");
    const Tensor in = sample.contiguous();
    Tensor out(output_shape(in.shape()));
    apply(in.data(), in.shape(), out.data(), gen);
    return out;
}

// ---- Normalize ----------------------------------------------------------------------------------------------

Normalize::Normalize(std::vector<float> mean, std::vector<float> std) : mean_(std::move(mean)), std_(std::move(std)) {
    TT_CHECK(!mean_.empty(), "Normalize: mean is empty (one value per channel)");
    TT_CHECK(mean_.size() == std_.size(),
             "Normalize: mean has " << mean_.size() << " values but std has " << std_.size() << " (one per channel)");
    for (size_t c = 0; c < std_.size(); c++)
        TT_CHECK(std_[c] > 0 && std::isfinite(std_[c]),
                 "Normalize: std[" << c << "] = " << std_[c] << " must be positive (it divides)");
}

Shape Normalize::output_shape(const Shape& input) const {
    check_chw(input, "Normalize");
    TT_CHECK(input[0] == int64_t(mean_.size()),
             "Normalize: mean and std have " << mean_.size() << " channels, the image has " << input[0] << " "
                                             << input);
    return input;
}

void Normalize::apply(const float* in, const Shape& input, float* out, Generator&) const {
    output_shape(input);
    const int64_t plane = input[1] * input[2];
    // BEGIN SOLUTION every value of channel c (a plane of H*W values): (x - mean_[c]) / std_[c]
    for (int64_t c = 0; c < input[0]; c++)
        for (int64_t k = 0; k < plane; k++)
            out[c * plane + k] = (in[c * plane + k] - mean_[size_t(c)]) / std_[size_t(c)];
    // END SOLUTION
}

// ---- RandomCrop ---------------------------------------------------------------------------------------------

RandomCrop::RandomCrop(int64_t height, int64_t width, int64_t padding)
    : height_(height), width_(width), padding_(padding) {
    TT_CHECK(height > 0 && width > 0, "RandomCrop: size must be positive, got " << height << "x" << width);
    TT_CHECK(padding >= 0, "RandomCrop: padding must be >= 0, got " << padding);
}

Shape RandomCrop::output_shape(const Shape& input) const {
    check_chw(input, "RandomCrop");
    TT_CHECK(height_ <= input[1] + 2 * padding_ && width_ <= input[2] + 2 * padding_,
             "RandomCrop: size " << height_ << "x" << width_ << " is larger than the padded image "
                                 << input[1] + 2 * padding_ << "x" << input[2] + 2 * padding_);
    return {input[0], height_, width_};
}

void RandomCrop::apply(const float* in, const Shape& input, float* out, Generator& gen) const {
    output_shape(input);
    const int64_t C = input[0], H = input[1], W = input[2];
    // BEGIN SOLUTION draw top = randint(0, H + 2p - height_ + 1, gen), then left likewise for the width; output (c, y, x) is input (c, top + y - p, left + x - p), or 0 where that falls in the padding
    const int64_t top = randint(0, H + 2 * padding_ - height_ + 1, gen);
    const int64_t left = randint(0, W + 2 * padding_ - width_ + 1, gen);
    for (int64_t c = 0; c < C; c++)
        for (int64_t y = 0; y < height_; y++) {
            const int64_t sy = top + y - padding_;
            for (int64_t x = 0; x < width_; x++) {
                const int64_t sx = left + x - padding_;
                const bool inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                out[(c * height_ + y) * width_ + x] = inside ? in[(c * H + sy) * W + sx] : 0.0f;
            }
        }
    // END SOLUTION
}

// ---- RandomHorizontalFlip -----------------------------------------------------------------------------------

RandomHorizontalFlip::RandomHorizontalFlip(float p) : p_(p) {
    TT_CHECK(p >= 0 && p <= 1, "RandomHorizontalFlip: p must be a probability in [0, 1], got " << p);
}

Shape RandomHorizontalFlip::output_shape(const Shape& input) const {
    check_chw(input, "RandomHorizontalFlip");
    return input;
}

void RandomHorizontalFlip::apply(const float* in, const Shape& input, float* out, Generator& gen) const {
    output_shape(input);
    const int64_t rows = input[0] * input[1], W = input[2];
    // BEGIN SOLUTION one gen.uniform() per sample; when it is < p_, out's row r, column w is in's row r, column W - 1 - w; otherwise copy
    const bool flip = gen.uniform() < p_;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t w = 0; w < W; w++) out[r * W + w] = in[r * W + (flip ? W - 1 - w : w)];
    // END SOLUTION
}

// ---- Compose ------------------------------------------------------------------------------------------------

Compose::Compose(std::vector<std::shared_ptr<const Transform>> transforms) : transforms_(std::move(transforms)) {
    for (size_t i = 0; i < transforms_.size(); i++)
        TT_CHECK(transforms_[i] != nullptr, "Compose: transform " << i << " is null");
}

Shape Compose::output_shape(const Shape& input) const {
    Shape shape = input;
    for (const auto& t : transforms_) shape = t->output_shape(shape);
    return shape;
}

void Compose::apply(const float* in, const Shape& input, float* out, Generator& gen) const {
    // BEGIN SOLUTION run the transforms first to last, each on the previous one's output (std::vector<float> buffers between them); the last writes to out (no transforms: copy in to out)
    Shape shape = input;
    std::vector<float> current(in, in + numel(input)), next;
    for (const auto& t : transforms_) {
        const Shape out_shape = t->output_shape(shape);
        next.assign(size_t(numel(out_shape)), 0.0f);
        t->apply(current.data(), shape, next.data(), gen);
        current.swap(next);
        shape = out_shape;
    }
    std::copy(current.begin(), current.end(), out);
    // END SOLUTION
}

}  // namespace tt
