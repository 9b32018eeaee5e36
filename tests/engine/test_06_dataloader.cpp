// Module 06 checks: Dataset, DataLoader (batching, seeded shuffle, drop_last, collate), the seeded transforms,
// prefetch and ImageFolder, on small data sets made here. The expected values come from the definitions in the
// headers (the draw order of a shuffle or a crop), from hand-computed cases, and from properties (every sample once
// per epoch, labels travelling with their inputs) — never from running the code under test twice.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dataloader.h"
#include "dataset.h"
#include "image_folder.h"
#include "sampler.h"
#include "testing.h"
#include "transforms.h"

using tt::Shape;
using tt::Tensor;

namespace {

// N samples of shape [2]: sample i is (i, 100 + i), its label (3 * i) % 5 — so a label can be checked against its
// input after any shuffle.
std::shared_ptr<tt::TensorDataset> numbered(int64_t n) {
    std::vector<float> x, y;
    for (int64_t i = 0; i < n; i++) {
        x.push_back(float(i));
        x.push_back(float(100 + i));
        y.push_back(float((3 * i) % 5));
    }
    return std::make_shared<tt::TensorDataset>(Tensor({n, 2}, x), Tensor({n}, y));
}

tt::DataLoaderOptions opts(int64_t batch, bool shuffle = false, bool drop_last = false, uint64_t seed = 0) {
    tt::DataLoaderOptions o;
    o.batch_size = batch;
    o.shuffle = shuffle;
    o.drop_last = drop_last;
    o.seed = seed;
    return o;
}

// The sample index of every row of every batch of one epoch, checking each row's label against its input.
std::vector<std::vector<int64_t>> epoch_rows(tt::DataLoader& loader) {
    std::vector<std::vector<int64_t>> rows;
    for (tt::Batch& b : loader) {
        std::vector<int64_t> ids;
        for (int64_t k = 0; k < b.inputs.shape(0); k++) {
            const int64_t i = int64_t(b.inputs.at({k, 0}));
            CHECK(b.inputs.at({k, 1}) == float(100 + i));
            CHECK(b.labels.at({k}) == float((3 * i) % 5));
            ids.push_back(i);
        }
        rows.push_back(ids);
    }
    return rows;
}

std::vector<int64_t> sizes(const std::vector<std::vector<int64_t>>& rows) {
    std::vector<int64_t> s;
    for (const auto& r : rows) s.push_back(int64_t(r.size()));
    return s;
}

// A C x H x W image whose value at (c, y, x) is 100c + 10y + x + 1 (never 0, so padding zeros stand out).
Tensor coded_image(int64_t C, int64_t H, int64_t W) {
    Tensor t({C, H, W});
    for (int64_t c = 0; c < C; c++)
        for (int64_t y = 0; y < H; y++)
            for (int64_t x = 0; x < W; x++) t.at({c, y, x}) = float(100 * c + 10 * y + x + 1);
    return t;
}

bool same_values(const Tensor& a, const Tensor& b) { return a.shape() == b.shape() && a.to_vector() == b.to_vector(); }

}  // namespace

TEST_CASE("06 randperm: Fisher-Yates from the last position down, j = randint(0, i + 1), as dataloader.h says") {
    for (uint64_t seed : {0u, 1u, 42u}) {
        tt::Generator gen(seed), spec(seed);
        const std::vector<int64_t> perm = tt::randperm(20, gen);
        std::vector<int64_t> expected(20);
        for (int64_t i = 0; i < 20; i++) expected[size_t(i)] = i;
        for (int64_t i = 19; i > 0; i--) std::swap(expected[size_t(i)], expected[size_t(tt::randint(0, i + 1, spec))]);
        CHECK(perm == expected);
        CHECK(gen.next_u32() == spec.next_u32());  // and it drew exactly n - 1 integers
    }
    tt::Generator gen(3);
    CHECK(tt::randperm(0, gen).empty());
    CHECK(tt::randperm(1, gen) == std::vector<int64_t>{0});
}

