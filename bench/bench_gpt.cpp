// tt_bench_gpt: modules 13-14's benchmark, natively: causal attention time and memory against the sequence length,
// GPT generation with and without the KV cache (64, 256, 512 tokens), parameters per component, and training
// tokens/s (forward + backward + AdamW) for the config bench/gpt_torch.py runs in PyTorch. One JSON object on stdout.
//   tt_bench_gpt [--quick | --attention]   (--attention: the attention rows only)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "elementwise.h"
#include "gpt.h"
#include "gpt_profile.h"
#include "json.h"
#include "layer_norm.h"
#include "profile.h"

namespace {

// The variance of 256 floats near `offset` with spread 0.01 (test_14's case), three ways: exact (double), two
// passes in float (the layer_norm kernel), one pass E[x^2] - E[x]^2 in float.
tt::Json variance_case(float offset) {
    tt::Tensor x = tt::add(tt::mul(tt::randn({256}, 7), tt::scalar(0.01f)), tt::scalar(offset));
    double mean = 0, var = 0;
    for (int64_t i = 0; i < 256; ++i) mean += x.data()[i] / 256.0;
    for (int64_t i = 0; i < 256; ++i) var += (x.data()[i] - mean) * (x.data()[i] - mean) / 256.0;
    tt::Tensor y({256});
    float m = 0, rstd = 0;
    tt::layer_norm_forward(x.data(), nullptr, nullptr, 1, 256, 1e-12f, y.data(), &m, &rstd);
    return tt::Json::object()
        .set("offset", offset)
        .set("exact", var)
        .set("two_pass", 1.0 / (static_cast<double>(rstd) * rstd))
        .set("one_pass", static_cast<double>(tt::naive_variance(x.data(), 256)));
}

}  // namespace

tt::Json only_row(const tt::Json& report) { return report.find("rows")->items().at(0); }

// Runs one section and records it with the share of its wall time this process was on a CPU: the engine runs on one
// thread, so on shared, loaded cores wall x cpu_share estimates what the section would take on an idle machine.
template <typename Fn>
tt::Json timed_section(Fn fn) {
    const std::clock_t c0 = std::clock();
    const auto w0 = std::chrono::steady_clock::now();
    tt::Json out = fn();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    return out.set("cpu_share", wall > 0 ? std::min(1.0, cpu / wall) : 1.0);
}

int main(int argc, char** argv) {
    const std::string flag = argc > 1 ? argv[1] : "";
    const bool quick = flag == "--quick", only_attention = flag == "--attention";
    // The config bench/gpt_torch.py builds too: a character-level model (65 symbols) with 4 blocks of width 128.
    tt::GPTConfig config;
    config.vocab_size = 65, config.block_size = 1024, config.n_layer = 4, config.n_head = 4, config.n_embd = 128;
    tt::Generator gen(0);
    tt::GPT model(config, gen);
    tt::Json out = tt::Json::object();
    out.set("simd", tt::environment().simd_arch);
    out.set("config",
            tt::Json::object()
                .set("vocab_size", config.vocab_size)
                .set("block_size", config.block_size)
                .set("n_layer", config.n_layer)
                .set("n_head", config.n_head)
                .set("n_embd", config.n_embd));
    // One timed section per row, so each row carries the CPU share of its own run.
    const std::vector<int64_t> lengths =
        quick ? std::vector<int64_t>{64, 256} : std::vector<int64_t>{64, 128, 256, 512, 1024};
    tt::Json attention = tt::Json::array();
    for (int64_t T : lengths)
        attention.push_back(timed_section([&] { return only_row(tt::profile_attention({T}, 4, 32)); }));
    out.set("attention", attention);
    if (only_attention) {
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }
    out.set("parameters", tt::profile_parameters(model));
    out.set("memory",
            tt::profile_memory(model, 8, quick ? std::vector<int64_t>{64} : std::vector<int64_t>{64, 128, 256, 512}));
    out.set("variance", tt::Json::array({variance_case(0.0f), variance_case(10.0f), variance_case(1000.0f)}));
    out.set("residual", tt::profile_residual_gradients({1, 4, 16, 32}));
    out.set("training", timed_section([&] { return tt::profile_training(model, 8, 64, quick ? 3 : 10); }));
    tt::Json decoding = tt::Json::array();
    for (int64_t n : quick ? std::vector<int64_t>{64} : std::vector<int64_t>{64, 256, 512})
        decoding.push_back(timed_section([&] { return only_row(tt::profile_decoding(model, {n})); }));
    out.set("decoding", decoding);
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
