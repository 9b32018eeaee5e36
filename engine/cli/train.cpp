// `tt train <recipe>`, `tt eval <recipe>`, `tt predict <recipe> <index>...`: the seeded native trainer behind
// assets/ (their command lines: tt.cpp).
//
// Training is the course's own loop, nothing written here: Module::operator() records every layer as one autograd
// node (module 07), nn::CrossEntropyLoss is the loss (09), optim::SGD with momentum and weight decay the update
// (08) and CosineAnnealingLR, stepped after every batch, the learning rate (08); optim::train_step runs one batch and
// optim::evaluate scores the held-out set (09). What stays here is the data side: shuffling, batching and the
// random-shift augmentation. Everything random (initial weights, shuffling, augmentation) comes from two
// Generators seeded by the recipe, so a re-run reproduces the file bit for bit.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "classifier.h"
#include "datasets.h"
#include "error.h"
#include "grad_mode.h"
#include "image_decode.h"
#include "json.h"
#include "losses.h"
#include "lr_scheduler.h"
#include "metrics.h"
#include "parallel.h"
#include "random.h"
#include "recipes.h"
#include "safetensors.h"
#include "sgd.h"
#include "train_loop.h"

namespace tt::cli {
namespace {

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
        // A packed shard (assets/cifar10-gallery.ttds): test images only, for eval and predict.
        if (o.cifar_dir.size() > 5 && o.cifar_dir.compare(o.cifar_dir.size() - 5, 5, ".ttds") == 0) {
            TT_CHECK(split == "test",
                     o.cifar_dir << " is a packed set of test images: training needs CIFAR-10's "
                                    "binary batches or an image folder with train/ and test/");
            return read_packed(o.cifar_dir);
        }
        // An image folder with train/<class>/*.jpg and test/<class>/*.jpg (the JPEG copy, or a user's own export):
        // classes sorted by name, which for CIFAR-10's ten is also its label order (airplane … truck).
        if (std::filesystem::is_directory(o.cifar_dir + "/train") &&
            std::filesystem::is_directory(o.cifar_dir + "/test"))
            return read_image_folder(o.cifar_dir + "/" + split, ImageFolderOptions{});
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

// Mirror image left to right, in place on one (C, H, W) image: a cat facing left is still a cat.
void flip_image(float* img, int C, int H, int W) {
    for (int row = 0; row < C * H; row++) std::reverse(img + int64_t(row) * W, img + int64_t(row + 1) * W);
}

std::string augmentation(const Recipe& r) {
    std::string text = r.shift ? "random shifts up to " + std::to_string(r.shift) + " px (zero fill)" : "";
    if (r.flip) text += std::string(text.empty() ? "" : ", ") + "horizontal flips";
    return text.empty() ? "none" : text;
}

// Images as [n, C, H, W] floats (pixel / 255) and their labels as the class indices the losses take ([n] floats).
optim::Batch make_batch(const ImageDataset& data, const int64_t* indices, int64_t n) {
    std::vector<float> x(static_cast<size_t>(n * data.image_size())), y(static_cast<size_t>(n));
    data.gather_float(indices, n, x.data());
    for (int64_t b = 0; b < n; b++) y[size_t(b)] = float(data.labels[size_t(indices[b])]);
    return {Tensor({n, data.channels, data.height, data.width}, std::move(x)), Tensor({n}, std::move(y))};
}

// The held-out set in batches of 256, in order: the web pages use the same batches (same sums, same results).
optim::BatchSource in_order(const ImageDataset& data) {
    auto indices = std::make_shared<std::vector<int64_t>>(size_t(data.count));
    for (int64_t i = 0; i < data.count; i++) (*indices)[size_t(i)] = i;
    int64_t start = 0;
    return [&data, indices, start](optim::Batch& out) mutable {
        if (start >= data.count) return false;
        const int64_t n = std::min<int64_t>(256, data.count - start);
        out = make_batch(data, indices->data() + start, n);
        start += n;
        return true;
    };
}

struct Accuracy {
    int64_t correct = 0, total = 0;
    double percent() const { return total ? 100.0 * double(correct) / double(total) : 0.0; }
};

// A recipe's network and the shape of its examples.
struct Model {
    std::shared_ptr<nn::Sequential> net;
    ClassifierShape shape;
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
    const optim::EpochResult result = optim::evaluate(*model.net, nn::CrossEntropyLoss(), in_order(data));
    // accuracy is correct / samples in double: times samples, it rounds back to the count exactly.
    return {data.count ? std::llround(result.accuracy * double(result.samples)) : 0, result.samples};
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

}  // namespace

int64_t below(Generator& gen, int64_t n) {
    const uint32_t bound = static_cast<uint32_t>(n);
    uint64_t m = uint64_t(gen.next_u32()) * bound;
    if (uint32_t(m) < bound) {
        const uint32_t threshold = uint32_t(-bound) % bound;
        while (uint32_t(m) < threshold) m = uint64_t(gen.next_u32()) * bound;
    }
    return int64_t(m >> 32);
}

void write_file(const std::string& path, const void* data, size_t size) {
    std::ofstream f(path, std::ios::binary);
    TT_CHECK(f.good(), path << ": cannot create (does the folder exist?)");
    f.write(static_cast<const char*>(data), std::streamsize(size));
    TT_CHECK(f.good(), path << ": write failed");
}

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

int train(const std::string& recipe, const RecipeOptions& o) {
    Recipe r = recipe_named(recipe);
    set_num_threads(o.threads);
    // The command recorded in the card names only what changes the weights (not --out, --data, --quiet).
    std::string command = "tt train " + r.name;
    if (o.epochs > 0) command += " --epochs " + std::to_string(o.epochs), r.epochs = o.epochs;
    if (o.limit > 0) command += " --limit " + std::to_string(o.limit);

    ImageDataset train = load_split(r.dataset, "train", o);
    const ImageDataset test = load_split(r.dataset, "test", o);
    // The readers refuse empty sets; a batch of 0 would divide by zero below, so say so here as well.
    TT_CHECK(train.count > 0 && test.count > 0 && r.batch_size > 0,
             r.name << ": " << train.count << " train / " << test.count << " test images, batch size " << r.batch_size
                    << ": every one must be at least 1");
    TT_CHECK(test.channels == train.channels && test.height == train.height && test.width == train.width &&
                 test.num_classes == train.num_classes,
             r.name << ": the test set's images (" << test.channels << "x" << test.height << "x" << test.width << ", "
                    << test.num_classes << " classes) differ from the training set's (" << train.channels << "x"
                    << train.height << "x" << train.width << ", " << train.num_classes << " classes)");
    if (o.limit > 0 && o.limit < train.count) {
        train.count = o.limit;
        train.labels.resize(size_t(o.limit));
        train.pixels.resize(size_t(o.limit * train.image_size()));
    }
    Model model = make_model(r, train, r.seed);
    Generator data_gen(r.seed ^ 0xDA7A5E7ull);  // shuffling and augmentation: a stream of their own
    std::printf("train %s: %s on %s (%lld train / %lld test images), %lld parameters, %d epochs\n", r.name.c_str(),
                r.architecture.c_str(), r.dataset.c_str(), (long long)train.count, (long long)test.count,
                (long long)model.net->parameter_count(), r.epochs);

    // Two param groups, as in PyTorch's usual recipe: weight decay on the weights, none on the biases.
    optim::ParamGroup weights, biases;
    for (nn::Parameter* p : model.net->parameters()) (p->value.dim() > 1 ? weights : biases).params.push_back(p);
    biases.set("weight_decay", 0.0);
    std::vector<optim::ParamGroup> groups{weights};
    if (!biases.params.empty()) groups.push_back(biases);
    optim::SGD sgd(groups, {{"lr", r.lr}, {"momentum", r.momentum}, {"weight_decay", r.weight_decay}});
    const nn::CrossEntropyLoss loss;

    std::vector<int64_t> order(size_t(train.count));
    std::vector<float> tmp;
    const int64_t B = std::min<int64_t>(r.batch_size, train.count);
    const int64_t steps_per_epoch = (train.count + B - 1) / B;
    // Stepped after every batch: the learning rate falls along half a cosine from r.lr to 0 over the whole run.
    optim::CosineAnnealingLR schedule(sgd, steps_per_epoch * r.epochs);
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    for (int epoch = 1; epoch <= r.epochs; epoch++) {
        for (int64_t i = 0; i < train.count; i++) order[size_t(i)] = i;
        for (int64_t i = train.count - 1; i > 0; i--)
            std::swap(order[size_t(i)], order[size_t(below(data_gen, i + 1))]);
        model.net->train();
        double loss_sum = 0.0;
        for (int64_t start = 0; start < train.count; start += B) {
            const int64_t n = std::min<int64_t>(B, train.count - start);
            optim::Batch batch = make_batch(train, order.data() + start, n);
            for (int64_t b = 0; r.shift > 0 && b < n; b++) {
                const int dy = int(below(data_gen, 2 * r.shift + 1)) - r.shift,
                          dx = int(below(data_gen, 2 * r.shift + 1)) - r.shift;
                shift_image(batch.input.data() + b * train.image_size(), train.channels, train.height, train.width, dy,
                            dx, tmp);
            }
            for (int64_t b = 0; r.flip && b < n; b++)
                if (below(data_gen, 2))
                    flip_image(batch.input.data() + b * train.image_size(), train.channels, train.height, train.width);
            loss_sum += optim::train_step(*model.net, loss, sgd, {batch}) * double(n);
            schedule.step();
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
    // The process's CPU time as well: on a shared machine the wall time says more about the neighbours than about
    // the recipe, and with one thread the CPU time is what the wall time would be on an idle machine.
    const double cpu_seconds = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
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
    // The card says where CIFAR-10's figures come from: the JPEG copy (../shared/data's cifar10-images/) scores about
    // a point below the official files.
    if (r.dataset == "cifar10") {
        const std::string folder = std::filesystem::path(o.cifar_dir).filename().string();
        data.set("source",
                 !std::filesystem::is_directory(o.cifar_dir + "/train")
                     ? std::string("CIFAR-10 (official binary batches)")
                     : (folder == "cifar10-images" ? "CIFAR-10 (JPEG copy): image folder "
                                                   : "CIFAR-10: image folder ") +
                         folder);
    }
    training.set("seed", r.seed)
        .set("epochs", r.epochs)
        .set("batch_size", r.batch_size)
        .set("optimizer",
             "SGD momentum " + Json(r.momentum).dump() + ", weight decay " + Json(r.weight_decay).dump() +
                 " (not on biases)")
        .set("lr", r.lr)
        .set("lr_schedule", "cosine to 0, stepped every batch")
        .set("loss", "softmax cross-entropy")
        .set("augmentation", augmentation(r))
        .set("seconds", seconds)
        .set("cpu_seconds", std::round(cpu_seconds * 10.0) / 10.0);
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
        .set("engine",
             o.threads == 1 ? std::string("native, single thread")
                            : "native, " + std::to_string(o.threads) + " threads");
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
    autograd::NoGrad no_grad;
    model.net->eval();
    for (int64_t index : indices) {
        TT_CHECK(index >= 0 && index < test.count,
                 "predict: image " << index << " is not in the test set (0.." << test.count - 1 << ")");
        const optim::Batch one = make_batch(test, &index, 1);
        const int64_t predicted = nn::predict_classes((*model.net)(one.input))[0];
        std::printf("%lld label %d predicted %lld\n", (long long)index, test.label(index), (long long)predicted);
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