TEST_CASE("06 randperm: all 6 orders of 3 items come up equally often (a biased shuffle does not)") {
    // The classic wrong shuffle (swap with any position, randint(0, n)) maps 27 equally likely draw sequences onto
    // 6 orders: some come up 5/27 of the time, others 4/27 (4,444 and 3,556 of 24,000 instead of 4,000 each).
    tt::Generator gen(7);
    std::map<std::vector<int64_t>, int> counts;
    for (int k = 0; k < 24000; k++) counts[tt::randperm(3, gen)]++;
    CHECK(counts.size() == 6);
    for (const auto& entry : counts) {
        CHECK(entry.second > 3800);  // 3.5 standard deviations (57.7) from 4,000
        CHECK(entry.second < 4200);
    }
}

TEST_CASE("06 randint: uniform over [low, high), every value reachable, integer draws only") {
    tt::Generator gen(11);
    std::map<int64_t, int> counts;
    for (int k = 0; k < 7000; k++) counts[tt::randint(-3, 4, gen)]++;
    CHECK(counts.size() == 7);
    CHECK(counts.begin()->first == -3);
    CHECK(counts.rbegin()->first == 3);
    for (const auto& entry : counts) CHECK(std::abs(entry.second - 1000) < 130);
}

TEST_CASE("06 DataLoader: len and batch sizes with and without drop_last, batch_size > N, batch_size 1") {
    struct Case {
        int64_t n, batch;
        bool drop_last;
        std::vector<int64_t> sizes;
    };
    const std::vector<Case> cases = {
        {10, 3, false, {3, 3, 3, 1}}, {10, 3, true, {3, 3, 3}}, {9, 3, false, {3, 3, 3}}, {9, 3, true, {3, 3, 3}},
        {5, 8, false, {5}},           {5, 8, true, {}},         {3, 1, false, {1, 1, 1}}, {1, 1, true, {1}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.n);
        CAPTURE(c.batch);
        CAPTURE(c.drop_last);
        tt::DataLoader loader(numbered(c.n), opts(c.batch, false, c.drop_last));
        CHECK(loader.size() == int64_t(c.sizes.size()));
        const auto rows = epoch_rows(loader);
        CHECK(sizes(rows) == c.sizes);
    }
}

TEST_CASE("06 DataLoader: without shuffle the batches are 0..N-1 in order; the last one is short") {
    tt::DataLoader loader(numbered(7), opts(3));
    const auto rows = epoch_rows(loader);
    CHECK(rows == std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}});
    CHECK(loader.batch_indices(2) == std::vector<int64_t>{6});
    tt::Batch b = loader.make_batch(1);
    CHECK(b.inputs.shape() == Shape{3, 2});
    CHECK(b.labels.shape() == Shape{3});
    CHECK(b.labels.to_vector() == std::vector<float>{4, 2, 0});  // (3*3)%5, (3*4)%5, (3*5)%5
    CHECK(b.index == 1);
}

TEST_CASE("06 DataLoader: shuffle covers every sample once per epoch, labels travel with their inputs") {
    tt::DataLoader loader(numbered(23), opts(5, true, false, 9));
    for (int epoch = 0; epoch < 2; epoch++) {
        const auto rows = epoch_rows(loader);  // checks each label against its input
        CHECK(sizes(rows) == std::vector<int64_t>{5, 5, 5, 5, 3});
        std::vector<int64_t> all;
        for (const auto& r : rows) all.insert(all.end(), r.begin(), r.end());
        CHECK(all == loader.order());
        std::sort(all.begin(), all.end());
        for (int64_t i = 0; i < 23; i++) CHECK(all[size_t(i)] == i);
    }
}

