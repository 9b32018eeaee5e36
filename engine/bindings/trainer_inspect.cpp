// The milestone-2 Trainer (models/cnn_trainer.h, the loop the student's build runs too: web/apps/train_cnn_main.cpp)
// from JS, and what the page shows of it: the layer table before training, the evaluation with its confusion matrix,
// first-layer filters and feature maps, and the export for milestone 1 and PyTorch (safetensors named like
// nn.Sequential's state_dict + a model card).
//
//     const t = new M.Trainer('conv:1:16:3:1 relu maxpool:2 flatten linear:3136:10', '1x28x28', {lr: 0.05});
//     t.setPackedData('train', ttdsBytes, 'fashion-mnist-train.ttds', 2000);   // or setData(which, images, labels)
//     const r = t.trainSteps(10);          // {steps, loss, correct, samples, lr, epochEnd, step, epoch}
//     const v = t.evaluate('validation', 0, -1);   // {loss, correct, count, confusion: Int32Array C*C, predicted}
//     const ckpt = t.saveCheckpoint();     // Uint8Array; new Trainer(same args) + setData + loadCheckpoint(ckpt)
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "cnn_trainer.h"
#include "error.h"
#include "grad_mode.h"
#include "guard.h"
#include "json.h"
#include "safetensors.h"

