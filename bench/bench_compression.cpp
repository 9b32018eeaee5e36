// Module 16 (pruning and distillation half): accuracy against sparsity for the two pretrained classifiers, with and
// without a short masked fine-tune, CSR bytes, the sparse x dense product against the dense one, and a small student
// trained alone vs distilled — printed tables (models/compression_study.h does the measuring).
//
//     build/native/bench/tt_bench_compression [--quick] [--spmm-only] [--test N] [--finetune STEPS] [--distill STEPS]
//                                             [--data DIR] [--assets DIR]
// Full: every test image, 300 fine-tune steps, 400 distillation steps; --quick: 1000 images, 50 and 100 steps.
// Needs the packed data sets (cmake --build build/native --target datasets) and assets/.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "compression_study.h"
#include "elementwise.h"
#include "matmul.h"
#include "median_time.h"
#include "prune.h"
#include "random.h"
#include "safetensors.h"
#include "sparse.h"

using namespace tt;

namespace {

int64_t test_count = -1, finetune_steps = -1, distill_steps = -1;  // -1: the preset's (--quick or full)

void curve(const char* name, const std::string& architecture, const std::string& assets, const ImageDataset& train,
           const ImageDataset& test, bool quick) {
    const StateDict weights = load_safetensors_file(assets + "/" + name + ".safetensors");
    PruneCurveOptions o;
    o.finetune_steps = finetune_steps >= 0 ? finetune_steps : quick ? 50 : 300;
    o.test_count = test_count >= 0 ? test_count : quick ? 1000 : -1;
    PruneCurveOptions layer = o;
    layer.global = false;
    layer.finetune_steps = 0;
    const auto g = prune_curve(architecture, weights, train, test, o);
    const auto l = prune_curve(architecture, weights, train, test, layer);
    std::printf(
        "\n%s (%s), held-out accuracy on %lld images; fine-tune: %lld SGD steps of %lld, lr %.3g, momentum 0.9\n", name,
        architecture.c_str(), (long long)(o.test_count < 0 ? test.count : o.test_count), (long long)o.finetune_steps,
        (long long)o.batch_size, o.lr);
    std::printf("| sparsity | per-layer | global | global + fine-tune | dense bytes | with CSR | ratio |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < g.size(); ++i)
        std::printf("| %.0f%% | %.2f%% | %.2f%% | %.2f%% | %lld | %lld | %.2fx |\n", 100 * g[i].sparsity, l[i].accuracy,
                    g[i].accuracy, g[i].finetuned, (long long)g[i].dense_bytes, (long long)g[i].sparse_bytes,
                    double(g[i].sparse_bytes) / double(g[i].dense_bytes));
}

void spmm_speed(bool quick) {
    std::printf(
        "\nCSR x dense (csr_linear_forward) against the dense matmul, weight 128 x 784 (the MNIST MLP's first "
        "layer), one thread, CPU time\n");
    std::printf("| sparsity | batch | dense | CSR | CSR / dense | CSR bytes / dense |\n|---|---|---|---|---|---|\n");
    Generator gen(5);
    const Tensor w0 = randn({128, 784}, gen);
    for (double s : {0.5, 0.9, 0.95}) {
        const Tensor w = mul(w0, nn::magnitude_mask(w0, s));
        const CsrMatrix a = csr_from_dense(w);
        const Tensor wt = w.t().contiguous();
        for (int64_t B : {1, 64}) {
            const Tensor x = randn({B, 784}, gen);
            const double dense = bench::median_seconds([&] { matmul(x, wt); }, quick ? 0.02 : 0.1);
            const double sparse = bench::median_seconds([&] { csr_linear_forward(x, a); }, quick ? 0.02 : 0.1);
            std::printf("| %.0f%% | %lld | %.1f us | %.1f us | %.2fx | %.3f |\n", 100 * s, (long long)B, dense * 1e6,
                        sparse * 1e6, sparse / dense, double(a.nbytes()) / double(a.dense_nbytes()));
        }
    }
}

void distill(const char* teacher, const std::string& architecture, const std::string& assets, const ImageDataset& train,
             const ImageDataset& test, bool quick) {
    const StateDict weights = load_safetensors_file(assets + "/" + teacher + ".safetensors");
    DistillOptions o;
    o.steps = distill_steps >= 0 ? distill_steps : quick ? 100 : 400;
    o.train_count = 2000;  // a small labelled set: where a teacher's soft targets help most
    o.test_count = test_count >= 0 ? test_count : quick ? 1000 : -1;
    const DistillResult r = distill_compare(architecture, weights, train, test, o);
    std::printf(
        "| %s (%lld params, %.2f%%) | %s (%lld params) | %lld x %lld | T %.1f, alpha %.2f | %.2f%% | %.2f%% | "
        "%+.2f |\n",
        teacher, (long long)r.teacher_parameters, r.teacher, o.student.c_str(), (long long)r.student_parameters,
        (long long)o.steps, (long long)o.batch_size, o.temperature, o.alpha, r.alone, r.distilled,
        r.distilled - r.alone);
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false, spmm_only = false;
    // this process's CPU time, not the wall clock: the speed table stays readable on a shared machine
    bench::use_cpu_clock = true;
    std::string data = "build/datasets", assets = "assets";
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        if (!std::strcmp(argv[i], "--spmm-only")) spmm_only = true;
        if (!std::strcmp(argv[i], "--test") && i + 1 < argc) test_count = std::atoll(argv[++i]);
        if (!std::strcmp(argv[i], "--finetune") && i + 1 < argc) finetune_steps = std::atoll(argv[++i]);
        if (!std::strcmp(argv[i], "--distill") && i + 1 < argc) distill_steps = std::atoll(argv[++i]);
        if (!std::strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        if (!std::strcmp(argv[i], "--assets") && i + 1 < argc) assets = argv[++i];
    }
    try {
        if (spmm_only) {
            spmm_speed(quick);
            return 0;
        }
        const ImageDataset mnist_train = read_packed(data + "/mnist-train.ttds");
        const ImageDataset mnist_test = read_packed(data + "/mnist-test.ttds");
        const ImageDataset fashion_train = read_packed(data + "/fashion-mnist-train.ttds");
        const ImageDataset fashion_test = read_packed(data + "/fashion-mnist-test.ttds");
        curve("mnist-mlp", "flatten linear:784:128 relu linear:128:10", assets, mnist_train, mnist_test, quick);
        curve("fashion-cnn",
              "conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10",
              assets, fashion_train, fashion_test, quick);
        spmm_speed(quick);
        std::printf(
            "\nDistillation: the same student, same seed, same batches (from the first 2000 training images), "
            "trained alone vs distilled\n");
        std::printf("| teacher | student | steps x batch | distillation | alone | distilled | gain |\n");
        std::printf("|---|---|---|---|---|---|---|\n");
        distill("mnist-mlp", "flatten linear:784:128 relu linear:128:10", assets, mnist_train, mnist_test, quick);
        distill("fashion-cnn",
                "conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10",
                assets, fashion_train, fashion_test, quick);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tt_bench_compression: %s\n", e.what());
        return 1;
    }
    return 0;
}