TEST_CASE("06 DataLoader: epoch 1 is randperm of the seeded generator, each epoch reshuffles, a second loader agrees") {
    tt::DataLoader a(numbered(40), opts(8, true, false, 5));
    tt::DataLoader b(numbered(40), opts(8, true, false, 5));
    tt::Generator spec(5);
    a.start_epoch();
    CHECK(a.order() == tt::randperm(40, spec));
    const std::vector<int64_t> first = a.order();
    a.start_epoch();
    CHECK(a.epoch() == 2);
    CHECK(a.order() != first);  // a reshuffle, not the same order again
    b.start_epoch();
    CHECK(b.order() == first);
    b.start_epoch();
    CHECK(b.order() == a.order());  // epoch 2 reproducible too
    tt::DataLoader other(numbered(40), opts(8, true, false, 6));
    other.start_epoch();
    CHECK(other.order() != first);
    tt::DataLoader plain(numbered(4), opts(2));
    plain.start_epoch();
    plain.start_epoch();
    CHECK(plain.order() == std::vector<int64_t>{0, 1, 2, 3});
}

TEST_CASE("06 Normalize: per channel, (x - mean[c]) / std[c]") {
    Tensor x({2, 1, 2}, {1, 3, 10, 20});
    tt::Generator gen(0);
    const Tensor y = tt::Normalize({1, 2}, {2, 4})(x, gen);
    CHECK(y.shape() == Shape{2, 1, 2});
    CHECK(y.to_vector() == std::vector<float>{0, 1, 2, 4.5f});
}

TEST_CASE("06 RandomCrop: zero padding, the window drawn top first then left, every offset reachable") {
    const Tensor img = coded_image(2, 3, 4);
    const tt::RandomCrop crop(3, 4, 1);  // padded 5 x 6: top in [0, 2], left in [0, 2]
    std::set<std::pair<int64_t, int64_t>> seen;
    // One verdict over all 200 draws (a wrong crop would otherwise report each of its 4800 pixels), naming the first
    // wrong pixel and its window.
    int64_t wrong = 0;
    std::string first_wrong;
    for (uint64_t seed = 0; seed < 200; seed++) {
        tt::Generator gen(seed), spec(seed);
        const Tensor out = crop(img, gen);
        const int64_t top = tt::randint(0, 3, spec), left = tt::randint(0, 3, spec);
        seen.insert({top, left});
        REQUIRE(out.shape() == Shape{2, 3, 4});
        for (int64_t c = 0; c < 2; c++)
            for (int64_t y = 0; y < 3; y++)
                for (int64_t x = 0; x < 4; x++) {
                    const int64_t sy = top + y - 1, sx = left + x - 1;
                    const bool inside = sy >= 0 && sy < 3 && sx >= 0 && sx < 4;
                    const float want = inside ? img.at({c, sy, sx}) : 0.0f, got = out.at({c, y, x});
                    if (got == want) continue;
                    if (wrong++ == 0)
                        first_wrong = "seed " + std::to_string(seed) + ", window top " + std::to_string(top) +
                            " left " + std::to_string(left) + " of the padded image: out[" + std::to_string(c) + ", " +
                            std::to_string(y) + ", " + std::to_string(x) + "] = " + std::to_string(got) +
                            ", expected " + std::to_string(want);
                }
    }
    const std::string verdict = std::to_string(wrong) + " wrong pixels; the first: " + first_wrong;
    CHECK_MESSAGE(wrong == 0, verdict);
    CHECK(seen.size() == 9);
    // Top-left corner of the padded image: the first row and column are padding.
    tt::Generator g(0);
    const Tensor same = tt::RandomCrop(3, 4, 0)(img, g);
    CHECK(same_values(same, img));  // no padding, full size: the only window is the image itself
}

TEST_CASE("06 RandomCrop: a smaller window than the image, no padding, stays inside it") {
    const Tensor img = coded_image(1, 4, 5);
    for (uint64_t seed = 0; seed < 50; seed++) {
        tt::Generator gen(seed), spec(seed);
        const Tensor out = tt::RandomCrop(2, 0)(img, gen);
        const int64_t top = tt::randint(0, 3, spec), left = tt::randint(0, 4, spec);
        CHECK(same_values(out, img.slice(1, top, top + 2).slice(2, left, left + 2).contiguous()));
    }
}

