// tt_bench_gpt: modules 13-14's benchmark, natively: causal attention time and memory against the sequence length,
// GPT generation with and without the KV cache (64, 256, 512 tokens), parameters per component, and training
// tokens/s (forward + backward + AdamW) for the config bench/gpt_torch.py runs in PyTorch. One JSON object on stdout.
//   tt_bench_gpt [--quick]
#include <cstdio>
#include <string>
#include <vector>

#include "gpt.h"
#include "gpt_profile.h"
#include "json.h"
#include "profile.h"

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
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
    out.set("attention",
            tt::profile_attention(quick ? std::vector<int64_t>{64, 256} : std::vector<int64_t>{64, 128, 256, 512, 1024},
                                  4, 32));
    out.set("parameters", tt::profile_parameters(model));
    out.set("training", tt::profile_training(model, 8, 64, quick ? 3 : 10));
    out.set("decoding",
            tt::profile_decoding(model, quick ? std::vector<int64_t>{64} : std::vector<int64_t>{64, 256, 512}));
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
