// Module 16 in the browser: one pretrained classifier in each compressed form, measured by the same engine code as
// the native table (engine/models/compression.h), so the int8 accuracy can be compared with the native one.
//
//   const lab = new M.CompressionLab(card.architecture, weightsBytes, testTtdsBytes, 'mnist-test.ttds', 2000,
//                                    calibTtdsBytes, calibStart, 512);   // calibTtdsBytes '' -> dynamic int8
//   const row = JSON.parse(lab.measure('int8', 0.05));  // {form, bytes, model_bytes, correct, count, ms_b1, ms_b64}
//   const file = lab.file('int8');                      // Uint8Array: the quantized safetensors (tt.arch, tt.quant)
//   lab.delete();
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <map>
#include <memory>
#include <string>

#include "classifier.h"
#include "compression.h"
#include "guard.h"
#include "json.h"
#include "quant.h"
#include "quantized.h"
#include "quantized_io.h"

namespace tt::web {
namespace {

using emscripten::val;

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

class CompressionLab {
public:
    CompressionLab(const std::string& arch, const std::string& weights, const std::string& test_bytes,
                   const std::string& test_name, int test_count, const std::string& calib_bytes, int calib_start,
                   int calib_count)
        : arch_(arch),
          fp32_(bytes_of(weights)),
          test_(parse_packed(reinterpret_cast<const uint8_t*>(test_bytes.data()), test_bytes.size(), test_name)),
          test_count_(test_count) {
        TT_CHECK(test_count > 0 && test_count <= test_.count,
                 "CompressionLab: test_count " << test_count << " of " << test_.count << " images");
        if (!calib_bytes.empty()) {
            const ImageDataset calib =
                parse_packed(reinterpret_cast<const uint8_t*>(calib_bytes.data()), calib_bytes.size(), "calibration");
            calibration_ = image_batches(calib, calib_start, calib_count, 64);
        }
    }
    val file(const std::string& form) {
        const std::vector<uint8_t>& f = file_of(form);
        return val::global("Uint8Array").new_(emscripten::typed_memory_view(f.size(), f.data()));
    }
    std::string measure(const std::string& form, double sample_seconds) {
        const std::vector<uint8_t>& f = file_of(form);
        auto net = load_classifier(f, form, arch_);
        Json row = Json::object();
        row.set("form", form).set("bytes", int64_t(f.size())).set("model_bytes", nn::model_bytes(*net));
        row.set("correct", count_correct(*net, test_, test_count_)).set("count", int64_t(test_count_));
        for (const int64_t batch : {int64_t(1), int64_t(64)}) {
            const Tensor x = image_batches(test_, 0, batch, batch)[0];
            row.set(batch == 1 ? "ms_b1" : "ms_b64", time_forward(*net, x, sample_seconds) * 1e3);
        }
        return row.dump();
    }
    std::string qgemm() const { return qgemm_path(); }

private:
    const std::vector<uint8_t>& file_of(const std::string& form) {
        auto it = files_.find(form);
        if (it == files_.end()) it = files_.emplace(form, compress_classifier(fp32_, arch_, form, calibration_)).first;
        return it->second;
    }
    std::string arch_;
    std::vector<uint8_t> fp32_;
    ImageDataset test_;
    int test_count_;
    std::vector<Tensor> calibration_;
    std::map<std::string, std::vector<uint8_t>> files_;
};

CompressionLab* make_lab(const std::string& arch, const std::string& weights, const std::string& test_bytes,
                         const std::string& test_name, int test_count, const std::string& calib_bytes, int calib_start,
                         int calib_count) {
    return new CompressionLab(arch, weights, test_bytes, test_name, test_count, calib_bytes, calib_start, calib_count);
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_compression) {
    using namespace emscripten;
    using namespace tt::web;
    class_<CompressionLab>("CompressionLab")
        .constructor(guard<&make_lab>, allow_raw_pointers())
        .function("file", guard<&CompressionLab::file>)
        .function("measure", guard<&CompressionLab::measure>)
        .function("qgemm", guard<&CompressionLab::qgemm>);
}
