// `tt train <recipe>` and `tt eval <recipe|file.safetensors>`: the seeded native trainer behind assets/.
//
// Training is the layer-level protocol of modules 04/05 (Sequential::forward / backward) plus the two pieces that
// modules 08/09 will later provide, written here in their plainest form: softmax cross-entropy and SGD with
// momentum (and weight decay), with a cosine learning-rate decay. Everything random (initial weights, shuffling,
// augmentation) comes from one SplitMix64 stream seeded by the recipe, so a re-run reproduces the file bit for bit.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "classifier.h"
#include "datasets.h"
#include "error.h"
#include "recipes.h"
#include "safetensors.h"

namespace tt::cli {
namespace {

struct Options {
    std::string data_dir = "build/datasets";
    std::string cifar_dir = "build/cifar10/cifar-10-batches-bin";  // where datasets/download-cifar10.sh unpacks
    std::string out_dir = "assets";
    int epochs = -1;          // -1: the recipe's
    int64_t limit = -1;       // use only the first `limit` training images (quick runs, tests)
    std::string weights;       // eval/predict: a .safetensors file instead of <out>/<recipe>.safetensors
    bool quiet = false;
};

struct Rng {  // SplitMix64
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int64_t below(int64_t n) { return int64_t(next() % uint64_t(n)); }
};

ImageDataset xor_set() {
    ImageDataset d;
    d.count = 4, d.channels = 1, d.height = 1, d.width = 2, d.num_classes = 2;
    d.pixels = {0, 0, 0, 255, 255, 0, 255, 255};  // inputs 0/1 after the /255 scaling
    d.labels = {0, 1, 1, 0};
    return d;
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

ImageDataset load_split(const std::string& dataset, const std::string& split, const Options& o) {
    if (dataset == "xor") return xor_set();
    if (dataset == "cifar10") {
        const std::string base = o.cifar_dir + "/";
        std::vector<std::string> files;
        if (split == "test") files = {base + "test_batch.bin"};
        else for (int i = 1; i <= 5; i++) files.push_back(base + "data_batch_" + std::to_string(i) + ".bin");
        TT_CHECK(exists(files[0]), "CIFAR-10 is not in " << o.cifar_dir << ": it is optional and not bundled; with "
                                   "internet, run datasets/download-cifar10.sh first (or pass --cifar DIR)");
        return read_cifar10(files);
    }
    const std::string path = o.data_dir + "/" + dataset + "-" + split + ".ttds";
    TT_CHECK(exists(path), path << " is missing: build the data sets first (cmake --build build/native --target "
                                   "datasets, or make native)");
    return read_packed(path);
}

// Random translation by (dy, dx) pixels with zero fill, in place on one (C, H, W) image.
void shift_image(float* img, int C, int H, int W, int dy, int dx, std::vector<float>& tmp) {
    tmp.assign(img, img + int64_t(C) * H * W);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                const int sy = y - dy, sx = x - dx;
                img[(c * H + y) * W + x] = (sy >= 0 && sy < H && sx >= 0 && sx < W) ? tmp[(c * H + sy) * W + sx] : 0.0f;
            }
}

// Mean softmax cross-entropy over the batch; writes dL/dlogits.
double cross_entropy(const Tensor& logits, const uint8_t* labels, const int64_t* idx, int B, int K,
                     std::vector<float>& dlogits) {
    dlogits.resize(size_t(B) * K);
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        const float* z = logits.data() + b * K;
        const float m = *std::max_element(z, z + K);  // subtract the max: exp never overflows
        double sum = 0.0;
        for (int k = 0; k < K; k++) sum += std::exp(double(z[k] - m));
        const int y = labels[idx[b]];
        loss += std::log(sum) - double(z[y] - m);
        for (int k = 0; k < K; k++)
            dlogits[size_t(b * K + k)] = float((std::exp(double(z[k] - m)) / sum - (k == y)) / B);
    }
    return loss / B;
}

struct Accuracy {
    int64_t correct = 0, total = 0;
    double percent() const { return total ? 100.0 * double(correct) / double(total) : 0.0; }
};

// A recipe's network and the shape of its examples.
struct Model {
    std::shared_ptr<nn::Sequential> net;
    ClassifierShape shape;