TEST_CASE("06 RandomHorizontalFlip: mirrors columns (odd width: the middle stays), with probability p") {
    const Tensor img = coded_image(2, 2, 5);
    tt::Generator g(1);
    const Tensor flipped = tt::RandomHorizontalFlip(1.0f)(img, g);
    for (int64_t c = 0; c < 2; c++)
        for (int64_t y = 0; y < 2; y++)
            for (int64_t x = 0; x < 5; x++) CHECK(flipped.at({c, y, x}) == img.at({c, y, 4 - x}));
    CHECK(same_values(tt::RandomHorizontalFlip(0.0f)(img, g), img));
    int flips = 0;
    for (uint64_t seed = 0; seed < 400; seed++) {
        tt::Generator gen(seed), spec(seed);
        const bool expect = spec.uniform() < 0.3f;
        const Tensor out = tt::RandomHorizontalFlip(0.3f)(img, gen);
        CHECK(same_values(out, expect ? flipped : img));
        flips += expect;
    }
    CHECK(flips > 80);
    CHECK(flips < 160);
}

TEST_CASE("06 Compose: the transforms in order, drawing from one generator") {
    const Tensor img = coded_image(2, 4, 4);
    auto crop = std::make_shared<tt::RandomCrop>(3, 1);
    auto flip = std::make_shared<tt::RandomHorizontalFlip>(0.5f);
    auto norm = std::make_shared<tt::Normalize>(std::vector<float>{10, 20}, std::vector<float>{2, 4});
    const tt::Compose all({crop, flip, norm});
    CHECK(all.output_shape({2, 4, 4}) == Shape{2, 3, 3});
    for (uint64_t seed = 0; seed < 20; seed++) {
        tt::Generator gen(seed), spec(seed);
        const Tensor expected = (*norm)((*flip)((*crop)(img, spec), spec), spec);
        CHECK(same_values(all(img, gen), expected));
    }
    tt::Generator gen(0);
    CHECK(same_values(tt::Compose({})(img, gen), img));
}

TEST_CASE("06 DataLoader with transforms: batch b uses Generator(epoch seed + b); reseeded every epoch") {
    // Eight 1x1x4 images; a flip with p = 0.5 shows which samples a batch generator flipped.
    std::vector<float> x;
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) x.push_back(float(10 * i + k));
    auto data = std::make_shared<tt::TensorDataset>(Tensor({8, 1, 1, 4}, x), tt::zeros({8}));
    tt::DataLoaderOptions o = opts(3);
    o.transform = std::make_shared<tt::RandomHorizontalFlip>(0.5f);
    o.seed = 21;
    tt::DataLoader loader(data, o);
    std::vector<std::vector<float>> epochs;
    for (int e = 0; e < 2; e++) {
        tt::Generator spec(21);
        for (int k = 0; k < e; k++) (void)spec.next_u32(), (void)spec.next_u32();  // earlier epochs' seeds
        const uint64_t high = spec.next_u32();
        const uint64_t epoch_seed = (high << 32) | spec.next_u32();
        std::vector<float> all;
        for (tt::Batch& b : loader) {
            tt::Generator batch_gen(epoch_seed + uint64_t(b.index));
            for (int64_t k = 0; k < b.inputs.shape(0); k++) {
                const int64_t i = b.index * 3 + k;
                const bool flip = batch_gen.uniform() < 0.5f;
                for (int64_t w = 0; w < 4; w++) CHECK(b.inputs.at({k, 0, 0, w}) == float(10 * i + (flip ? 3 - w : w)));
            }
            const std::vector<float> v = b.inputs.to_vector();
            all.insert(all.end(), v.begin(), v.end());
        }
        epochs.push_back(all);
    }
    CHECK(epochs[0] != epochs[1]);  // new augmentation every epoch, even without shuffle
}

