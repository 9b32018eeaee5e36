// Module 17 — Competition: one optimized model (see optimized_model.h).
#include "optimized_model.h"

#include "classifier.h"
#include "compression.h"
#include "compression_study.h"
#include "error.h"
#include "grad_mode.h"
#include "prune.h"
#include "quant.h"
#include "quantized_io.h"
#include "random.h"

namespace tt {

std::vector<uint8_t> optimize_classifier(const std::string& arch, const StateDict& trained, const ImageDataset& train,
                                         const OptimizeOptions& options) {
    TT_CHECK(options.calibration_images >= 0 && options.calibration_images <= train.count,
             "optimize_classifier: " << options.calibration_images << " calibration images of " << train.count);
    Generator init(0);  // every weight is overwritten by `trained`
    auto net = build_classifier(arch, init);
    net->load_state_dict(trained);
    const nn::PruningMasks masks = nn::PruningMasks::magnitude(*net, options.sparsity, true);
    if (options.finetune_steps > 0)
        finetune_pruned(*net, masks, train, 0, -1, options.finetune_steps, options.batch_size, options.lr,
                        options.seed);
    net->eval();
    // Static input scales from training images: the test set must not shape the model that is scored on it.
    const std::vector<Tensor> calibration = image_batches(train, 0, options.calibration_images, 64);
    return compress_classifier(save_classifier(*net, arch), arch, options.form, calibration);
}

double compress_gpt_weights(GPT& model, double sparsity, bool int8) {
    autograd::NoGrad no_grad;
    nn::PruningMasks::magnitude(model, sparsity, true);
    int64_t zeros = 0, total = 0;
    for (auto& np : model.named_parameters()) {
        Tensor& w = np.second->value;
        if (w.dim() < 2) continue;
        // [rows, cols]: a Linear's [out, in], an embedding's [V, C]; one scale per row, as module 16's int8 weights
        const int rows = static_cast<int>(w.shape(0)), cols = static_cast<int>(w.numel() / w.shape(0));
        if (int8) {
            std::vector<float> scales(static_cast<size_t>(rows));
            std::vector<int8_t> q(static_cast<size_t>(w.numel()));
            quantize_per_channel_int8(w.data(), rows, cols, scales.data(), q.data());
            dequantize_per_channel_int8(q.data(), rows, cols, scales.data(), w.data());
        }
        for (int64_t i = 0; i < w.numel(); ++i) zeros += w.data()[i] == 0.0f;
        total += w.numel();
    }
    return total ? double(zeros) / double(total) : 0.0;
}

}  // namespace tt
