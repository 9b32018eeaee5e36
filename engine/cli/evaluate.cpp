// Issue 17 — the class leaderboard's judge: `tt evaluate` scores one submitted model on a hidden set and prints one
// JSON line, which serve.py's leaderboard (leaderboard/evaluator.py) stores as it is. It runs in a subprocess with
// time and memory limits, so a hostile or broken file can only fail its own evaluation.
//
// Classifier tasks (mnist, fashion-mnist, cifar10): the safetensors file carries its architecture in the metadata
// "tt.arch" (models/classifier.h grammar), "tt.quant" when quantized (models/quantized_io.h: load_classifier reads
// float and quantized files alike) and optionally "tt.normalization" ({"mean": [C], "std": [C]}, applied
// to pixel / 255 per channel). Validation (--check-only, before the server queues anything) reads the header, parses
// the architecture, follows the task's input shape through it (the outputs must be the task's classes) and loads
// the state dict, which names any missing, unexpected or mis-shaped tensor. Evaluation adds the accuracy on the
// hidden set's first --public-count images (shown on the board now) and on the rest (shown at the end), the median
// batch-1 latency (tt::time_forward, one thread), the file's size and the process's peak resident memory.
// The TinyGPT task: metadata "tt.gpt" + "tt.vocab" (cli/tinygpt.h); the metric is bits per character over windows
// of the hidden text spread evenly over it (the public part: the first --public-count windows).
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "classifier.h"
#include "datasets.h"
#include "error.h"
#include "evaluate.h"
#include "grad_mode.h"
#include "json.h"
#include "metrics.h"
#include "parallel.h"
#include "quantized_io.h"
#include "safetensors.h"
#include "tinygpt.h"
#include "tokenizer.h"