TEST_CASE("06 prefetch: the same batches, bit for bit, with and without the second thread") {
    auto data =
        std::make_shared<tt::TensorDataset>(tt::rand({37, 3, 6, 6}, 4), Tensor({37}, std::vector<float>(37, 2)));
    auto transform = std::make_shared<tt::Compose>(
        std::vector<std::shared_ptr<const tt::Transform>>{std::make_shared<tt::RandomCrop>(5, 2),
                                                          std::make_shared<tt::RandomHorizontalFlip>(0.5f),
                                                          std::make_shared<tt::Normalize>(std::vector<float>{0.5f, 0.4f,
                                                                                                             0.3f},
                                                                                          std::vector<float>{0.2f, 0.3f,
                                                                                                             0.4f})});
    std::vector<std::vector<float>> runs[2];
    for (int prefetch = 0; prefetch < 2; prefetch++) {
        tt::DataLoaderOptions o = opts(8, true, false, 77);
        o.transform = transform;
        o.prefetch = prefetch == 1;
        tt::DataLoader loader(data, o);
        for (int e = 0; e < 3; e++)
            for (tt::Batch& b : loader) {
                runs[prefetch].push_back(b.inputs.to_vector());
                runs[prefetch].push_back(b.labels.to_vector());
            }
        const tt::LoaderTimes t = loader.times();
        CHECK(t.batches == 15);
        CHECK(t.wait_ms >= 0);
        CHECK(t.compute_ms >= 0);
    }
    CHECK(runs[0].size() == 30);
    CHECK(runs[0] == runs[1]);
#if !defined(__EMSCRIPTEN__) && !defined(__wasi__)
    CHECK(tt::Prefetcher::threaded());
#endif
}

TEST_CASE("06 prefetch: starting a new epoch in the middle of one drops the batch being made") {
    tt::DataLoaderOptions o = opts(2, true, false, 3);
    o.prefetch = true;
    tt::DataLoader loader(numbered(9), o);
    tt::Batch b;
    REQUIRE(loader.next(b));
    REQUIRE(loader.next(b));
    loader.start_epoch();
    const auto rows = epoch_rows(loader);  // begin() starts epoch 3
    std::vector<int64_t> all;
    for (const auto& r : rows) all.insert(all.end(), r.begin(), r.end());
    CHECK(all == loader.order());
    CHECK(loader.epoch() == 3);
}

TEST_CASE("06 ImageDatasetView: bytes become pixel / 255 only in the batch; 1 byte per value stored") {
    auto images = std::make_shared<tt::ImageDataset>();
    images->count = 3;
    images->channels = 1;
    images->height = 1;
    images->width = 2;
    images->num_classes = 4;
    images->labels = {3, 1, 2};
    images->pixels = {0, 255, 51, 102, 17, 34};
    tt::ImageDatasetView view(images);
    CHECK(view.size() == 3);
    CHECK(view.sample_shape() == Shape{1, 1, 2});
    CHECK(view.stored_sample_bytes() == 2);
    const tt::Sample s = view.get(1);
    CHECK(s.label == 1);
    CHECK(s.input.to_vector() == std::vector<float>{51 / 255.0f, 102 / 255.0f});
    tt::DataLoader loader(std::make_shared<tt::ImageDatasetView>(images), opts(2));
    tt::Batch b;
    REQUIRE(loader.next(b));
    CHECK(b.inputs.shape() == Shape{2, 1, 1, 2});
    CHECK(b.labels.to_vector() == std::vector<float>{3, 1});
    CHECK(numbered(3)->stored_sample_bytes() == 8);
}

