// Module 16 — Compression: the forms of a classifier and their accuracy (see compression.h).
#include "compression.h"

#include <algorithm>

#include "error.h"
#include "grad_mode.h"
#include "quantized.h"
#include "quantized_io.h"

namespace tt {

std::vector<Tensor> image_batches(const ImageDataset& data, int64_t start, int64_t count, int64_t batch) {
    TT_CHECK(start >= 0 && count >= 0 && start + count <= data.count && batch > 0,
             "image_batches: images [" << start << ", " << start + count << ") of " << data.count);
    std::vector<Tensor> out;
    for (int64_t i = start; i < start + count; i += batch) {
        const int64_t n = std::min(batch, start + count - i);
        Tensor x({n, data.channels, data.height, data.width});
        data.to_float(i, n, x.data());
        out.push_back(x);
    }
    return out;
}

std::vector<uint8_t> compress_classifier(const std::vector<uint8_t>& fp32_file, const std::string& arch,
                                         const std::string& form, const std::vector<Tensor>& calibration) {
    auto net = load_classifier(fp32_file, "fp32 model", arch);
    nn::QuantizeOptions o;
    if (form == "int8") {
    } else if (form == "int8-tensor") {
        o.per_channel = false;
    } else if (form == "int8-u7") {
        o.reduce_range = true;
    } else if (form == "int4") {
        o.bits = 4;
    } else {
        TT_CHECK(form == "fp32",
                 "compress_classifier: unknown form '" << form << "' (fp32, int8, int8-tensor, int8-u7, int4)");
    }
    if (form != "fp32") nn::quantize_model(*net, o, calibration);
    return save_classifier(*net, arch);
}

int64_t count_correct(nn::Module& net, const ImageDataset& data, int64_t count) {
    TT_CHECK(count >= 0 && count <= data.count, "count_correct: " << count << " images of " << data.count);
    autograd::NoGrad no_grad;
    int64_t correct = 0, first = 0;  // first: the data set index of the batch's first image
    for (const Tensor& x : image_batches(data, 0, count, 256)) {
        const Tensor y = net(x).contiguous();  // [B, classes]
        const int64_t B = y.shape(0), classes = y.shape(1);
        for (int64_t b = 0; b < B; ++b) {
            const float* row = y.data() + b * classes;
            correct += (std::max_element(row, row + classes) - row) == data.label(first + b) ? 1 : 0;
        }
        first += B;
    }
    return correct;
}

}  // namespace tt