namespace tt::cli {
namespace {

struct TaskShape {
    const char* name;
    int channels, height, width, classes;
};
// The classifier tasks: what a submission's network must take and give.
const TaskShape kTasks[] = {{"mnist", 1, 28, 28, 10}, {"fashion-mnist", 1, 28, 28, 10}, {"cifar10", 3, 32, 32, 10}};

const TaskShape* find_task(const std::string& name) {
    for (const TaskShape& t : kTasks)
        if (name == t.name) return &t;
    return nullptr;
}

int64_t peak_bytes() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return int64_t(u.ru_maxrss) * 1024;  // Linux reports kilobytes
}

// A submitted classifier: network, per-channel normalisation, and the parameter count.
struct Submitted {
    std::shared_ptr<nn::Sequential> net;
    std::vector<float> mean, std;  // empty: pixel / 255 as it is
    std::string arch;
};

std::vector<float> float_list(const Json& v, const char* key, int channels, const std::string& where) {
    const Json* list = v.find(key);
    TT_CHECK(list && list->is_array() && int(list->items().size()) == channels,
             where << ": \"" << key << "\" must be a list of " << channels << " numbers (one per channel)");
    std::vector<float> out;
    for (const Json& x : list->items()) {
        TT_CHECK(x.is_number(), where << ": \"" << key << "\" holds a value that is not a number");
        out.push_back(float(x.as_number()));
    }
    return out;
}

Submitted load_submitted(const std::vector<uint8_t>& bytes, const TaskShape& task, const std::string& source) {
    const auto meta = load_safetensors_metadata(bytes.data(), bytes.size(), source);
    const auto arch = meta.find("tt.arch");
    TT_CHECK(arch != meta.end(),
             source << ": the metadata has no \"tt.arch\" (the architecture line of "
                       "models/classifier.h, e.g. \"flatten linear:784:128 relu linear:128:10\")");
    Submitted s;
    s.arch = arch->second;
    const ClassifierShape out = check_architecture(s.arch, task.channels, task.height, task.width);
    TT_CHECK(out.classes == task.classes,
             source << ": the architecture gives " << out.classes << " outputs; task " << task.name << " has "
                    << task.classes << " classes");
    s.net = load_classifier(bytes, source);  // float or quantized (tt.quant, module 16), in eval mode
    const auto norm = meta.find("tt.normalization");
    if (norm != meta.end()) {
        const std::string where = source + ": metadata tt.normalization";
        const Json v = parse_json(norm->second, where);
        TT_CHECK(v.is_object(), where << " is not a JSON object {\"mean\": [...], \"std\": [...]}");
        s.mean = float_list(v, "mean", task.channels, where);
        s.std = float_list(v, "std", task.channels, where);
        for (float d : s.std) TT_CHECK(d > 0 && std::isfinite(d), where << ": every \"std\" must be > 0");
    }
    return s;
}

// Images [start, start + n) as the network's input [n, C, H, W].
Tensor batch_of(const ImageDataset& data, const Submitted& s, int64_t start, int64_t n) {
    Tensor x({n, int64_t(data.channels), int64_t(data.height), int64_t(data.width)});
    data.to_float(start, n, x.data());
    if (!s.mean.empty()) {
        const int64_t plane = int64_t(data.height) * data.width;
        for (int64_t b = 0; b < n; b++)
            for (int c = 0; c < data.channels; c++) {
                float* p = x.data() + (b * data.channels + c) * plane;
                for (int64_t i = 0; i < plane; i++) p[i] = (p[i] - s.mean[size_t(c)]) / s.std[size_t(c)];
            }
    }
    return x;
}

// Correct predictions among images [start, end), in batches of 256.
int64_t correct_in(const ImageDataset& data, Submitted& s, int64_t start, int64_t end) {
    autograd::NoGrad no_grad;
    int64_t correct = 0;
    for (int64_t b = start; b < end; b += 256) {
        const int64_t n = std::min<int64_t>(256, end - b);
        const std::vector<int64_t> predicted = nn::predict_classes((*s.net)(batch_of(data, s, b, n)));
        for (int64_t i = 0; i < n; i++) correct += predicted[size_t(i)] == data.label(b + i);
    }
    return correct;
}

Json part(int64_t correct, int64_t count) {
    Json j = Json::object();
    return j.set("correct", correct).set("count", count).set("accuracy", count ? double(correct) / double(count) : 0.0);
}

Json evaluate_classifier(const EvaluateOptions& o, const TaskShape& task, const std::vector<uint8_t>& bytes) {
    Submitted s = load_submitted(bytes, task, "the model");
    Json out = Json::object();
    out.set("task", task.name).set("arch", s.arch).set("parameters", s.net->parameter_count());
    if (o.check_only) return out;
    const ImageDataset data = read_packed(o.data);
    TT_CHECK(data.channels == task.channels && data.height == task.height && data.width == task.width &&
                 data.num_classes == task.classes,
             o.data << ": not a " << task.name << " set (" << data.channels << "x" << data.height << "x" << data.width
                    << ", " << data.num_classes << " classes)");
    const int64_t pub = o.public_count < 0 ? data.count : std::min(o.public_count, data.count);
    out.set("public", part(correct_in(data, s, 0, pub), pub));
    out.set("private", part(correct_in(data, s, pub, data.count), data.count - pub));
    autograd::NoGrad no_grad;
    out.set("latencyMs", time_forward(*s.net, batch_of(data, s, 0, 1), o.sample_seconds) * 1000.0);
    return out;
}

// TinyGPT: the hidden text as the model's token ids (every character must be in its vocabulary).
std::vector<int32_t> encode(const std::string& text, const std::vector<std::string>& vocab, const std::string& path) {
    std::vector<int32_t> ids;
    for (uint32_t ch : utf8_decode(text, path.c_str())) {
        std::string c;
        utf8_append(c, ch);
        const auto it = std::find(vocab.begin(), vocab.end(), c);
        TT_CHECK(it != vocab.end(),
                 "the model's tt.vocab lacks the character '"
                     << c << "' of the hidden text: train on the course's corpus vocabulary");
        ids.push_back(int32_t(it - vocab.begin()));
    }
    return ids;
}

// Mean nats per character over windows [first, last) of `starts`, in batches of 16.
double window_loss(GPT& model, const std::vector<int32_t>& ids, const std::vector<int64_t>& starts, size_t first,
                   size_t last) {
    const int64_t T = model.config.block_size;
    double sum = 0;
    for (size_t b = first; b < last; b += 16) {
        const size_t n = std::min<size_t>(16, last - b);
        Tensor x({int64_t(n), T}), y({int64_t(n), T});
        for (size_t w = 0; w < n; w++)
            for (int64_t t = 0; t < T; t++) {
                x.data()[int64_t(w) * T + t] = float(ids[size_t(starts[b + w] + t)]);
                y.data()[int64_t(w) * T + t] = float(ids[size_t(starts[b + w] + t + 1)]);
            }
        sum += double(GPT::loss(model(x), y).item()) * double(n);
    }
    return last > first ? sum / double(last - first) : 0.0;
}

Json evaluate_gpt(const EvaluateOptions& o, const std::vector<uint8_t>& bytes) {
    LoadedGPT loaded = load_gpt_bytes(bytes, "the model");
    GPT& model = *loaded.model;
    const int64_t T = model.config.block_size;
    TT_CHECK(T >= 8 && T <= 1024, "the model: block_size " << T << " is outside 8..1024");
    Json out = Json::object();
    out.set("task", "tinygpt").set("arch", loaded.config_text).set("parameters", model.parameter_count());
    if (o.check_only) return out;
    const std::vector<uint8_t> raw = read_file_bytes(o.data);
    const std::vector<int32_t> ids = encode(std::string(raw.begin(), raw.end()), loaded.vocab, o.data);
    const int64_t room = int64_t(ids.size()) - T - 1;
    TT_CHECK(room > 0, o.data << ": " << ids.size() << " characters, too short for windows of " << T + 1);
    const int64_t count = std::max<int64_t>(2, std::min<int64_t>(o.windows, room / T + 1));
    std::vector<int64_t> starts;
    for (int64_t i = 0; i < count; i++) starts.push_back(i * room / (count - 1));
    const size_t pub = o.public_count < 0 ? starts.size() : std::min<size_t>(size_t(o.public_count), starts.size());
    autograd::NoGrad no_grad;
    const double ln2 = std::log(2.0);
    Json pub_j = Json::object(), priv_j = Json::object();
    pub_j.set("windows", int64_t(pub)).set("bitsPerChar", window_loss(model, ids, starts, 0, pub) / ln2);
    priv_j.set("windows", int64_t(starts.size() - pub))
        .set("bitsPerChar", window_loss(model, ids, starts, pub, starts.size()) / ln2);
    out.set("public", pub_j).set("private", priv_j);
    Tensor one({1, T});
    for (int64_t t = 0; t < T; t++) one.data()[t] = float(ids[size_t(t)]);
    out.set("latencyMs", time_forward(model, one, o.sample_seconds) * 1000.0);
    return out;
}

}  // namespace