TEST_CASE("06 errors name the bad argument") {
    TT_CHECK_ERROR_CONTAINS(tt::DataLoader(numbered(4), opts(0)), "batch_size must be >= 1, got 0");
    TT_CHECK_ERROR_CONTAINS(tt::DataLoader(nullptr, opts(1)), "dataset is null");
    TT_CHECK_ERROR_CONTAINS(tt::DataLoader(std::make_shared<tt::TensorDataset>(tt::zeros({0, 2}), tt::zeros({0})),
                                           opts(1)),
                            "empty");
    TT_CHECK_ERROR_CONTAINS(tt::TensorDataset(tt::zeros({3, 2}), tt::zeros({4})),
                            "inputs have 3 samples but labels have 4");
    TT_CHECK_ERROR_CONTAINS(tt::TensorDataset(tt::zeros({2, 2}), Tensor({2}, {1, 0.5f})), "labels[1]");
    TT_CHECK_ERROR_CONTAINS(numbered(3)->get(3), "index 3 is out of range");
    TT_CHECK_ERROR_CONTAINS(tt::Normalize({0, 0}, {1, 0}), "std[1] = 0");
    TT_CHECK_ERROR_CONTAINS(tt::Normalize({0, 0}, {1}), "mean has 2 values but std has 1");
    tt::Generator gen(0);
    TT_CHECK_ERROR_CONTAINS(tt::Normalize({0}, {1})(tt::zeros({3, 2, 2}), gen), "the image has 3");
    TT_CHECK_ERROR_CONTAINS(tt::RandomCrop(5, 0)(tt::zeros({1, 4, 4}), gen), "larger than the padded");
    TT_CHECK_ERROR_CONTAINS(tt::RandomCrop(3, -1), "padding must be >= 0");
    TT_CHECK_ERROR_CONTAINS(tt::RandomHorizontalFlip(1.5f), "p must be a probability");
    TT_CHECK_ERROR_CONTAINS(tt::RandomHorizontalFlip()(tt::zeros({4, 4}), gen), "[C, H, W]");
    TT_CHECK_ERROR_CONTAINS(tt::randint(3, 3, gen), "low 3 must be less than high 3");
    tt::DataLoaderOptions o = opts(2);
    o.transform = std::make_shared<tt::RandomCrop>(9, 0);
    TT_CHECK_ERROR_CONTAINS(tt::DataLoader(std::make_shared<tt::TensorDataset>(tt::zeros({2, 1, 4, 4}), tt::zeros({2})),
                                           o),
                            "RandomCrop");
}

namespace {

// A data set whose sample 5 cannot be read: the error must reach the caller of next(), from the prefetch thread too.
struct Broken : tt::Dataset {
    int64_t size() const override { return 8; }
    Shape sample_shape() const override { return {1}; }
    tt::Sample get(int64_t i) const override {
        TT_CHECK(i != 5, "Broken: sample 5 is unreadable");
        return {tt::zeros({1}), 0};
    }
    // Without Tensors: this runs on the prefetch thread.
    void get_batch(const int64_t* indices, int64_t n, float* out, int64_t* labels) const override {
        for (int64_t k = 0; k < n; k++) {
            TT_CHECK(indices[k] != 5, "Broken: sample 5 is unreadable");
            out[k] = 0;
            labels[k] = 0;
        }
    }
    std::string name() const override { return "Broken"; }
};

}  // namespace

TEST_CASE("06 prefetch: an error made on the second thread is thrown by next()") {
    tt::DataLoaderOptions o = opts(2);
    o.prefetch = true;
    tt::DataLoader loader(std::make_shared<Broken>(), o);
    tt::Batch b;
    CHECK(loader.next(b));
    CHECK(loader.next(b));
    TT_CHECK_ERROR_CONTAINS(loader.next(b), "sample 5 is unreadable");
}

// ---- ImageFolder ------------------------------------------------------------------------------------------------

namespace {

// A decoded image with `channels` interleaved values per pixel; pixel p's channel k is base + 10p + k.
tt::DecodedImage decoded(int width, int height, int channels, int base) {
    tt::DecodedImage d;
    d.width = width;
    d.height = height;
    d.channels = channels;
    for (int p = 0; p < width * height; p++)
        for (int k = 0; k < channels; k++) d.pixels.push_back(uint8_t(base + 10 * p + k));
    return d;
}

}  // namespace

