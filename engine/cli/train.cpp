// `tt train <recipe>`, `tt eval <recipe>`, `tt predict <recipe> <index>...`: the seeded native trainer behind
// assets/ (their command lines: tt.cpp).
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
#include "json.h"
#include "recipes.h"
#include "safetensors.h"

namespace tt::cli {
namespace {

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

ImageDataset load_split(const std::string& dataset, const std::string& split, const RecipeOptions& o) {
    if (dataset == "xor") return xor_set();
    if (dataset == "cifar10") {
        const std::string base = o.cifar_dir + "/";
        std::vector<std::string> files;
        if (split == "test") files = {base + "test_batch.bin"};
        else
            for (int i = 1; i <= 5; i++) files.push_back(base + "data_batch_" + std::to_string(i) + ".bin");
        TT_CHECK(exists(files[0]),
                 "CIFAR-10 is not in " << o.cifar_dir
                                       << ": it is optional and not bundled; with "
                                          "internet, run datasets/download-cifar10.sh first (or pass --cifar DIR)");
        return read_cifar10(files);
    }
    const std::string path = o.data_dir + "/" + dataset + "-" + split + ".ttds";
    TT_CHECK(exists(path),
             path << " is missing: build the data sets first (cmake --build build/native --target "
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
    TT_CHECK(m.shape.classes == like.num_classes,
             r.name << ": the model has " << m.shape.classes << " outputs for " << like.num_classes << " classes");
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

Model load_asset(const Recipe& r, const std::string& path, const RecipeOptions& o) {
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
    Json index = Json::array();
    for (const std::string& name : names) {
        Json entry = Json::object();
        index.push_back(entry.set("name", name).set("card", name + ".json"));
    }
    const std::string text = index.dump(2) + "\n";
    write_file(dir + "/index.json", text.data(), text.size());
}

}  // namespace

int train(const std::string& recipe, const RecipeOptions& o) {
    Recipe r = recipe_named(recipe);
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
                const int dy = int(rng.below(2 * r.shift + 1)) - r.shift,
                          dx = int(rng.below(2 * r.shift + 1)) - r.shift;
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

    // Rounded to what a reader wants to see: 96.95 (%), 3.8 (s).
    const double accuracy = std::round(acc.percent() * 100.0) / 100.0;
    const double seconds = std::round(train_seconds * 10.0) / 10.0;
    Json classes = Json::array();
    for (const std::string& c : r.classes) classes.push_back(c);
    Json data = Json::object(), training = Json::object(), card = Json::object();
    data.set("dataset", r.dataset)
        .set("train_examples", train.count)
        .set("test_examples", test.count)
        .set("preprocessing", "pixel / 255");
    training.set("seed", r.seed)
        .set("epochs", r.epochs)
        .set("batch_size", r.batch_size)
        .set("optimizer", "SGD momentum " + Json(r.momentum).dump() + ", weight decay " + Json(r.weight_decay).dump())
        .set("lr", r.lr)
        .set("lr_schedule", "cosine to 0")
        .set("loss", "softmax cross-entropy")
        .set("augmentation", r.shift ? "random shifts up to " + std::to_string(r.shift) + " px" : "none")
        .set("seconds", seconds);
    card.set("name", r.name)
        .set("weights", r.name + ".safetensors")
        .set("architecture", r.architecture)
        .set("input_shape",
             std::to_string(train.channels) + "x" + std::to_string(train.height) + "x" + std::to_string(train.width))
        .set("parameters", model.net->parameter_count())
        .set("bytes", bytes.size())
        .set("classes", classes)
        .set("data", data)
        .set("training", training)
        .set("test_correct", acc.correct)
        .set("test_count", acc.total)
        .set("test_accuracy_percent", accuracy)
        .set("command", command)
        .set("engine", "native, single thread");
    const std::string text = card.dump(2) + "\n";
    write_file(stem + ".json", text.data(), text.size());
    write_index(o.out_dir);
    std::printf("wrote %s.safetensors (%zu bytes) and %s.json: test accuracy %lld/%lld = %.2f%% in %.1f s\n",
                stem.c_str(), bytes.size(), stem.c_str(), (long long)acc.correct, (long long)acc.total, accuracy,
                seconds);
    return 0;
}

// `tt predict <recipe> <index>...`: the class the model gives held-out images (what the browser test compares).
int predict(const std::string& recipe, const std::vector<int64_t>& indices, const RecipeOptions& o) {
    const Recipe& r = recipe_named(recipe);
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

int eval(const std::string& recipe, const RecipeOptions& o) {
    const Recipe& r = recipe_named(recipe);
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