int evaluate(const EvaluateOptions& o) {
    set_num_threads(1);  // every submission timed alike, whatever else the server runs
    Json out;
    try {
        const std::vector<uint8_t> bytes = read_file_bytes(o.model);
        TT_CHECK(bytes.size() <= size_t(o.max_bytes),
                 "the model is " << bytes.size() << " bytes; the limit is " << o.max_bytes);
        if (o.task == "tinygpt") out = evaluate_gpt(o, bytes);
        else {
            const TaskShape* task = find_task(o.task);
            TT_CHECK(task, "unknown task '" << o.task << "'; tasks: mnist fashion-mnist cifar10 tinygpt");
            out = evaluate_classifier(o, *task, bytes);
        }
        out.set("bytes", int64_t(bytes.size()));
    } catch (const std::bad_alloc&) {  // an architecture far larger than the file, or than the memory limit
        Json err = Json::object();
        std::printf("%s\n",
                    err.set("ok", false).set("error", "the model needs more memory than the limit").dump().c_str());
        return 1;
    } catch (const Error& e) {
        Json err = Json::object();
        std::printf("%s\n", err.set("ok", false).set("error", std::string(e.what())).dump().c_str());
        return 1;
    }
    out.set("peakBytes", peak_bytes());
    Json ok = Json::object();
    ok.set("ok", true);
    for (const auto& m : out.members()) ok.set(m.first, m.second);
    std::printf("%s\n", ok.dump().c_str());
    return 0;
}

}  // namespace tt::cli
