// Milestone 2 on the student's own build: the CNN page's training loop (models/cnn_trainer.h, the loop the reference
// engine's worker runs) as a plain program, built in the page from the student's modules and run one chunk of steps
// per Run (web/js/milestones/cnn-training/own-train.mjs). Pause finishes the chunk; the next chunk starts from the
// checkpoint the last one wrote.
//   train_cnn <job.json> <train.ttds> <validation.ttds> <out-checkpoint> [in-checkpoint]
// job.json: {architecture, inputShape: "1x28x28", options: {lr, batchSize, epochs, seed, ...} (the page's keys),
//            until: the step this chunk ends at, slice: steps per progress line}
// The data: the page's .ttds files cut to the images the run uses (datasets.h's packed format).
// stdout: one JSON object per line, the page worker's messages: ready, progress (one per slice), epoch (at an epoch's
// end, with the validation loss and accuracy), and last {"type": "chunk-done", "step": N, "finished": bool}.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cnn_trainer.h"
#include "datasets.h"
#include "error.h"
#include "json.h"

namespace {

double number(const tt::Json& j, const char* key, double fallback) {
    const tt::Json* v = j.find(key);
    if (!v || v->is_null()) return fallback;
    TT_CHECK(v->is_number(), "job: '" << key << "' must be a number");
    return v->as_number();
}

std::string text(const tt::Json& j, const char* key) {
    const tt::Json* v = j.find(key);
    TT_CHECK(v && v->is_string(), "job: '" << key << "' must be a string");
    return v->as_string();
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    TT_CHECK(f, path << ": cannot write");
    TT_CHECK(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(), path << ": short write");
    std::fclose(f);
}

void emit(const tt::Json& line) {
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);  // the page draws each line as it comes
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr,
                     "usage: train_cnn <job.json> <train.ttds> <validation.ttds> <out-checkpoint> [in-checkpoint]\n");
        return 2;
    }
    const std::vector<uint8_t> job_bytes = tt::read_file_bytes(argv[1]);
    const tt::Json job = tt::parse_json(std::string(job_bytes.begin(), job_bytes.end()), argv[1]);
    TT_CHECK(job.is_object() && job.find("options"), argv[1] << ": needs architecture, inputShape and options");
    tt::CNNTrainer trainer(text(job, "architecture"), text(job, "inputShape"),
                           tt::CNNTrainerOptions::from_json(*job.find("options")));
    trainer.set_data("train", tt::read_packed(argv[2]));
    trainer.set_data("validation", tt::read_packed(argv[3]));
    if (argc > 5) trainer.load_checkpoint(tt::read_file_bytes(argv[5]));
    emit(tt::Json::object()
             .set("type", "ready")
             .set("step", trainer.step())
             .set("epoch", trainer.epoch())
             .set("stepsPerEpoch", trainer.steps_per_epoch())
             .set("totalSteps", trainer.total_steps())
             .set("trainCount", trainer.data("train").count)
             .set("validationCount", trainer.data("validation").count));

    const int64_t until = std::min(trainer.total_steps(), int64_t(number(job, "until", double(trainer.total_steps()))));
    const int slice = std::max(1, int(number(job, "slice", 5)));
    while (trainer.step() < until) {
        const auto t0 = std::chrono::steady_clock::now();
        const tt::CNNStepResult r = trainer.train_steps(int(std::min<int64_t>(slice, until - trainer.step())));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        emit(tt::Json::object()
                 .set("type", "progress")
                 .set("step", trainer.step())
                 .set("epoch", trainer.epoch())
                 .set("totalSteps", trainer.total_steps())
                 .set("stepsPerEpoch", trainer.steps_per_epoch())
                 .set("loss", r.loss)
                 .set("acc", r.samples ? double(r.correct) / double(r.samples) : 0.0)
                 .set("lr", r.lr)
                 .set("samples", r.samples)
                 .set("seconds", seconds));
        if (r.epoch_end) {  // as the worker: the validation set after every epoch
            const tt::CNNEvalResult v = trainer.evaluate("validation", 0, -1);
            emit(tt::Json::object()
                     .set("type", "epoch")
                     .set("epoch", trainer.epoch())
                     .set("step", trainer.step())
                     .set("validation",
                          tt::Json::object().set("loss", v.loss).set("acc", double(v.correct) / double(v.count))));
        }
    }
    write_file(argv[4], trainer.save_checkpoint());
    emit(tt::Json::object().set("type", "chunk-done").set("step", trainer.step()).set("finished", trainer.finished()));
    return 0;
}
