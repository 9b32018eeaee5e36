#include "dataset.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "error.h"

namespace tt {

void Dataset::check_index(int64_t index) const {
    TT_CHECK(index >= 0 && index < size(),
             name() << ": index " << index << " is out of range for a data set of " << size() << " samples");
}

void Dataset::get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const {
    const int64_t per_sample = numel(sample_shape());
    for (int64_t b = 0; b < n; b++) {
        Sample s = get(indices[b]);
        TT_CHECK(s.input.numel() == per_sample,
                 name() << ": sample " << indices[b] << " has shape " << s.input.shape() << ", expected "
                        << sample_shape());
        const std::vector<float> values = s.input.to_vector();
        std::memcpy(out + b * per_sample, values.data(), values.size() * sizeof(float));
        labels[b] = s.label;
    }
}

// ---- TensorDataset ------------------------------------------------------------------------------------------

TensorDataset::TensorDataset(const Tensor& inputs, const Tensor& labels) {
    TT_CHECK(inputs.defined() && inputs.dim() >= 1, "TensorDataset: inputs must have a first (sample) axis");
    TT_CHECK(labels.defined() && labels.dim() == 1,
             "TensorDataset: labels must be 1-D [N], got shape " << (labels.defined() ? labels.shape() : Shape{}));
    TT_CHECK(inputs.shape(0) == labels.shape(0),
             "TensorDataset: inputs have " << inputs.shape(0) << " samples but labels have " << labels.shape(0));
    inputs_ = inputs.contiguous();
    count_ = inputs.shape(0);
    const std::vector<float> values = labels.to_vector();
    labels_.reserve(values.size());
    for (size_t i = 0; i < values.size(); i++) {
        const float v = values[i];
        TT_CHECK(v >= 0 && v == std::floor(v) && v < 2147483648.0f,
                 "TensorDataset: labels[" << i << "] = " << v << " is not a class index (a whole number >= 0)");
        labels_.push_back(static_cast<int64_t>(v));
    }
}

Shape TensorDataset::sample_shape() const { return Shape(inputs_.shape().begin() + 1, inputs_.shape().end()); }

Sample TensorDataset::get(int64_t index) const {
    check_index(index);
    return {inputs_.select(0, index).clone(), labels_[size_t(index)]};
}

void TensorDataset::get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const {
    const int64_t per_sample = numel(sample_shape());
    for (int64_t b = 0; b < n; b++) {
        check_index(indices[b]);
        std::memcpy(out + b * per_sample, inputs_.data() + indices[b] * per_sample, size_t(per_sample) * sizeof(float));
        labels[b] = labels_[size_t(indices[b])];
    }
}

// ---- ImageDatasetView ---------------------------------------------------------------------------------------

ImageDatasetView::ImageDatasetView(std::shared_ptr<const ImageDataset> images) : images_(std::move(images)) {
    TT_CHECK(images_ != nullptr, "ImageDatasetView: images is null");
    images_->validate("ImageDatasetView");
}

Shape ImageDatasetView::sample_shape() const { return {images_->channels, images_->height, images_->width}; }

Sample ImageDatasetView::get(int64_t index) const {
    check_index(index);
    Tensor input(sample_shape());
    images_->to_float(index, 1, input.data());
    return {input, images_->label(index)};
}

void ImageDatasetView::get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const {
    for (int64_t b = 0; b < n; b++) check_index(indices[b]);
    images_->gather_float(indices, n, out);
    for (int64_t b = 0; b < n; b++) labels[b] = images_->label(indices[b]);
}

}  // namespace tt
