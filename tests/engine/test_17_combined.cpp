// Module 17 — Competition: one optimized model combining modules 15-17. A classifier pruned, fine-tuned with its
// masks and int8-quantized into one file keeps its accuracy and its zeros and is a quarter of the fp32 weights; a
// GPT's weights pruned and rounded to int8 still generate through the managed KV cache (module 17) exactly as the
// same weights do without it, within a stated distance of the uncompressed model's logits.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classifier.h"
#include "compression.h"
#include "compression_study.h"
#include "fixtures.h"
#include "generate.h"
#include "gpt.h"
#include "grad_mode.h"
#include "optimized_model.h"
#include "prune.h"
#include "quantized.h"
#include "quantized_io.h"
#include "random.h"
#include "safetensors.h"
#include "testing.h"

using tt::Tensor;

namespace {

const char* kArch = "flatten linear:64:64 relu linear:64:4";

// 4 classes of 1x8x8 images: class k lights rows 2k and 2k + 1 (150 + noise), the rest is noise below 90.
tt::ImageDataset quadrants(int64_t n, uint64_t seed) {
    tt::Generator gen(seed);
    tt::ImageDataset d;
    d.count = n, d.channels = 1, d.height = 8, d.width = 8, d.num_classes = 4;
    for (int64_t i = 0; i < n; ++i) {
        const int k = static_cast<int>(gen.uniform_double() * 4);
        d.labels.push_back(static_cast<uint8_t>(k));
        for (int p = 0; p < 64; ++p) {
            const double noise = gen.uniform_double();
            d.pixels.push_back(static_cast<uint8_t>(p / 16 == k ? 150 + 100 * noise : 90 * noise));
        }
    }
    return d;
}

int64_t zeros_in(const std::vector<int8_t>& q) { return std::count(q.begin(), q.end(), int8_t(0)); }

}  // namespace

TEST_CASE("17 combined: a classifier pruned, fine-tuned and int8-quantized keeps its accuracy and its zeros") {
    const tt::ImageDataset train = quadrants(1024, 3), test = quadrants(400, 4);
    tt::Generator init(5);
    auto fp32 = tt::build_classifier(kArch, init);
    tt::nn::PruningMasks none;  // plain training: the same seeded SGD loop, nothing masked
    tt::finetune_pruned(*fp32, none, train, 0, -1, 300, 32, 0.05f, 6);
    const int64_t fp32_correct = tt::count_correct(*fp32, test, test.count);
    REQUIRE(fp32_correct >= 380);  // a trained model: >= 95%

    tt::OptimizeOptions o;
    o.sparsity = 0.75, o.finetune_steps = 100, o.batch_size = 32, o.lr = 0.02f, o.calibration_images = 256;
    o.seed = 7;
    const std::vector<uint8_t> file = tt::optimize_classifier(kArch, fp32->state_dict(), train, o);
    CHECK(tt::optimize_classifier(kArch, fp32->state_dict(), train, o) == file);  // seeded: the same bytes

    // One file, loaded like any submission: int8 layers with static input scales (calibrated on training images).
    const auto meta = tt::load_safetensors_metadata(file.data(), file.size(), "optimized");
    CHECK(meta.at("tt.arch") == kArch);
    CHECK(meta.at("tt.quant").find("\"input\":\"static\"") != std::string::npos);
    auto net = tt::load_classifier(file, "optimized");
    auto& l1 = dynamic_cast<tt::nn::QuantizedLinear&>((*net)[1]);
    auto& l3 = dynamic_cast<tt::nn::QuantizedLinear&>((*net)[3]);
    CHECK(l1.input.is_static);
    // The pruned weights are int8 zeros: 0.75 of the 64*64 + 64*4 = 4352 weights, globally, is 3264; a kept weight
    // smaller than half a step may round to 0 too, so at least 3264.
    const int64_t zeros = zeros_in(l1.weight) + zeros_in(l3.weight);
    CHECK(zeros >= 3264);
    CHECK(zeros <= 4352 - 64);  // not everything

    // Accuracy: within 2 points of fp32 (8 of 400 images). Size: int8 weights are a quarter of fp32's; with the float
    // biases and per-row scales the layers store 4352 + 2 * 68 * 4 = 4896 bytes against 4420 * 4 = 17680 (28%),
    // and the whole file, header included, is under 40% of the fp32 file.
    const int64_t correct = tt::count_correct(*net, test, test.count);
    const int64_t fp32_file = static_cast<int64_t>(tt::save_classifier(*fp32, kArch).size());
    INFO("fp32 " << fp32_correct << "/400, optimized " << correct << "/400, " << file.size() << " bytes vs "
                 << fp32_file);
    CHECK(correct >= fp32_correct - 8);
    CHECK(l1.weight_bytes() + l3.weight_bytes() == 4896);
    CHECK(fp32->parameter_bytes() == 17680);
    CHECK(double(file.size()) < 0.4 * double(fp32_file));
}

