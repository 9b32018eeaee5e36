// Module 17 — `tt compress RECIPE --out-file FILE`: see compress.h. Seeded, single thread: the same command gives
// the same bytes. The test split only measures; calibration and fine-tuning use the training split.
#include "compress.h"

#include <cstdio>

#include "compression.h"
#include "datasets.h"
#include "error.h"
#include "parallel.h"
#include "quantized_io.h"
#include "safetensors.h"
#include "tinygpt.h"
#include "tokenizer.h"

namespace tt::cli {

namespace {

// TinyGPT: its weights pruned and rounded to int8 and back, saved as the asset format (F32 tensors, tt.gpt, tt.vocab)
// that `tt generate`, `tt evaluate` and the leaderboard's TinyGPT task read — the same size as the fp32 file: the
// gain here is what an int8 file would hold at a quarter of it, and the zeros; the loader reads float tensors only.
int compress_gpt(const RecipeOptions& o, const OptimizeOptions& options, const std::string& output) {
    TT_CHECK(options.form == "int8" || options.form == "fp32",
             "compress: tinygpt takes --form int8 or fp32 (its weights are rounded per row, not packed)");
    const std::string weights = o.weights.empty() ? o.out_dir + "/tinygpt.safetensors" : o.weights;
    LoadedGPT loaded = load_gpt_asset(weights);
    const double zeros = compress_gpt_weights(*loaded.model, options.sparsity, options.form == "int8");
    std::vector<uint32_t> vocab;
    for (const std::string& ch : loaded.vocab) vocab.push_back(utf8_decode(ch, "tt.vocab").at(0));
    const std::vector<uint8_t> bytes = save_gpt_asset(*loaded.model, vocab);
    write_file(output, bytes.data(), bytes.size());
    std::printf("wrote %s: tinygpt pruned to %.2f (%.4f of its weights of dim >= 2 are 0), %s weights, %zu bytes\n",
                output.c_str(), options.sparsity, zeros, options.form.c_str(), bytes.size());
    return 0;
}

}  // namespace

int compress(const std::string& recipe, const RecipeOptions& o, const OptimizeOptions& options,
             const std::string& output) {
    set_num_threads(1);
    if (recipe == tinygpt_recipe().name) return compress_gpt(o, options, output);
    const Recipe* r = find_recipe(recipe);
    TT_CHECK(r && (r->dataset == "mnist" || r->dataset == "fashion-mnist"),
             "compress: recipe '" << recipe
                                  << "' is not an MNIST or Fashion-MNIST classifier (mnist-mlp, fashion-cnn)");
    const std::string weights = o.weights.empty() ? o.out_dir + "/" + r->name + ".safetensors" : o.weights;
    const StateDict trained = load_safetensors_file(weights);
    const ImageDataset train = read_packed(o.data_dir + "/" + r->dataset + "-train.ttds");
    const ImageDataset test = read_packed(o.data_dir + "/" + r->dataset + "-test.ttds");
    const std::vector<uint8_t> bytes = optimize_classifier(r->architecture, trained, train, options);
    write_file(output, bytes.data(), bytes.size());

    const std::vector<uint8_t> fp32 = read_file_bytes(weights);
    auto dense = load_classifier(fp32, weights, r->architecture);
    auto optimized = load_classifier(bytes, output);
    const int64_t n = test.count;
    const int64_t dense_correct = count_correct(*dense, test, n),
                  optimized_correct = count_correct(*optimized, test, n);
    std::printf("%-10s %10s %16s\n", "model", "bytes", "test accuracy");
    std::printf("%-10s %10zu %8lld/%lld %5.2f%%\n", "fp32", fp32.size(), (long long)dense_correct, (long long)n,
                100.0 * double(dense_correct) / double(n));
    std::printf("%-10s %10zu %8lld/%lld %5.2f%%\n", "optimized", bytes.size(), (long long)optimized_correct,
                (long long)n, 100.0 * double(optimized_correct) / double(n));
    std::printf("wrote %s: %s pruned to %.2f, %lld fine-tune steps, %s (seed %llu)\n", output.c_str(), r->name.c_str(),
                options.sparsity, (long long)options.finetune_steps, options.form.c_str(),
                (unsigned long long)options.seed);
    return 0;
}

}  // namespace tt::cli
