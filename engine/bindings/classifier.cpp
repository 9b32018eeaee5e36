// Milestone 1 in the browser: pretrained classifiers (safetensors bytes) and packed data sets (.ttds bytes).
//
//   const card = await (await fetch('assets/mnist-mlp.json')).json();      // architecture + input shape
//   const model = new M.Classifier(card.architecture, card.input_shape, safetensorsBytes, 'mnist-mlp.safetensors');
//   const probs = model.predict(new Float32Array(784), 1);          // (1, 10) class probabilities
//   const data = new M.ImageDataset(ttdsBytes, 'mnist-test.ttds');
//   const correct = model.countCorrect(data, 0, 500);               // images [0, 500) of the set
// Both are C++ objects: call .delete() when done.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "classifier.h"
#include "datasets.h"
#include "guard.h"
#include "safetensors.h"

namespace tt::web {
namespace {

using emscripten::val;

val float_array(const float* data, size_t n) {  // a JS-owned copy (views die when the heap grows)
    return val::global("Float32Array").new_(emscripten::typed_memory_view(n, data));
}

class DatasetJS {
public:
    DatasetJS(const std::string& bytes, const std::string& name)
        : d_(parse_packed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name)) {}
    const ImageDataset& data() const { return d_; }
    int count() const { return int(d_.count); }
    int channels() const { return d_.channels; }
    int height() const { return d_.height; }
    int width() const { return d_.width; }
    int label(int i) const { return d_.label(i); }
    val image(int i) const {  // Uint8Array copy of image i (C*H*W bytes)
        return val::global("Uint8Array").new_(emscripten::typed_memory_view(size_t(d_.image_size()), d_.image(i)));
    }
    val batch(int start, int n) const {  // Float32Array (n, C, H, W), pixel / 255
        std::vector<float> x(size_t(n) * d_.image_size());
        d_.to_float(start, n, x.data());
        return float_array(x.data(), x.size());
    }

private:
    ImageDataset d_;
};

class ClassifierJS {
public:
    ClassifierJS(const std::string& architecture, const std::string& input_shape, const std::string& bytes,
                 const std::string& name) {
        int c = 0, h = 0, w = 0;
        TT_CHECK(std::sscanf(input_shape.c_str(), "%dx%dx%d", &c, &h, &w) == 3 && c > 0 && h > 0 && w > 0,
                 name << ": input shape '" << input_shape << "' is not CxHxW");
        shape_ = check_architecture(architecture, c, h, w);
        Generator gen(0);  // the initial values are overwritten by the checkpoint
        net_ = build_classifier(architecture, gen);
        net_->load_state_dict(load_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name));
        net_->eval();
        architecture_ = architecture;
    }
    std::string architecture() const { return architecture_; }
    std::string input_shape() const {
        return std::to_string(shape_.channels) + "x" + std::to_string(shape_.height) + "x" +
            std::to_string(shape_.width);
    }
    int input_size() const { return shape_.channels * shape_.height * shape_.width; }
    int num_classes() const { return shape_.classes; }
    int parameter_count() const { return int(net_->parameter_count()); }
    // x: Float32Array (batch, input_size) -> Float32Array (batch, classes) of softmax probabilities.
    val predict(val x, int batch) {
        std::vector<float> in = emscripten::convertJSArrayToNumberVector<float>(x);
        TT_CHECK(batch > 0 && int64_t(in.size()) == int64_t(batch) * input_size(),
                 "Classifier.predict: got " << in.size() << " values for a batch of " << batch << " x "
                                            << input_size());
        Tensor z = forward(std::move(in), batch);
        std::vector<float> p = z.to_vector();
        const int K = shape_.classes;
        for (int b = 0; b < batch; b++) {
            float* row = p.data() + b * K;
            const float m = *std::max_element(row, row + K);
            float sum = 0.0f;
            for (int k = 0; k < K; k++) sum += (row[k] = std::exp(row[k] - m));
            for (int k = 0; k < K; k++) row[k] /= sum;
        }
        return float_array(p.data(), p.size());
    }
    // Median ms per forward pass on x (batch, input_size), by tt::time_forward: the same loop the student's compiled
    // inference program runs (web/apps/infer_main.cpp), so milestone 1 compares the two engines on one timing path.
    double time_forward_ms(val x, int batch, double sample_seconds) {
        std::vector<float> in = emscripten::convertJSArrayToNumberVector<float>(x);
        TT_CHECK(batch > 0 && int64_t(in.size()) == int64_t(batch) * input_size(),
                 "Classifier.timeForward: got " << in.size() << " values for a batch of " << batch << " x "
                                                << input_size());
        const Tensor input({batch, shape_.channels, shape_.height, shape_.width}, std::move(in));
        return time_forward(*net_, input, sample_seconds) * 1000;
    }
    // Predicted class of images [start, start + n) of a data set: Int32Array.
    val classify(const DatasetJS& data, int start, int n) {
        const std::vector<int> out = classify_range(data.data(), start, n);
        return val::global("Int32Array").new_(emscripten::typed_memory_view(out.size(), out.data()));
    }
    int count_correct(const DatasetJS& data, int start, int n) {
        const std::vector<int> out = classify_range(data.data(), start, n);
        int correct = 0;
        for (int i = 0; i < n; i++) correct += out[size_t(i)] == data.data().label(start + i);
        return correct;
    }

private:
    Tensor forward(std::vector<float> x, int batch) {
        Tensor input({batch, shape_.channels, shape_.height, shape_.width}, std::move(x));
        return net_->forward(input).contiguous();
    }
    std::vector<int> classify_range(const ImageDataset& d, int start, int n) {
        TT_CHECK(d.image_size() == input_size(),
                 "Classifier: the model takes " << input_shape() << " inputs, the data set has " << d.channels << "x"
                                                << d.height << "x" << d.width);
        TT_CHECK(start >= 0 && n >= 0 && start + n <= d.count,
                 "Classifier: images [" << start << ", " << start + n << ") out of range for " << d.count);
        std::vector<int> out;
        const int K = shape_.classes;
        for (int s = start; s < start + n; s += 256) {  // the same batches as `tt eval`: the same sums
            const int b = std::min(256, start + n - s);
            std::vector<float> x(size_t(b) * d.image_size());
            d.to_float(s, b, x.data());
            const Tensor z = forward(std::move(x), b);
            const float* zp = z.data();
            for (int i = 0; i < b; i++) out.push_back(int(std::max_element(zp + i * K, zp + i * K + K) - (zp + i * K)));
        }
        return out;
    }
    std::string architecture_;
    ClassifierShape shape_{};
    std::shared_ptr<nn::Sequential> net_;
};