TEST_CASE("17 combined: a pruned int8 GPT generates through the KV-cache manager as without it") {
    tt::GPTConfig c;
    c.vocab_size = 16, c.block_size = 24, c.n_layer = 2, c.n_head = 2, c.n_embd = 16;
    tt::Generator g1(11), g2(11);
    tt::GPT reference(c, g1), model(c, g2);  // the same initial weights
    const double zero_fraction = tt::compress_gpt_weights(model, 0.3, true);
    // global magnitude over the 6784 weights of dim >= 2 (wte 16x16, wpe 24x16, per layer in_proj 48x16, out_proj
    // 16x16, MLP 64x16 and 16x64; the head is tied to wte): round(0.3 * 6784) = 2035 pruned, int8 may add a few
    CHECK(zero_fraction * 6784 >= 2035 - 1e-9);
    CHECK(zero_fraction * 6784 < 2035 + 20);

    // Every int8 weight row: at most 255 distinct values, all multiples of one scale.
    const Tensor& w = model.wte->weight.value;
    const float* row = w.data();
    const float step =
        *std::max_element(row, row + c.n_embd, [](float a, float b) { return std::fabs(a) < std::fabs(b); });
    for (int64_t j = 0; j < c.n_embd; ++j) {
        const double k = double(row[j]) / (double(std::fabs(step)) / 127.0);
        CHECK(std::fabs(k - std::round(k)) < 1e-3);
    }

    // Must hold: the managed cache gives the compressed model's own tokens, bit for bit (sampled and greedy), and
    // greedy decoding with the cache equals greedy decoding that reruns the whole prefix every step.
    tt::KVCacheManager cache(model, 2, 20);
    const Tensor prompt = Tensor({2, 3}, {1, 5, 2, 9, 0, 3});
    for (const tt::SamplingOptions& opt : {tt::SamplingOptions{0.0f, 0, 1.0f}, tt::SamplingOptions{0.9f, 5, 0.9f}}) {
        tt::Generator a(7), b(7);
        CHECK_TENSOR_EQ(tt::generate_cached(model, cache, prompt, 17, opt, a), model.generate(prompt, 17, opt, b));
    }
    tt::Generator a(8), b(8);
    const tt::SamplingOptions greedy{0.0f, 0, 1.0f};
    CHECK_TENSOR_EQ(tt::generate_cached(model, cache, prompt, 17, greedy, a),
                    model.generate(prompt, 17, greedy, b, false));

    // Against the uncompressed model: int8 rounding alone moves no logit by more than 2% of the largest; with 30%
    // pruning the logits move more (stated: < 30% of the largest; measured 23%) — tokens may then differ.
    tt::autograd::NoGrad no_grad;
    tt::Generator g3(11);
    tt::GPT int8_only(c, g3);
    tt::compress_gpt_weights(int8_only, 0.0, true);
    const Tensor idx = Tensor({1, 8}, {1, 5, 2, 9, 0, 3, 7, 7});
    const Tensor ref = reference(idx).contiguous(), q = int8_only(idx).contiguous(), pq = model(idx).contiguous();
    double largest = 0, dq = 0, dpq = 0;
    for (int64_t i = 0; i < ref.numel(); ++i) {
        largest = std::max(largest, double(std::fabs(ref.data()[i])));
        dq = std::max(dq, double(std::fabs(q.data()[i] - ref.data()[i])));
        dpq = std::max(dpq, double(std::fabs(pq.data()[i] - ref.data()[i])));
    }
    INFO("largest logit " << largest << ", int8 moves " << dq << ", pruned + int8 " << dpq);
    CHECK(dq > 0);
    CHECK(dq < 0.02 * largest);
    CHECK(dpq > dq);
    CHECK(dpq < 0.3 * largest);
}
