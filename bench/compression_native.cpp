// tt_compression_native: module 16's compression table, natively — for the MNIST MLP and the Fashion CNN, each form
// (fp32, int8 per channel with calibrated inputs, int8 per tensor, int4 group 32): file size, test accuracy, median
// latency at batch 1 and 64 (this process's CPU clock: the machine is shared). Also writes TinyGPT's weights
// quantized and dequantized again (int8 per channel, int4 group 32) for `tt eval tinygpt --weights`, which gives
// their validation loss (bench/compression.mjs runs it).
//   tt_compression_native ASSETS_DIR DATASETS_DIR OUT_DIR [seconds-per-sample] [forms,comma,separated]
// Prints a JSON document on stdout.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compression.h"
#include "json.h"
#include "median_time.h"
#include "quant.h"
#include "quantized.h"
#include "quantized_io.h"
#include "safetensors.h"
#include "simd.h"

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// TinyGPT's matrices (2-D "...weight" tensors: projections, MLP, embeddings) quantized and dequantized again: the
// loss of the real quantized model, with the float kernels. Returns the bytes the quantized file would take.
int64_t fake_quantize_gpt(const std::string& in, const std::string& out, int bits) {
    const std::vector<uint8_t> bytes = tt::read_file_bytes(in);
    const auto meta = tt::load_safetensors_metadata(bytes.data(), bytes.size(), in);
    tt::StateDict sd = tt::load_safetensors(bytes, in);
    int64_t stored = 0;
    for (auto& kv : sd) {
        tt::Tensor& t = kv.second;
        const bool matrix = t.dim() == 2 && kv.first.size() > 6 && kv.first.substr(kv.first.size() - 6) == "weight";
        if (!matrix) {
            stored += t.nbytes();
            continue;
        }
        const int rows = int(t.shape(0)), cols = int(t.shape(1));
        if (bits == 8) {
            std::vector<float> scales(static_cast<size_t>(rows));
            std::vector<int8_t> q(size_t(rows) * cols);
            tt::quantize_per_channel_int8(t.data(), rows, cols, scales.data(), q.data());
            tt::dequantize_per_channel_int8(q.data(), rows, cols, scales.data(), t.data());
            stored += int64_t(q.size()) + 4 * rows;
        } else {
            std::vector<float> scales(size_t(rows) * tt::int4_groups(cols, tt::kInt4Group));
            std::vector<uint8_t> packed(size_t(rows) * tt::int4_row_bytes(cols));
            tt::quantize_int4(t.data(), rows, cols, tt::kInt4Group, scales.data(), packed.data());
            tt::dequantize_int4(packed.data(), scales.data(), rows, cols, tt::kInt4Group, t.data());
            stored += int64_t(packed.size() + 4 * scales.size());
        }
    }
    const std::vector<uint8_t> file = tt::save_safetensors(sd, meta);
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.data()), std::streamsize(file.size()));
    return stored;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: tt_compression_native ASSETS_DIR DATASETS_DIR OUT_DIR [seconds] [forms]\n");
        return 2;
    }
    const std::string assets = argv[1], datasets = argv[2], out_dir = argv[3];
    const double target = argc > 4 ? std::atof(argv[4]) : 0.1;
    std::vector<std::string> forms = {"fp32", "int8", "int8-tensor", "int8-u7", "int4"};
    if (argc > 5) {
        forms.clear();
        std::stringstream list(argv[5]);
        for (std::string f; std::getline(list, f, ',');) forms.push_back(f);
    }
    tt::bench::use_cpu_clock = true;
    tt::Json models = tt::Json::array();
    struct Model {
        const char* name;
        const char* dataset;
    };
    for (const Model m : {Model{"mnist-mlp", "mnist"}, Model{"fashion-cnn", "fashion-mnist"}}) {
        const tt::Json card = tt::parse_json(read_text(assets + "/" + m.name + ".json"), m.name);
        const std::string arch = card.find("architecture")->as_string();
        const int64_t test_count = int64_t(card.find("test_count")->as_number());
        const tt::ImageDataset test = tt::read_packed(datasets + "/" + m.dataset + "-test.ttds");
        const tt::ImageDataset train = tt::read_packed(datasets + "/" + m.dataset + "-train.ttds");
        // Calibration: the last 512 training images (the MLP trained on the first 8000); never the test set.
        const std::vector<tt::Tensor> calibration = tt::image_batches(train, train.count - 512, 512, 64);
        const std::vector<uint8_t> fp32 = tt::read_file_bytes(assets + "/" + m.name + ".safetensors");
        tt::Json rows = tt::Json::array();
        for (const std::string& form : forms) {
            const std::vector<uint8_t> file = tt::compress_classifier(fp32, arch, form, calibration);
            auto net = tt::load_classifier(file, form, arch);
            const int64_t correct = tt::count_correct(*net, test, test_count);
            tt::Json row = tt::Json::object();
            row.set("form", form).set("bytes", int64_t(file.size())).set("model_bytes", tt::nn::model_bytes(*net));
            row.set("correct", correct).set("count", test_count);
            for (const int64_t batch : {int64_t(1), int64_t(64)}) {
                const tt::Tensor x = tt::image_batches(test, 0, batch, batch)[0];
                const double s = tt::bench::median_seconds([&] { net->forward(x); }, target, 7, 3);
                row.set(batch == 1 ? "ms_b1" : "ms_b64", s * 1e3);
            }
            rows.push_back(row);
            std::fprintf(stderr, "%s %s: %lld / %lld\n", m.name, form.c_str(), (long long)correct,
                         (long long)test_count);
        }
        tt::Json model = tt::Json::object();
        model.set("name", m.name).set("architecture", arch).set("rows", rows);
        models.push_back(model);
    }
    tt::Json gpt = tt::Json::object();
    for (const int bits : {8, 4}) {
        const std::string path = out_dir + "/tinygpt-int" + std::to_string(bits) + ".safetensors";
        gpt.set("int" + std::to_string(bits) + "_bytes",
                fake_quantize_gpt(assets + "/tinygpt.safetensors", path, bits));
        gpt.set("int" + std::to_string(bits) + "_file", path);
    }
    tt::Json doc = tt::Json::object();
    doc.set("engine", "native").set("simd", tt::simd_arch_name()).set("qgemm", tt::qgemm_path());
    doc.set("clock", "cpu").set("models", models).set("tinygpt", gpt);
    std::printf("%s\n", doc.dump().c_str());
    return 0;
}
