// Milestone 3 on the student's own build: the TinyGPT page's training loop (models/gpt_trainer.h, the loop the
// reference engine's binding runs) as a plain program, built in the page from the student's modules and run one
// chunk of steps per Run (web/js/milestones/tinygpt/own-train.mjs). Pause finishes the chunk; the next chunk starts
// from the checkpoint the last one wrote.
//   train_gpt <job.json> <corpus.txt> <out-checkpoint> [in-checkpoint]
// Besides the checkpoint it writes <out-checkpoint>.weights: the weights alone in the asset's format (the download).
// job.json: {config: {block_size, n_layer, n_head, n_embd, tie_weights}, options: {batch, lr, maxSteps, seed, ...},
//            until: the step this chunk ends at, slice: steps per progress line, evalEvery, sampleEvery}
// stdout: one JSON object per line, the page worker's messages: train-started, progress (one per slice),
// validation, sample, checkpoint, and last {"type": "chunk-done", "step": N}.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "error.h"
#include "gpt_asset.h"
#include "gpt_trainer.h"
#include "grad_mode.h"
#include "safetensors.h"
#include "tokenizer.h"

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    TT_CHECK(in, path << ": cannot open");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

double number(const tt::Json& j, const char* key, double fallback) {
    const tt::Json* v = j.find(key);
    if (!v || v->is_null()) return fallback;
    TT_CHECK(v->is_number(), "job: '" << key << "' must be a number");
    return v->as_number();
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    TT_CHECK(f, path << ": cannot write");
    TT_CHECK(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(), path << ": short write");
    std::fclose(f);
}

void emit(const tt::Json& line) { std::printf("%s\n", line.dump().c_str()); }

std::string text_of(const std::vector<uint32_t>& vocab, const tt::Tensor& ids, int64_t from) {
    std::string out;
    const std::vector<float> v = ids.contiguous().to_vector();
    for (size_t i = size_t(from); i < v.size(); ++i) tt::utf8_append(out, vocab[size_t(v[i])]);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: train_gpt <job.json> <corpus.txt> <out-checkpoint> [in-checkpoint]\n");
        return 2;
    }
    const tt::Json job = tt::parse_json(read_file(argv[1]), argv[1]);
    TT_CHECK(job.is_object() && job.find("config") && job.find("options"), argv[1] << ": needs config and options");
    const std::string text = read_file(argv[2]);
    std::vector<uint8_t> saved;
    if (argc > 4) {
        const std::string bytes = read_file(argv[4]);
        saved.assign(bytes.begin(), bytes.end());
    }

    // A new model is built as the reference engine's TinyGPT.create does (Generator(seed), the text's characters);
    // a resumed one from its checkpoint's header, whose vocabulary the text must fit.
    tt::GPTConfig config;
    std::vector<uint32_t> vocab;
    const tt::GPTTrainOptions options = tt::GPTTrainOptions::from_json(*job.find("options"), tt::GPTTrainOptions{});
    if (saved.empty()) {
        config = tt::gpt_config_from_json(*job.find("config"), "job config", false);
        vocab = tt::char_vocab(text);
        config.vocab_size = int64_t(vocab.size());
    } else {
        const tt::GPTAssetHeader header = tt::read_gpt_asset_header(saved.data(), saved.size(), argv[4]);
        config = header.config;
        vocab = header.vocab;
    }
    tt::Generator init(options.seed);
    tt::GPT model(config, init);
    model.eval();
    tt::GPTTrainer trainer(model, tt::char_ids(text, vocab), options);
    if (!saved.empty()) trainer.load_checkpoint(saved, argv[4]);

    std::string vocab_text;
    for (uint32_t c : vocab) tt::utf8_append(vocab_text, c);
    const tt::Json split = trainer.split_summary();
    emit(tt::Json::object()
             .set("type", "train-started")
             .set("split", split)
             .set("config", tt::gpt_config_json(config))
             .set("vocab", vocab_text)
             .set("parameters", model.parameter_count())
             .set("step", trainer.steps_done())
             .set("resumed", !saved.empty()));

    const int64_t max_steps = options.max_steps;
    const int64_t until = std::min<int64_t>(max_steps, int64_t(number(job, "until", double(max_steps))));
    const int64_t slice = std::max<int64_t>(1, int64_t(number(job, "slice", 5)));
    const int64_t eval_every = std::max<int64_t>(1, int64_t(number(job, "evalEvery", 100)));
    const int64_t sample_every = std::max<int64_t>(1, int64_t(number(job, "sampleEvery", 200)));
    const std::vector<uint32_t>::const_iterator newline = std::find(vocab.begin(), vocab.end(), uint32_t('\n'));
    const int64_t prompt = newline != vocab.end() ? int64_t(newline - vocab.begin()) : 0;  // as the page's sample
    while (trainer.steps_done() < until) {
        const int k = int(std::min(slice, until - trainer.steps_done()));
        const tt::GPTStepReport r = trainer.step(k);
        const int64_t step = trainer.steps_done();
        TT_CHECK(std::isfinite(r.loss),
                 "the training loss is " << r.loss << " at step " << step
                                         << ": a forward or backward pass produced NaN or inf");
        emit(tt::Json::object()
                 .set("type", "progress")
                 .set("step", step)
                 .set("loss", r.loss)
                 .set("lr", r.lr)
                 .set("tokensPerSec", double(r.tokens) / std::max(r.seconds, 1e-9))
                 .set("maxSteps", max_steps));
        if (step % eval_every < slice || step >= max_steps) {
            const double val = trainer.evaluate();
            TT_CHECK(std::isfinite(val), "the validation loss is " << val << " at step " << step);
            emit(tt::Json::object().set("type", "validation").set("step", step).set("loss", val));
        }
        if (step % sample_every < slice) {
            tt::autograd::NoGrad no_grad;
            tt::Generator gen{uint64_t(step)};
            tt::SamplingOptions sampling;
            sampling.temperature = 0.8f;
            const tt::Tensor idx({1, 1}, std::vector<float>{float(prompt)});
            const tt::Tensor out = model.generate(idx, 120, sampling, gen, /*use_cache=*/false);
            emit(tt::Json::object().set("type", "sample").set("step", step).set("text", text_of(vocab, out, 1)));
        }
    }

    // The checkpoint the next chunk (or a reload) resumes from, with the model's header: the reference engine opens
    // it too (TinyGPT.fromCheckpoint).
    const std::vector<uint8_t> bytes = trainer.save_checkpoint(tt::gpt_asset_metadata(config, vocab));
    write_file(argv[3], bytes);
    write_file(std::string(argv[3]) + ".weights",
               tt::save_safetensors(model.state_dict(), tt::gpt_asset_metadata(config, vocab)));
    emit(tt::Json::object().set("type", "checkpoint").set("step", trainer.steps_done()).set("bytes", bytes.size()));
    emit(tt::Json::object().set("type", "chunk-done").set("step", trainer.steps_done()));
    return 0;
}
