// tt_bench_competition: module 17's benchmark, natively — the tables of lesson 17 (models/competition_profile.h):
// KV-cache memory and generation tokens/s with the managed cache, GPT::generate's own cache and no cache; the
// dynamic batcher's latency and throughput as the load grows, against no batching; fp32 against bf16 mixed-precision
// training (memory and final loss); ensembles' accuracy against cost on MNIST-style data when a packed set is given.
//   tt_bench_competition [--quick] [train.ttds test.ttds]   (e.g. build/datasets/mnist-train.ttds mnist-test.ttds)
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "classifier.h"
#include "competition_profile.h"
#include "datasets.h"
#include "json.h"

namespace {

double num(const tt::Json& j, const char* key) { return j.find(key)->as_number(); }

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a table at a time, even into a pipe
    bool quick = false;
    std::vector<std::string> data;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick") quick = true;
        else data.push_back(a);
    }
    tt::GPTConfig c;
    c.vocab_size = 65, c.block_size = 256, c.n_layer = 4, c.n_head = 4, c.n_embd = 128;
    const tt::Json kv =
        tt::profile_kv_cache(c, {64, 256, 1024}, quick ? std::vector<int64_t>{32} : std::vector<int64_t>{32, 128, 255});
    std::printf("## KV cache, GPT L=4 C=128 H=4 V=65, batch 1\n\n| max_len | per layer | total |\n|---|---|---|\n");
    for (const tt::Json& r : kv.find("memory")->items())
        std::printf("| %.0f | %.0f B | %.0f B |\n", num(r, "max_len"), num(r, "per_layer_bytes"),
                    num(r, "total_bytes"));
    std::printf(
        "\n| tokens | managed cache tok/s | GPT::generate cache tok/s | no cache tok/s | cache / none |\n"
        "|---|---|---|---|---|\n");
    for (const tt::Json& r : kv.find("speed")->items())
        std::printf("| %.0f | %.0f | %.0f | %.0f | %.1fx |\n", num(r, "tokens"), num(r, "managed_tokens_per_s"),
                    num(r, "cached_tokens_per_s"), num(r, "uncached_tokens_per_s"),
                    num(r, "managed_tokens_per_s") / num(r, "uncached_tokens_per_s"));

    tt::Generator g(0);
    auto mlp = tt::build_classifier("flatten linear:784:128 relu linear:128:10", g);
    const tt::BatcherOptions bo{16, 2.0};
    const tt::Json b = tt::profile_batching(*mlp, tt::randn({1, 1, 28, 28}, 1), {200, 1000, 3000, 6000, 12000},
                                            quick ? 400 : 2000, bo, quick ? 0.01 : 0.05);
    std::printf(
        "\n## Dynamic batching, MLP 784-128-10, max_batch 16, max_wait 2 ms (Poisson arrivals, measured "
        "service times)\n\nservice ms by batch size:");
    for (const tt::Json& m : b.find("service_ms")->items()) std::printf(" %.3f", m.as_number());
    std::printf(
        "\n\n| load req/s | batched p50 / p99 ms | batched req/s | mean batch | single p50 / p99 ms | single "
        "req/s |\n|---|---|---|---|---|---|\n");
    for (const tt::Json& r : b.find("rows")->items()) {
        const tt::Json &bt = *r.find("batched"), &s = *r.find("single");
        std::printf("| %.0f | %.2f / %.2f | %.0f | %.1f | %.2f / %.2f | %.0f |\n", num(r, "rate"), num(bt, "p50_ms"),
                    num(bt, "p99_ms"), num(bt, "throughput"), num(bt, "mean_batch"), num(s, "p50_ms"), num(s, "p99_ms"),
                    num(s, "throughput"));
    }

    const tt::Json mp = tt::profile_mixed_precision(256, 32, 256, 10, quick ? 50 : 300);
    std::printf(
        "\n## Mixed precision, MLP 32-256-10, batch 256\n\n| precision | final loss | ms/step | weights | grads "
        "| activations | fp32 masters | skipped |\n|---|---|---|---|---|---|---|---|\n");
    for (const tt::Json& r : mp.find("rows")->items())
        std::printf("| %s | %.4f | %.2f | %.0f B | %.0f B | %.0f B | %.0f B | %.0f |\n",
                    r.find("precision")->as_string().c_str(), num(r, "final_loss"), num(r, "ms_per_step"),
                    num(r, "weight_bytes"), num(r, "grad_bytes"), num(r, "activation_bytes"), num(r, "master_bytes"),
                    num(r, "skipped_steps"));

    if (data.size() == 2) {
        const tt::ImageDataset train = tt::read_packed(data[0]), test = tt::read_packed(data[1]);
        const int64_t n = std::min<int64_t>(train.count, quick ? 1000 : 4000);
        const tt::Json e = tt::profile_ensemble(train, test, 5, 32, n, 0, test.count, 2, 0.02);
        std::printf(
            "\n## Ensembles of %s, trained on images 0..%lld of %s, tested on all %lld of %s\n\n| members | "
            "accuracy | member alone | ms/example | bytes |\n|---|---|---|---|---|\n",
            e.find("architecture")->as_string().c_str(), static_cast<long long>(n - 1), data[0].c_str(),
            static_cast<long long>(test.count), data[1].c_str());
        for (const tt::Json& r : e.find("rows")->items())
            std::printf("| %.0f | %.4f | %.4f | %.4f | %.0f |\n", num(r, "members"), num(r, "accuracy"),
                        num(r, "member_accuracy"), num(r, "ms_per_example"), num(r, "parameter_bytes"));
    }
    return 0;
}
