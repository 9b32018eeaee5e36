// Module 06 from JS: the systems panel's loader benchmark, image folders decoded by the browser, a DataLoader epoch.
// - The systems panel (web/js/course/systems/06.mjs): tt::loader_benchmark (data/loader_benchmark.h) with its
//   options given as an object, the result as a JSON string (missing fields keep loader_benchmark's defaults):
//     JSON.parse(M.loaderBenchmark({samples: 1024, batchSize: 64, prefetch: true, augment: true, computeMs: 2}))
// - Image folders decoded by the browser (web/js/data/image-folder.mjs): the engine's ImageFolder index (classes,
//   sample order, its errors) and its pixel conversion + bilinear resize, one image at a time, so a page's data
//   set is the one `tt pack-images` makes from the same folder (up to the decoders):
//     M.indexImageFolder('pets', ['cat/1.png', 'dog/2.png'])  -> {classes, paths, labels: Uint8Array}
//     M.imageToChw({width, height, channels: 4, pixels}, 3, 32, 32, 'pets/cat/1.png')  -> Uint8Array (C x H x W)
// - One epoch of a DataLoader over a JS data set, every batch concatenated (tests: prefetch changes no bit):
//     M.dataLoaderEpoch({images, labels, shape: [C, H, W], numClasses}, {batchSize, seed, prefetch, augment})
//       -> {inputs: Float32Array, labels: Float32Array, batches, waitMs, computeMs, threaded}
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>
#include <vector>

#include "dataloader.h"
#include "datasets.h"
#include "error.h"
#include "guard.h"
#include "image_folder.h"
#include "loader_benchmark.h"
#include "prefetch.h"
#include "transforms.h"

using emscripten::val;