// Factories, so that bad bytes become a JS Error with the message (guard<> wraps free functions).
DatasetJS* make_dataset(const std::string& bytes, const std::string& name) { return new DatasetJS(bytes, name); }
ClassifierJS* make_classifier(const std::string& architecture, const std::string& input_shape, const std::string& bytes,
                              const std::string& name) {
    return new ClassifierJS(architecture, input_shape, bytes, name);
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_classifier) {
    using namespace emscripten;
    using namespace tt::web;
    class_<DatasetJS>("ImageDataset")
        .constructor(guard<&make_dataset>, allow_raw_pointers())
        .function("count", guard<&DatasetJS::count>)
        .function("channels", guard<&DatasetJS::channels>)
        .function("height", guard<&DatasetJS::height>)
        .function("width", guard<&DatasetJS::width>)
        .function("label", guard<&DatasetJS::label>)
        .function("image", guard<&DatasetJS::image>)
        .function("batch", guard<&DatasetJS::batch>);
    class_<ClassifierJS>("Classifier")
        .constructor(guard<&make_classifier>, allow_raw_pointers())
        .function("architecture", guard<&ClassifierJS::architecture>)
        .function("inputShape", guard<&ClassifierJS::input_shape>)
        .function("inputSize", guard<&ClassifierJS::input_size>)
        .function("numClasses", guard<&ClassifierJS::num_classes>)
        .function("parameterCount", guard<&ClassifierJS::parameter_count>)
        .function("predict", guard<&ClassifierJS::predict>)
        .function("timeForward", guard<&ClassifierJS::time_forward_ms>)
        .function("classify", guard<&ClassifierJS::classify>)
        .function("countCorrect", guard<&ClassifierJS::count_correct>);
}