    // x: n examples (n * C * H * W floats) -> logits [n, classes]
    Tensor forward(const float* x, int n) {
        Tensor input({n, shape.channels, shape.height, shape.width},
                     std::vector<float>(x, x + int64_t(n) * shape.channels * shape.height * shape.width));
        return net->forward(input).contiguous();
    }
};

Model make_model(const Recipe& r, const ImageDataset& like, uint64_t seed) {
    Generator gen(seed);
    Model m{build_classifier(r.architecture, gen),
            check_architecture(r.architecture, like.channels, like.height, like.width)};
    TT_CHECK(m.shape.classes == like.num_classes, r.name << ": the model has " << m.shape.classes << " outputs for "
                                                          << like.num_classes << " classes");
    return m;
}

Accuracy evaluate(Model& model, const ImageDataset& data) {
    Accuracy acc;
    const int B = 256, K = model.shape.classes;  // the web pages use the same batches (same sums, same results)
    std::vector<float> x;
    for (int64_t start = 0; start < data.count; start += B) {
        const int n = int(std::min<int64_t>(B, data.count - start));
        x.resize(size_t(n) * data.image_size());
        data.to_float(start, n, x.data());
        const Tensor logits = model.forward(x.data(), n);
        for (int b = 0; b < n; b++) {
            const float* z = logits.data() + b * K;
            acc.correct += (std::max_element(z, z + K) - z) == data.labels[size_t(start + b)];
        }
        acc.total += n;
    }
    return acc;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); i++) out += (i ? sep : "") + v[i];
    return out;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
}

void write_file(const std::string& path, const void* data, size_t size) {
    std::ofstream f(path, std::ios::binary);
    TT_CHECK(f.good(), path << ": cannot create (does the folder exist?)");
    f.write(static_cast<const char*>(data), std::streamsize(size));
    TT_CHECK(f.good(), path << ": write failed");
}

const Recipe& recipe_named(const std::string& name) {
    const Recipe* found = find_recipe(name);
    std::string names;
    for (const Recipe& r : recipes()) names += " " + r.name;
    TT_CHECK(found, "unknown recipe '" << name << "'; recipes:" << names);
    return *found;
}

Model load_asset(const Recipe& r, const std::string& path, const Options& o) {
    TT_CHECK(exists(path), path << ": cannot open (train it with: tt train " << r.name << ")");
    const ImageDataset test = load_split(r.dataset, "test", o);
    Model m = make_model(r, test, 0);
    m.net->load_state_dict(load_safetensors_file(path));
    return m;
}

// assets/index.json: the assets present (one per model card), so pages can tell "not trained" from "failed".
void write_index(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::filesystem::path p = entry.path();
        if (p.extension() == ".json" && p.stem() != "index" &&
            std::filesystem::exists(std::filesystem::path(dir) / (p.stem().string() + ".safetensors")))
            names.push_back(p.stem().string());
    }
    std::sort(names.begin(), names.end());
    std::string text = "[\n";
    for (size_t i = 0; i < names.size(); i++)
        text += "  {\"name\": " + json_string(names[i]) + ", \"card\": " + json_string(names[i] + ".json") + "}" +
                (i + 1 < names.size() ? ",\n" : "\n");
    text += "]\n";
    write_file(dir + "/index.json", text.data(), text.size());
}

bool parse_options(int argc, char** argv, int first, Options& o) {
    for (int i = first; i < argc; i++) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            TT_CHECK(i + 1 < argc, a << " needs a value");
            return argv[++i];
        };
        if (a == "--data") o.data_dir = value();
        else if (a == "--out") o.out_dir = value();
        else if (a == "--epochs") o.epochs = std::stoi(value());
        else if (a == "--limit") o.limit = std::stoll(value());
        else if (a == "--weights") o.weights = value();
        else if (a == "--cifar") o.cifar_dir = value();
        else if (a == "--quiet") o.quiet = true;
        else TT_CHECK(false, "unknown option " << a << " (--data DIR, --cifar DIR, --out DIR, --weights FILE, --epochs N, --limit N, --quiet)");
    }
    return true;
}

}  // namespace