namespace tt::web {
namespace {

using emscripten::val;

template <typename T>
val typed(const char* type, const std::vector<T>& v) {  // a JS-owned copy (views die when the heap grows)
    return val::global(type).new_(emscripten::typed_memory_view(v.size(), v.data()));
}
val bytes_of(const std::vector<uint8_t>& v) { return typed("Uint8Array", v); }
val shape_of(const Shape& s) {
    val out = val::array();
    for (int64_t d : s) out.call<void>("push", double(d));
    return out;
}

// The options object as JSON, read by the same code as the student's build reads its job file (train_cnn_main.cpp).
CNNTrainer* make_trainer(const std::string& architecture, const std::string& input_shape, val o) {
    const std::string text =
        o.isUndefined() || o.isNull() ? "{}" : val::global("JSON").call<std::string>("stringify", o);
    return new CNNTrainer(architecture, input_shape, CNNTrainerOptions::from_json(parse_json(text, "Trainer options")));
}

void set_data(CNNTrainer& t, const std::string& which, const std::string& images, const std::string& labels) {
    ImageDataset d;
    d.channels = t.shape.channels, d.height = t.shape.height, d.width = t.shape.width;
    d.count = int64_t(labels.size());
    TT_CHECK(int64_t(images.size()) == d.count * d.image_size(),
             "Trainer.setData: " << images.size() << " image bytes for " << d.count << " labels of " << d.image_size()
                                 << " bytes each (C*H*W)");
    d.pixels.assign(images.begin(), images.end());
    d.labels.assign(labels.begin(), labels.end());
    t.set_data(which, std::move(d));
}

// A packed .ttds set (what the site ships), its first `limit` images (0: all).
void set_packed_data(CNNTrainer& t, const std::string& which, const std::string& bytes, const std::string& name,
                     double limit) {
    ImageDataset d = parse_packed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
    if (limit > 0 && int64_t(limit) < d.count) {
        d.count = int64_t(limit);
        d.labels.resize(size_t(d.count));
        d.pixels.resize(size_t(d.count * d.image_size()));
    }
    t.set_data(which, std::move(d));
}

val train_steps(CNNTrainer& t, int k) {
    const CNNStepResult r = t.train_steps(k);
    val out = val::object();
    out.set("steps", r.steps);
    out.set("loss", r.loss);
    out.set("correct", double(r.correct));
    out.set("samples", double(r.samples));
    out.set("lr", r.lr);
    out.set("epochEnd", r.epoch_end);
    out.set("step", double(t.step()));
    out.set("epoch", double(t.epoch()));
    out.set("finished", t.finished());
    return out;
}

val evaluate(CNNTrainer& t, const std::string& which, double start, double n) {
    const CNNEvalResult r = t.evaluate(which, int64_t(start), int64_t(n));
    val out = val::object();
    out.set("loss", r.loss);
    out.set("correct", double(r.correct));
    out.set("count", double(r.count));
    out.set("accuracy", r.count ? double(r.correct) / double(r.count) : 0.0);
    out.set("confusion", typed("Int32Array", r.confusion));
    out.set("predicted", typed("Int32Array", r.predicted));
    return out;
}

val image_of(CNNTrainer& t, const std::string& which, double i) {
    const ImageDataset& d = t.data(which);
    const uint8_t* p = d.image(int64_t(i));  // bounds-checked
    return bytes_of(std::vector<uint8_t>(p, p + d.image_size()));
}
int label_of(CNNTrainer& t, const std::string& which, double i) { return t.data(which).label(int64_t(i)); }
double count_of(CNNTrainer& t, const std::string& which) { return double(t.data(which).count); }

val predict(CNNTrainer& t, const std::string& which, double i) {
    return typed("Float32Array", t.probabilities(t.data(which).image(int64_t(i))));
}
val predict_image(CNNTrainer& t, const std::string& image) {
    TT_CHECK(int64_t(image.size()) == int64_t(t.shape.channels) * t.shape.height * t.shape.width,
             "Trainer.predictImage: " << image.size() << " bytes, the model takes " << t.shape.channels << "x"
                                      << t.shape.height << "x" << t.shape.width);
    return typed("Float32Array", t.probabilities(reinterpret_cast<const uint8_t*>(image.data())));
}

// The first layer with a 4-d weight (a Conv2d): its weights [OC, C, K, K].
val filters(CNNTrainer& t) {
    for (const auto& child : t.net->children())
        for (const auto& p : child.second->named_parameters())
            if (p.first == "weight" && p.second->value.dim() == 4) {
                val out = val::object();
                out.set("data", typed("Float32Array", p.second->value.contiguous().to_vector()));
                out.set("shape", shape_of(p.second->value.shape()));
                out.set("layer", child.first);
                return out;
            }
    return val::null();  // an MLP has no filters
}

// One image through the layers up to the first Conv2d and the activation / norm right after it: [OC, H, W].
val feature_maps(CNNTrainer& t, const std::string& which, double i) {
    const int64_t index = int64_t(i);
    const ImageDataset& d = t.data(which);
    d.image(index);  // bounds check with a clear message
    autograd::NoGrad no_grad;
    t.net->eval();
    Tensor x = t.batch(d, &index, 1, nullptr);
    bool conv = false;
    for (const auto& child : t.net->children()) {
        const std::string type = child.second->type_name();
        if (conv && type != "ReLU" && type != "Tanh" && type != "BatchNorm2d") break;
        x = (*child.second)(x);
        conv = conv || type == "Conv2d";
    }
    t.net->train();
    if (!conv) return val::null();
    val out = val::object();
    out.set("data", typed("Float32Array", x.contiguous().to_vector()));
    out.set("shape", shape_of(Shape(x.shape().begin() + 1, x.shape().end())));
    return out;
}

int64_t product(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

// Per layer of one example: output shape, parameters, forward FLOPs (multiply-adds count 2, as module 10's systems
// panel counts them), feature-map bytes. A JSON string.
std::string summary(CNNTrainer& t) {
    autograd::NoGrad no_grad;
    t.net->eval();
    Tensor x({1, t.shape.channels, t.shape.height, t.shape.width});
    const std::vector<LayerSpec> specs = parse_architecture(t.architecture);
    Json layers = Json::array();
    int64_t flops = 0, bytes = 0;
    for (size_t i = 0; i < t.net->children().size(); i++) {
        nn::Module& layer = *t.net->children()[i].second;
        const Shape in = x.shape();
        x = layer(x);
        const Shape out(x.shape().begin() + 1, x.shape().end());
        const std::string type = layer.type_name();
        int64_t f = product(out);  // elementwise
        if (type == "Conv2d" || type == "Linear") {
            const Shape w = layer.named_parameters().front().second->value.shape();
            f = 2 * product(out) * product(Shape(w.begin() + 1, w.end()));
        } else if (type == "MaxPool2d" || type == "AvgPool2d") f = product(in) / in[0];
        else if (type == "BatchNorm2d") f = 2 * product(out);
        else if (type == "Flatten") f = 0;
        Json row = Json::object(), dims = Json::array();
        for (int64_t dim : out) dims.push_back(dim);
        row.set("name", t.net->children()[i].first)
            .set("type", type)
            .set("spec", format_architecture({specs[i]}))
            .set("output", dims)
            .set("parameters", layer.parameter_count())
            .set("flops", f)
            .set("activation_bytes", 4 * product(out));
        layers.push_back(row);
        flops += f, bytes += 4 * product(out);
    }
    t.net->train();
    Json s = Json::object();
    s.set("architecture", t.architecture)
        .set("input",
             std::to_string(t.shape.channels) + "x" + std::to_string(t.shape.height) + "x" +
                 std::to_string(t.shape.width))
        .set("classes", t.shape.classes)
        .set("layers", layers)
        .set("parameters", t.net->parameter_count())
        .set("parameter_bytes", t.net->parameter_bytes())
        .set("flops", flops)
        .set("activation_bytes", bytes);
    return s.dump();
}

val export_weights(CNNTrainer& t) { return bytes_of(save_safetensors(t.net->state_dict())); }

// The model card of assets/*.json (engine/cli/train.cpp) plus the normalisation; `extra` (a JSON object from the
// page: name, classes, dataset, accuracy) is merged in last.
std::string model_card(CNNTrainer& t, const std::string& extra) {
    const CNNTrainerOptions& o = t.options;
    Json mean = Json::array(), stddev = Json::array();
    for (int c = 0; c < t.shape.channels; c++) mean.push_back(t.mean[size_t(c)]), stddev.push_back(t.stddev[size_t(c)]);
    Json norm = Json::object(), training = Json::object(), data = Json::object(), card = Json::object();
    norm.set("mean", mean).set("std", stddev);
    data.set("train_examples", t.data("train").count)
        .set("preprocessing",
             o.normalize ? "(pixel / 255 - mean[c]) / std[c], mean and std per channel of the "
                           "training images (normalization)"
                         : "pixel / 255");
    training.set("optimizer", o.optimizer)
        .set("lr", o.lr)
        .set("momentum", o.momentum)
        .set("weight_decay", o.weight_decay)
        .set("lr_schedule", o.schedule)
        .set("warmup_steps", o.warmup)
        .set("batch_size", o.batch_size)
        .set("epochs", o.epochs)
        .set("steps", t.step())
        .set("seed", double(o.seed))
        .set("augmentation",
             (o.crop_padding ? "random crop, padding " + std::to_string(o.crop_padding) : "none") +
                 std::string(o.flip ? " + horizontal flip" : ""));
    card.set("architecture", t.architecture)
        .set("input_shape",
             std::to_string(t.shape.channels) + "x" + std::to_string(t.shape.height) + "x" +
                 std::to_string(t.shape.width))
        .set("parameters", t.net->parameter_count())
        .set("normalization", norm)
        .set("data", data)
        .set("training", training)
        .set("engine", "web reference (milestone-cnn-training.html)");
    if (!extra.empty()) {
        const Json more = parse_json(extra, "modelCard extra");  // a local: members() refers into it
        TT_CHECK(more.is_object(), "modelCard: extra must be a JSON object");
        for (const auto& member : more.members()) card.set(member.first, member.second);
    }
    return card.dump(2) + "\n";
}

val save_checkpoint(CNNTrainer& t) { return bytes_of(t.save_checkpoint()); }
void load_checkpoint(CNNTrainer& t, const std::string& bytes) {
    t.load_checkpoint(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}
val normalization(CNNTrainer& t) {
    val out = val::object();
    out.set("mean", typed("Float32Array", t.mean));
    out.set("std", typed("Float32Array", t.stddev));
    return out;
}
double step_of(CNNTrainer& t) { return double(t.step()); }
double epoch_of(CNNTrainer& t) { return double(t.epoch()); }
double steps_per_epoch(CNNTrainer& t) { return double(t.steps_per_epoch()); }
double total_steps(CNNTrainer& t) { return double(t.total_steps()); }
bool finished(CNNTrainer& t) { return t.finished(); }
int num_classes(CNNTrainer& t) { return t.shape.classes; }

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_trainer) {
    using namespace emscripten;
    using namespace tt::web;
    class_<tt::CNNTrainer>("Trainer")
        .constructor(guard<&make_trainer>, allow_raw_pointers())
        .function("setData", guard<&set_data>)
        .function("setPackedData", guard<&set_packed_data>)
        .function("trainSteps", guard<&train_steps>)
        .function("evaluate", guard<&evaluate>)
        .function("count", guard<&count_of>)
        .function("image", guard<&image_of>)
        .function("label", guard<&label_of>)
        .function("predict", guard<&predict>)
        .function("predictImage", guard<&predict_image>)
        .function("filters", guard<&filters>)
        .function("featureMaps", guard<&feature_maps>)
        .function("summary", guard<&summary>)
        .function("exportWeights", guard<&export_weights>)
        .function("modelCard", guard<&model_card>)
        .function("saveCheckpoint", guard<&save_checkpoint>)
        .function("loadCheckpoint", guard<&load_checkpoint>)
        .function("normalization", guard<&normalization>)
        .function("step", guard<&step_of>)
        .function("epoch", guard<&epoch_of>)
        .function("stepsPerEpoch", guard<&steps_per_epoch>)
        .function("totalSteps", guard<&total_steps>)
        .function("finished", guard<&finished>)
        .function("numClasses", guard<&num_classes>);
}