namespace tt::web {
namespace {

double number_field(const val& config, const char* key, double fallback, double lo, double hi, bool whole) {
    const val v = config[key];
    if (v.isUndefined()) return fallback;
    TT_CHECK(v.isNumber(), "loaderBenchmark: " << key << " must be a number");
    const double d = v.as<double>();
    TT_CHECK(d >= lo && d <= hi && (!whole || d == double(int64_t(d))),
             "loaderBenchmark: " << key << " = " << d << " must be " << (whole ? "a whole number " : "") << "in " << lo
                                 << ".." << hi);
    return d;
}

std::string loader_benchmark_js(const val& config) {
    TT_CHECK(config.typeOf().as<std::string>() == "object", "loaderBenchmark: pass an options object");
    LoaderBenchmarkOptions o;
    o.samples = int64_t(number_field(config, "samples", double(o.samples), 1, 1 << 20, true));
    o.channels = int(number_field(config, "channels", o.channels, 1, 4, true));
    o.height = int(number_field(config, "height", o.height, 1, 1024, true));
    o.width = int(number_field(config, "width", o.width, 1, 1024, true));
    o.batch_size = int64_t(number_field(config, "batchSize", double(o.batch_size), 1, 1 << 20, true));
    o.compute_ms = number_field(config, "computeMs", 0, 0, 1000, false);
    o.seed = uint64_t(number_field(config, "seed", 0, 0, 1 << 30, true));
    o.prefetch = config["prefetch"].isTrue();
    o.augment = config["augment"].isTrue();
    return loader_benchmark(o).dump();
}

// A copy of a JS Uint8Array (or Uint8ClampedArray: ImageData.data) into wasm memory.
std::vector<uint8_t> bytes_from_js(const val& array, const std::string& what) {
    TT_CHECK(array.instanceof (val::global("Uint8Array")) || array.instanceof
             (val::global("Uint8ClampedArray")), what << " must be a Uint8Array");
    std::vector<uint8_t> out(array["length"].as<size_t>());
    val(emscripten::typed_memory_view(out.size(), out.data())).call<void>("set", array);
    return out;
}

template <typename T>
val copy_to_js(const char* type, const std::vector<T>& v) {  // a JS-owned copy (views die when the heap grows)
    return val::global(type).new_(emscripten::typed_memory_view(v.size(), v.data()));
}

int whole_field(const val& object, const char* key, const std::string& what, int lo, int hi) {
    const val v = object[key];
    TT_CHECK(v.isNumber() && v.as<double>() == double(v.as<int>()) && v.as<int>() >= lo && v.as<int>() <= hi,
             what << ": " << key << " must be a whole number in " << lo << ".." << hi);
    return v.as<int>();
}

val index_image_folder_js(const std::string& root, const val& paths) {
    TT_CHECK(paths.isArray(), "indexImageFolder: paths must be an array of strings");
    const int n = paths["length"].as<int>();
    std::vector<std::string> list;
    list.reserve(size_t(n));
    for (int i = 0; i < n; i++) {
        const val p = paths[i];
        TT_CHECK(p.isString(), "indexImageFolder: paths[" << i << "] is not a string");
        list.push_back(p.as<std::string>());
    }
    const ImageFolder folder = index_image_folder(root, std::move(list));
    val classes = val::array(), sample_paths = val::array();
    std::vector<uint8_t> labels;
    for (const std::string& c : folder.classes) classes.call<void>("push", c);
    for (const auto& [path, label] : folder.samples) {
        sample_paths.call<void>("push", path);
        labels.push_back(uint8_t(label));
    }
    val out = val::object();
    out.set("classes", classes);
    out.set("paths", sample_paths);
    out.set("labels", copy_to_js("Uint8Array", labels));
    return out;
}

val image_to_chw_js(const val& image, int channels, int height, int width, const std::string& what) {
    TT_CHECK(image.typeOf().as<std::string>() == "object", what << ": pass {width, height, channels, pixels}");
    DecodedImage decoded;
    decoded.width = whole_field(image, "width", what, 1, 1 << 15);
    decoded.height = whole_field(image, "height", what, 1, 1 << 15);
    decoded.channels = whole_field(image, "channels", what, 1, 4);
    decoded.pixels = bytes_from_js(image["pixels"], what + ": pixels");
    TT_CHECK(height >= 0 && width >= 0 && (height > 0) == (width > 0),
             what << ": resize needs a positive height and width (or both 0), got " << height << "x" << width);
    return copy_to_js("Uint8Array", image_to_chw(decoded, channels, height, width, what));
}

val data_loader_epoch_js(const val& data, const val& config) {
    const std::string what = "dataLoaderEpoch";
    TT_CHECK(data.typeOf().as<std::string>() == "object" && data["shape"].isArray() &&
                 data["shape"]["length"].as<int>() == 3,
             what << ": pass a data set {images, labels, shape: [C, H, W], numClasses}");
    auto images = std::make_shared<ImageDataset>();
    images->channels = whole_field(data["shape"], "0", what + " shape", 1, 4);
    images->height = whole_field(data["shape"], "1", what + " shape", 1, 4096);
    images->width = whole_field(data["shape"], "2", what + " shape", 1, 4096);
    images->num_classes = whole_field(data, "numClasses", what, 1, 256);
    images->pixels = bytes_from_js(data["images"], what + ": images");
    images->labels = bytes_from_js(data["labels"], what + ": labels");
    images->count = int64_t(images->labels.size());
    images->validate(what);
    DataLoaderOptions o;
    o.batch_size = whole_field(config, "batchSize", what, 1, 1 << 20);
    o.seed = uint64_t(number_field(config, "seed", 0, 0, 1 << 30, true));
    o.shuffle = !config["shuffle"].isFalse();
    o.drop_last = config["dropLast"].isTrue();
    o.prefetch = config["prefetch"].isTrue();
    if (config["augment"].isTrue()) {
        const std::vector<float> mean(size_t(images->channels), 0.5f), std(size_t(images->channels), 0.25f);
        o.transform = std::make_shared<Compose>(
            std::vector<std::shared_ptr<const Transform>>{std::make_shared<RandomCrop>(images->height, images->width,
                                                                                       4),
                                                          std::make_shared<RandomHorizontalFlip>(0.5f),
                                                          std::make_shared<Normalize>(mean, std)});
    }
    DataLoader loader(std::make_shared<ImageDatasetView>(images), o);
    std::vector<float> inputs, labels;
    for (Batch& batch : loader) {
        inputs.insert(inputs.end(), batch.inputs.data(), batch.inputs.data() + batch.inputs.numel());
        labels.insert(labels.end(), batch.labels.data(), batch.labels.data() + batch.labels.numel());
    }
    const LoaderTimes t = loader.times();
    val out = val::object();
    out.set("inputs", copy_to_js("Float32Array", inputs));
    out.set("labels", copy_to_js("Float32Array", labels));
    out.set("batches", double(t.batches));
    out.set("waitMs", t.wait_ms);
    out.set("computeMs", t.compute_ms);
    out.set("threaded", Prefetcher::threaded());
    return out;
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_data) {
    using namespace emscripten;
    using namespace tt::web;
    function("loaderBenchmark", guard<&loader_benchmark_js>);
    function("prefetchThreaded", &tt::Prefetcher::threaded);
    function("indexImageFolder", guard<&index_image_folder_js>);
    function("imageToChw", guard<&image_to_chw_js>);
    function("dataLoaderEpoch", guard<&data_loader_epoch_js>);
}