int cmd_train(int argc, char** argv) {
    TT_CHECK(argc >= 3, "usage: tt train <recipe> [--epochs N] [--limit N] [--data DIR] [--out DIR]");
    Recipe r = recipe_named(argv[2]);
    Options o;
    parse_options(argc, argv, 3, o);
    // The command recorded in the card names only what changes the weights (not --out, --data, --quiet).
    std::string command = "tt train " + r.name;
    if (o.epochs > 0) command += " --epochs " + std::to_string(o.epochs), r.epochs = o.epochs;
    if (o.limit > 0) command += " --limit " + std::to_string(o.limit);

    ImageDataset train = load_split(r.dataset, "train", o);
    const ImageDataset test = load_split(r.dataset, "test", o);
    if (o.limit > 0 && o.limit < train.count) {
        train.count = o.limit;
        train.labels.resize(size_t(o.limit));
        train.pixels.resize(size_t(o.limit * train.image_size()));
    }
    Model model = make_model(r, train, r.seed);
    const auto params = model.net->named_parameters();
    Rng rng{r.seed ^ 0xDA7A5E7ull};
    std::printf("train %s: %s on %s (%lld train / %lld test images), %lld parameters, %d epochs\n", r.name.c_str(),
                r.architecture.c_str(), r.dataset.c_str(), (long long)train.count, (long long)test.count,
                (long long)model.net->parameter_count(), r.epochs);

    std::vector<std::vector<float>> velocity;
    for (const auto& np : params) velocity.emplace_back(size_t(np.second->value.numel()), 0.0f);
    std::vector<int64_t> order(size_t(train.count));
    std::vector<float> x, dlogits, tmp;
    const int B = std::min<int>(r.batch_size, int(train.count)), K = model.shape.classes;
    const int64_t steps_per_epoch = (train.count + B - 1) / B, total_steps = steps_per_epoch * r.epochs;
    int64_t step = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int epoch = 1; epoch <= r.epochs; epoch++) {
        for (int64_t i = 0; i < train.count; i++) order[size_t(i)] = i;
        for (int64_t i = train.count - 1; i > 0; i--) std::swap(order[size_t(i)], order[size_t(rng.below(i + 1))]);
        double loss_sum = 0.0;
        for (int64_t start = 0; start < train.count; start += B, step++) {
            const int n = int(std::min<int64_t>(B, train.count - start));
            const int64_t* idx = order.data() + start;
            x.resize(size_t(n) * train.image_size());
            train.gather_float(idx, n, x.data());
            for (int b = 0; r.shift > 0 && b < n; b++) {
                const int dy = int(rng.below(2 * r.shift + 1)) - r.shift, dx = int(rng.below(2 * r.shift + 1)) - r.shift;
                shift_image(x.data() + b * train.image_size(), train.channels, train.height, train.width, dy, dx, tmp);
            }
            const Tensor logits = model.forward(x.data(), n);
            loss_sum += cross_entropy(logits, train.labels.data(), idx, n, K, dlogits) * n;
            model.net->zero_grad();
            model.net->backward(Tensor({n, K}, dlogits));
            // SGD with momentum:  v = momentum * v + (grad + wd * w);  w -= lr * v   (PyTorch's formulation)
            const float lr = r.lr * 0.5f * (1.0f + std::cos(3.14159265f * float(step) / float(total_steps)));
            for (size_t p = 0; p < params.size(); p++) {
                nn::Parameter& P = *params[p].second;
                const float wd = P.value.dim() > 1 ? r.weight_decay : 0.0f;  // no decay on biases
                float* w = P.value.data();
                const float* g = P.grad.data();
                for (size_t i = 0; i < velocity[p].size(); i++) {
                    float& v = velocity[p][i];
                    v = r.momentum * v + g[i] + wd * w[i];
                    w[i] -= lr * v;
                }
            }
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if ((!o.quiet && (r.epochs <= 20 || epoch % (r.epochs / 10) == 0)) || epoch == r.epochs) {
            const Accuracy acc = evaluate(model, test);
            std::printf("  epoch %3d/%d  loss %.4f  test %lld/%lld = %.2f%%  (%.1f s)\n", epoch, r.epochs,
                        loss_sum / double(train.count), (long long)acc.correct, (long long)acc.total, acc.percent(),
                        secs);
            std::fflush(stdout);
        }
    }
    const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const Accuracy acc = evaluate(model, test);

    const std::vector<uint8_t> bytes = save_safetensors(model.net->state_dict());
    const std::string stem = o.out_dir + "/" + r.name;
    write_file(stem + ".safetensors", bytes.data(), bytes.size());

    char accuracy[32], lr[32], wd[32], mom[32], secs[32];
    std::snprintf(accuracy, sizeof accuracy, "%.2f", acc.percent());
    std::snprintf(lr, sizeof lr, "%g", double(r.lr));
    std::snprintf(wd, sizeof wd, "%g", double(r.weight_decay));
    std::snprintf(mom, sizeof mom, "%g", double(r.momentum));
    std::snprintf(secs, sizeof secs, "%.1f", train_seconds);
    std::string classes;
    for (size_t i = 0; i < r.classes.size(); i++) classes += (i ? ", " : "") + json_string(r.classes[i]);
    const std::string input_shape = std::to_string(train.channels) + "x" + std::to_string(train.height) + "x" +
                                    std::to_string(train.width);
    const std::string card =
        "{\n  \"name\": " + json_string(r.name) + ",\n  \"weights\": " + json_string(r.name + ".safetensors") +
        ",\n  \"architecture\": " + json_string(r.architecture) + ",\n  \"input_shape\": " +
        json_string(input_shape) + ",\n  \"parameters\": " + std::to_string(model.net->parameter_count()) +
        ",\n  \"bytes\": " + std::to_string(bytes.size()) + ",\n  \"classes\": [" + classes + "]" +
        ",\n  \"data\": {\"dataset\": " + json_string(r.dataset) + ", \"train_examples\": " +
        std::to_string(train.count) + ", \"test_examples\": " + std::to_string(test.count) +
        ", \"preprocessing\": \"pixel / 255\"}" + ",\n  \"training\": {\"seed\": " + std::to_string(r.seed) +
        ", \"epochs\": " + std::to_string(r.epochs) + ", \"batch_size\": " + std::to_string(r.batch_size) +
        ", \"optimizer\": \"SGD momentum " + mom + ", weight decay " + wd + "\", \"lr\": " + lr +
        ", \"lr_schedule\": \"cosine to 0\", \"loss\": \"softmax cross-entropy\", \"augmentation\": " +
        json_string(r.shift ? "random shifts up to " + std::to_string(r.shift) + " px" : "none") +
        ", \"seconds\": " + secs + "}" + ",\n  \"test_correct\": " + std::to_string(acc.correct) +
        ",\n  \"test_count\": " + std::to_string(acc.total) + ",\n  \"test_accuracy_percent\": " + accuracy +
        ",\n  \"command\": " + json_string(command) + ",\n  \"engine\": \"native, single thread\"\n}\n";
    write_file(stem + ".json", card.data(), card.size());
    write_index(o.out_dir);
    std::printf("wrote %s.safetensors (%zu bytes) and %s.json: test accuracy %lld/%lld = %s%% in %s s\n",
                stem.c_str(), bytes.size(), stem.c_str(), (long long)acc.correct, (long long)acc.total, accuracy,
                secs);
    return 0;
}