TEST_CASE("06 ImageFolder: classes sorted like torchvision, files in sorted order, non-images and root files skipped") {
    const tt::ImageFolder f =
        tt::index_image_folder("root",
                               {"dog/b.png", "cat/z.JPG", "notes.txt", "top.png", "cat/sub/a.jpeg", "Bird/1.jpg",
                                "dog/a.png", "dog/readme.md", "cat/a.png"});
    CHECK(f.classes == std::vector<std::string>{"Bird", "cat", "dog"});  // byte order: upper case first
    CHECK(f.class_to_idx("cat") == 1);
    const std::vector<std::pair<std::string, int>> expected = {{"Bird/1.jpg", 0}, {"cat/a.png", 1},
                                                               {"cat/z.JPG", 1},  {"cat/sub/a.jpeg", 1},
                                                               {"dog/a.png", 2},  {"dog/b.png", 2}};
    CHECK(f.samples == expected);
}

TEST_CASE("06 ImageFolder: decoded pixels become C x H x W bytes, labels the class indices") {
    const tt::ImageFolder f = tt::index_image_folder("r", {"b/1.png", "a/1.png", "a/2.png"});
    std::map<std::string, tt::DecodedImage> files = {{"a/1.png", decoded(2, 1, 4, 0)},
                                                     {"a/2.png", decoded(2, 1, 3, 50)},
                                                     {"b/1.png", decoded(2, 1, 1, 100)}};
    auto load = [&](const std::string& path) { return files.at(path); };
    const tt::ImageDataset rgb = tt::load_image_folder(f, load);
    CHECK(rgb.count == 3);
    CHECK(rgb.channels == 3);
    CHECK(rgb.height == 1);
    CHECK(rgb.width == 2);
    CHECK(rgb.num_classes == 2);
    CHECK(rgb.labels == std::vector<uint8_t>{0, 0, 1});
    // RGBA (alpha dropped), then RGB, then gray repeated into three planes: planes R, G, B of 2 pixels each.
    CHECK(rgb.pixels ==
          std::vector<uint8_t>{0, 10, 1, 11, 2, 12, 50, 60, 51, 61, 52, 62, 100, 110, 100, 110, 100, 110});
    tt::ImageFolderOptions gray;
    gray.channels = 1;
    const tt::ImageDataset g = tt::load_image_folder(f, load, gray);
    // BT.601 luma of (0, 1, 2): (0 + 587 + 228 + 500) / 1000 = 1; of (10, 11, 12): (2990 + 6457 + 1368 + 500) / 1000 = 11
    CHECK(g.pixels == std::vector<uint8_t>{1, 11, 51, 61, 100, 110});
}

TEST_CASE("06 ImageFolder: resize (bilinear, half-pixel centres) averages 2x2 blocks when halving") {
    tt::DecodedImage big;
    big.width = 4;
    big.height = 4;
    big.channels = 1;
    big.pixels = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150};
    const std::vector<uint8_t> half = tt::image_to_chw(big, 1, 2, 2, "big");
    CHECK(half == std::vector<uint8_t>{25, 45, 105, 125});  // e.g. (0 + 10 + 40 + 50) / 4
    tt::DecodedImage flat = decoded(3, 2, 3, 0);
    for (uint8_t& v : flat.pixels) v = 77;
    CHECK(tt::image_to_chw(flat, 3, 5, 4, "flat") == std::vector<uint8_t>(60, 77));
    const tt::ImageFolder f = tt::index_image_folder("r", {"a/1.png", "b/1.png"});
    std::map<std::string, tt::DecodedImage> files = {{"a/1.png", big}, {"b/1.png", flat}};
    tt::ImageFolderOptions o;
    o.channels = 1;
    o.resize_height = 2;
    o.resize_width = 2;
    const tt::ImageDataset d = tt::load_image_folder(
        f, [&](const std::string& p) { return files.at(p); }, o);
    CHECK(d.pixels == std::vector<uint8_t>{25, 45, 105, 125, 77, 77, 77, 77});
}