// `tt predict <recipe> <index>...`: the class the model gives held-out images (what the browser test compares).
int cmd_predict(int argc, char** argv) {
    TT_CHECK(argc >= 4, "usage: tt predict <recipe> <test image index>... [--weights FILE] [--data DIR]");
    const Recipe& r = recipe_named(argv[2]);
    Options o;
    std::vector<int64_t> indices;
    int i = 3;
    for (; i < argc && argv[i][0] != '-'; i++) indices.push_back(std::stoll(argv[i]));
    parse_options(argc, argv, i, o);
    Model model = load_asset(r, o.weights.empty() ? o.out_dir + "/" + r.name + ".safetensors" : o.weights, o);
    const ImageDataset test = load_split(r.dataset, "test", o);
    std::vector<float> x(size_t(test.image_size()));
    for (int64_t index : indices) {
        test.to_float(index, 1, x.data());
        const Tensor z = model.forward(x.data(), 1);
        const int predicted = int(std::max_element(z.data(), z.data() + model.shape.classes) - z.data());
        std::printf("%lld label %d predicted %d\n", (long long)index, test.label(index), predicted);
    }
    return 0;
}

int cmd_eval(int argc, char** argv) {
    TT_CHECK(argc >= 3, "usage: tt eval <recipe> [--weights FILE] [--data DIR] [--limit N]");
    const Recipe& r = recipe_named(argv[2]);
    Options o;
    parse_options(argc, argv, 3, o);
    const std::string path = o.weights.empty() ? o.out_dir + "/" + r.name + ".safetensors" : o.weights;
    Model model = load_asset(r, path, o);
    ImageDataset test = load_split(r.dataset, "test", o);
    if (o.limit > 0 && o.limit < test.count) {
        test.count = o.limit;
        test.labels.resize(size_t(o.limit));
        test.pixels.resize(size_t(o.limit * test.image_size()));
    }
    const auto t0 = std::chrono::steady_clock::now();
    const Accuracy acc = evaluate(model, test);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s: %s on %s test: %lld/%lld = %.2f%% in %.0f ms\n", path.c_str(), r.architecture.c_str(),
                r.dataset.c_str(), (long long)acc.correct, (long long)acc.total, acc.percent(), ms);
    return 0;
}

}  // namespace tt::cli