TEST_CASE("06 ImageFolder: empty folder, one class, mixed sizes, undecodable file: errors naming them") {
    TT_CHECK_ERROR_CONTAINS(tt::index_image_folder("pics", {"a.png", "cat/readme.txt"}), "found no .png");
    TT_CHECK_ERROR_CONTAINS(tt::index_image_folder("pics", {"a.png", "b.jpg"}), "such as 'a.png' are directly in");
    TT_CHECK_ERROR_CONTAINS(tt::index_image_folder("pics", {"cat/1.png", "cat/2.png"}),
                            "only one class folder ('cat')");
    const tt::ImageFolder f = tt::index_image_folder("pics", {"a/1.png", "b/2.png"});
    auto mixed = [](const std::string& p) { return p == "a/1.png" ? decoded(4, 3, 3, 0) : decoded(5, 3, 3, 0); };
    TT_CHECK_ERROR_CONTAINS(tt::load_image_folder(f, mixed), "b/2.png is 5x3 but a/1.png is 4x3");
    auto broken = [](const std::string& p) -> tt::DecodedImage {
        TT_CHECK(p != "b/2.png", p << ": not a decodable PNG or JPEG image");
        return decoded(2, 2, 3, 0);
    };
    TT_CHECK_ERROR_CONTAINS(tt::load_image_folder(f, broken), "b/2.png: not a decodable");
    tt::DecodedImage short_data = decoded(2, 2, 3, 0);
    short_data.pixels.pop_back();
    TT_CHECK_ERROR_CONTAINS(tt::image_to_chw(short_data, 3, 0, 0, "x.png"), "x.png: 11 pixel bytes");
    tt::ImageFolderOptions o;
    o.resize_height = 4;
    TT_CHECK_ERROR_CONTAINS(tt::load_image_folder(f, mixed, o), "resize needs a positive height and width");
    TT_CHECK_ERROR_CONTAINS(f.class_to_idx("c"), "no class named 'c'");
}

#if defined(TT_NATIVE_IMAGE_DECODER)
// Native only (tt_tests links engine/cli/image_decode.cpp): real PNG files written with stb_image_write, read back
// through the folder scan and stb_image.
#include <filesystem>
#include <fstream>

#include "image_decode.h"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

namespace {

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

void write_png(const std::filesystem::path& path, const tt::DecodedImage& image) {
    std::vector<uint8_t> bytes;
    REQUIRE(stbi_write_png_to_func(append_bytes, &bytes, image.width, image.height, image.channels, image.pixels.data(),
                                   image.width * image.channels) != 0);
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

}  // namespace

TEST_CASE("06 ImageFolder natively: PNG files decoded by stb_image, scanned from disk; a corrupt file is named") {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / "tt_test_06_image_folder";
    fs::remove_all(root);
    write_png(root / "zebra" / "0.png", decoded(3, 2, 3, 1));
    write_png(root / "ant" / "0.png", decoded(3, 2, 1, 5));
    write_png(root / "ant" / "deep" / "1.png", decoded(3, 2, 4, 9));
    std::ofstream(root / "ant" / "notes.txt") << "not an image";
    tt::ImageFolder folder;
    const tt::ImageDataset d = tt::cli::read_image_folder(root.string(), {}, &folder);
    CHECK(folder.classes == std::vector<std::string>{"ant", "zebra"});
    CHECK(d.count == 3);
    CHECK(d.labels == std::vector<uint8_t>{0, 0, 1});
    const std::vector<uint8_t> gray = tt::image_to_chw(decoded(3, 2, 1, 5), 3, 0, 0, "g");
    CHECK(std::vector<uint8_t>(d.pixels.begin(), d.pixels.begin() + 18) == gray);  // PNG is lossless
    const std::vector<uint8_t> rgba = tt::image_to_chw(decoded(3, 2, 4, 9), 3, 0, 0, "rgba");
    CHECK(std::vector<uint8_t>(d.pixels.begin() + 18, d.pixels.begin() + 36) == rgba);
    std::ofstream(root / "zebra" / "bad.png") << "PNG? no";
    TT_CHECK_ERROR_CONTAINS(tt::cli::read_image_folder(root.string(), {}), "bad.png");
    TT_CHECK_ERROR_CONTAINS(tt::cli::read_image_folder((root / "missing").string(), {}), "is not a folder");
    fs::remove_all(root);
}
#endif
