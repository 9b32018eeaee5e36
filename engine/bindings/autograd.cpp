// What a graph, an optimizer and a training step cost, for the systems panels of modules 07-09.
//
// Each panel (web/js/course/systems/07.mjs .. 09.mjs) makes one call; the engine measures and returns JSON text
// (core/json.h):
//
//     JSON.parse(M.autogradGraphReport('flatten linear:784:256 relu linear:256:10', '1x28x28', 64))
//     JSON.parse(M.optimizerStateReport(architecture, inputShape, batch))
//     JSON.parse(M.trainingMemoryReport(architecture, inputShape, batch))
//
// One coarse call per panel rather than every autograd op bound to JS: the measurement loops stay in C++, and no
// tensor crosses the boundary (nothing for the page to leak).
//
// The networks are the model cards' one-line architectures (models/classifier.h), run as tt::F ops on the
// parameters of build_classifier's Sequential. Why not the Sequential itself: a layer with a hand-written backward
// keeps what its backward needs inside the layer (nn/module_bridge.cpp), out of the graph's sight. Written with F,
// every tensor kept for backward is a saved tensor of the graph, and graph_stats (autograd/graph.h) counts it.
#include <emscripten/bind.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adam.h"
#include "checkpoint.h"
#include "classifier.h"
#include "functional.h"
#include "graph.h"
#include "guard.h"
#include "json.h"
#include "losses.h"
#include "profile.h"
#include "sgd.h"
#include "train_loop.h"

namespace tt::web {
namespace {

// The classifier as F ops. Sequential's children stay the owners of the parameters (names "net.0.weight", ...).
class TapeClassifier : public nn::Module {
public:
    TapeClassifier(const std::string& architecture, const std::string& input_shape, uint64_t seed) {
        int c = 0, h = 0, w = 0;
        TT_CHECK(std::sscanf(input_shape.c_str(), "%dx%dx%d", &c, &h, &w) == 3 && c > 0 && h > 0 && w > 0,
                 "input shape '" << input_shape << "' is not CxHxW");
        shape_ = check_architecture(architecture, c, h, w);
        specs_ = parse_architecture(architecture);
        Generator gen(seed);
        net_ = register_module("net", build_classifier(architecture, gen));
    }

    Tensor forward(const Tensor& x) override { return layers(x, 0, specs_.size()); }
    Tensor backward(const Tensor&) override {
        TT_CHECK(false, "TapeClassifier records its graph with tt::F: call backward() on the loss");
        return Tensor();
    }
    bool records_own_graph() const override { return true; }
    std::string type_name() const override { return "TapeClassifier"; }

    // Layers [from, to) applied to x.
    Tensor layers(Tensor x, size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            const LayerSpec& s = specs_[i];
            nn::Module& layer = (*net_)[i];
            switch (s.kind) {
                case LayerSpec::Linear: x = F::linear(x, param(layer, "weight"), param(layer, "bias")); break;
                case LayerSpec::Conv2d:
                    x = F::conv2d(x, param(layer, "weight"), param(layer, "bias"), 1, s.padding);
                    break;
                case LayerSpec::ReLU: x = F::relu(x); break;
                case LayerSpec::Tanh: x = F::tanh(x); break;
                case LayerSpec::MaxPool2d: x = F::max_pool2d(x, s.kernel); break;
                case LayerSpec::Flatten: x = F::reshape(x, {x.shape(0), x.numel() / x.shape(0)}); break;
            }
        }
        return x;
    }
    size_t size() const { return specs_.size(); }
    // The segments to checkpoint, as [from, to) layer ranges: each block that ends in a pooling layer (a CNN's
    // conv-relu-pool), or, without pooling, every layer before the last Linear (an MLP's hidden layers).
    std::vector<std::pair<size_t, size_t>> segments() const {
        std::vector<std::pair<size_t, size_t>> out;
        size_t from = 0;
        for (size_t i = 0; i < specs_.size(); ++i)
            if (specs_[i].kind == LayerSpec::MaxPool2d) out.emplace_back(from, i + 1), from = i + 1;
        if (!out.empty()) return out;
        size_t head = specs_.size();
        while (head > 0 && specs_[head - 1].kind != LayerSpec::Linear) --head;
        if (head > 1) out.emplace_back(0, head - 1);
        return out;
    }
    std::string layer_names(size_t from, size_t to) const {
        const std::string all = format_architecture(specs_);
        std::vector<std::string> words;
        for (size_t a = 0, b; a <= all.size(); a = b + 1) {
            b = std::min(all.find(' ', a), all.size());
            words.push_back(all.substr(a, b - a));
        }
        std::string out;
        for (size_t i = from; i < to && i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
        return out;
    }

    Tensor input(int batch) const { return randn({batch, shape_.channels, shape_.height, shape_.width}, 21); }
    Tensor target(int batch) const {  // class indices spread over every class
        std::vector<float> t(static_cast<size_t>(batch));
        for (int i = 0; i < batch; ++i) t[size_t(i)] = float((7 * i + 3) % shape_.classes);
        return Tensor({batch}, std::move(t));
    }

private:
    static Tensor param(nn::Module& layer, const std::string& name) {
        for (auto& [n, p] : layer.named_parameters())
            if (n == name) return p->value;
        TT_CHECK(false, layer.type_name() << " has no parameter '" << name << "'");
        return Tensor();
    }

    std::vector<LayerSpec> specs_;
    ClassifierShape shape_{};
    std::shared_ptr<nn::Sequential> net_;
};

double median_ms(const std::function<void()>& work, int repeats = 5) {
    return Timer(1, repeats).measure(work).median_ms;
}

std::vector<Tensor> grads_of(nn::Module& model) {
    std::vector<Tensor> out;
    for (nn::Parameter* p : model.parameters()) out.push_back(p->grad.clone());
    return out;
}

double max_abs_difference(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::vector<float> x = a[i].to_vector(), y = b[i].to_vector();
        for (size_t j = 0; j < x.size(); ++j) m = std::max(m, double(std::fabs(x[j] - y[j])));
    }
    return m;
}

int64_t grad_bytes(nn::Module& model) {
    int64_t n = 0;
    for (nn::Parameter* p : model.parameters()) n += p->grad.nbytes();
    return n;
}

Json model_json(TapeClassifier& model, const std::string& architecture, int batch) {
    Json out = Json::object();
    return out.set("architecture", architecture)
        .set("batch", batch)
        .set("parameters", model.parameter_count())
        .set("parameter_bytes", model.parameter_bytes());
}

// ---- 07: the graph of a forward pass, with and without checkpointing the body ---------------------------------
std::string autograd_graph_report(const std::string& architecture, const std::string& input_shape, int batch) {
    TT_CHECK(batch > 0, "autogradGraphReport: batch must be > 0, got " << batch);
    TapeClassifier model(architecture, input_shape, 1);
    const Tensor x = model.input(batch), t = model.target(batch);
    const auto segments = model.segments();
    auto loss_of = [&](bool checkpointed) {
        Tensor h = x;
        size_t at = 0;
        for (const auto& [from, to] : segments) {
            h = model.layers(h, at, from);
            auto segment = [&model, from = from, to = to](const Tensor& in) { return model.layers(in, from, to); };
            h = checkpointed ? F::checkpoint(segment, h) : segment(h);
            at = to;
        }
        return F::cross_entropy(model.layers(h, at, model.size()), t);
    };
    Json out = model_json(model, architecture, batch);
    Json names = Json::array();
    for (const auto& [from, to] : segments) names.push_back(model.layer_names(from, to));
    out.set("segments", std::move(names));
    Json runs = Json::array();
    std::vector<Tensor> plain_grads;
    for (bool checkpointed : {false, true}) {
        model.zero_grad();
        const int64_t live = memory::live_bytes();
        memory::reset_peak();
        Tensor loss = loss_of(checkpointed);
        const autograd::GraphStats s = autograd::graph_stats(loss);
        const int64_t held = memory::live_bytes() - live;  // what the graph keeps alive until backward
        loss.backward();
        const int64_t peak = memory::peak_bytes() - live;
        const std::vector<Tensor> grads = grads_of(model);
        if (!checkpointed) plain_grads = grads;
        const double forward_ms = median_ms([&] { loss_of(checkpointed); });
        const double step_ms = median_ms([&] { loss_of(checkpointed).backward(); });
        Json r = Json::object();
        r.set("checkpoint", checkpointed)
            .set("nodes", s.nodes)
            .set("saved_tensors", s.saved_tensors)
            .set("saved_bytes", s.saved_bytes)
            .set("activation_bytes", s.activation_bytes)
            .set("held_after_forward_bytes", held)
            .set("peak_bytes", peak)
            .set("loss", loss.item())
            .set("forward_ms", forward_ms)
            .set("forward_backward_ms", step_ms);
        if (checkpointed) r.set("max_grad_difference", max_abs_difference(grads, plain_grads));
        runs.push_back(std::move(r));
    }
    return out.set("runs", std::move(runs)).dump();
}

// ---- 08: optimizer state per parameter byte, from each optimizer's state_dict after one step -------------------
std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, std::vector<nn::Parameter*> params) {
    if (name == "SGD") return std::make_unique<optim::SGD>(params, optim::Options{{"lr", 0.01}});
    if (name == "SGD momentum 0.9")
        return std::make_unique<optim::SGD>(params, optim::Options{{"lr", 0.01}, {"momentum", 0.9}});
    if (name == "Adam") return std::make_unique<optim::Adam>(params);
    if (name == "AdamW") return std::make_unique<optim::AdamW>(params);
    TT_CHECK(false, "no optimizer named '" << name << "'");
    return nullptr;
}

std::string optimizer_state_report(const std::string& architecture, const std::string& input_shape, int batch) {
    TT_CHECK(batch > 0, "optimizerStateReport: batch must be > 0, got " << batch);
    Json rows = Json::array();
    Json out;
    for (const char* name : {"SGD", "SGD momentum 0.9", "Adam", "AdamW"}) {
        TapeClassifier model(architecture, input_shape, 1);
        if (out.is_null()) out = model_json(model, architecture, batch);
        std::unique_ptr<optim::Optimizer> opt = make_optimizer(name, model.parameters());
        F::cross_entropy(model(model.input(batch)), model.target(batch)).backward();
        opt->step();
        int64_t bytes = 0, tensors = 0, keys = 0;
        for (const auto& [key, value] : opt->state_dict()) {
            ++keys;
            if (key.rfind("state.", 0) != 0) continue;  // param_groups.*: hyper-parameters, not per-parameter state
            ++tensors;
            bytes += value.nbytes();
        }
        Json r = Json::object();
        r.set("optimizer", name)
            .set("state_dict_keys", keys)
            .set("state_tensors", tensors)
            .set("state_bytes", bytes)
            .set("buffer_bytes", opt->state_bytes())
            .set("param_bytes", opt->param_bytes())
            .set("step_ms", median_ms([&] { opt->step(); }, 7));
        rows.push_back(std::move(r));
    }
    return out.set("optimizers", std::move(rows)).dump();
}

// ---- 09: the memory of one training step, gradient accumulation, a training checkpoint ----------------------
std::vector<optim::Batch> micro_batches(const Tensor& x, const Tensor& t, int k) {
    const int64_t n = x.shape(0);
    TT_CHECK(k > 0 && n % k == 0, "the batch of " << n << " does not split into " << k << " micro-batches");
    std::vector<optim::Batch> out;
    for (int64_t i = 0; i < n; i += n / k)
        out.push_back({x.slice(0, i, i + n / k).clone(), t.slice(0, i, i + n / k).clone()});  // own storage, as loaded
    return out;
}

std::string training_memory_report(const std::string& architecture, const std::string& input_shape, int batch) {
    TT_CHECK(batch > 0, "trainingMemoryReport: batch must be > 0, got " << batch);
    TapeClassifier model(architecture, input_shape, 1);
    const nn::CrossEntropyLoss loss;
    const Tensor x = model.input(batch), t = model.target(batch);
    StateDict initial;
    for (const auto& [name, value] : model.state_dict()) initial[name] = value.clone();
    Json out = model_json(model, architecture, batch);

    // One step of Adam at batch `batch`: who holds which bytes at the moment backward starts.
    {
        optim::Adam opt(model.parameters());
        optim::train_step(model, loss, opt, {{x, t}});  // creates Adam's state, as any first step does
        model.zero_grad();
        const int64_t live = memory::live_bytes();
        memory::reset_peak();
        Tensor l = loss(model(x), t);
        const autograd::GraphStats s = autograd::graph_stats(l);
        l.backward();
        opt.step();
        const int64_t peak = memory::peak_bytes() - live;
        Json step = Json::object();
        step.set("optimizer", "Adam")
            .set("parameter_bytes", model.parameter_bytes())
            .set("grad_bytes", grad_bytes(model))
            .set("optimizer_state_bytes", opt.state_bytes())
            .set("activation_bytes", s.activation_bytes)
            .set("graph_nodes", s.nodes)
            .set("peak_above_steady_bytes", peak)
            .set("step_ms", median_ms([&] { optim::train_step(model, loss, opt, {{x, t}}); }, 3));
        out.set("step", std::move(step));
    }

    // Gradient accumulation: k micro-batches of batch/k, one SGD step; the gradient must be the big batch's.
    Json accumulation = Json::array();
    std::vector<Tensor> whole;
    for (int k : {1, 2, 4}) {
        if (batch % k) continue;
        model.load_state_dict(initial);
        optim::SGD opt(model.parameters(), {{"lr", 0.01}});
        const std::vector<optim::Batch> micro = micro_batches(x, t, k);
        int64_t activations = 0;
        {
            Tensor l = loss(model(micro[0].input), micro[0].target);
            activations = autograd::graph_stats(l).activation_bytes;
        }
        const int64_t live = memory::live_bytes();
        memory::reset_peak();
        const double mean_loss = optim::train_step(model, loss, opt, micro);
        const int64_t peak = memory::peak_bytes() - live;
        const std::vector<Tensor> grads = grads_of(model);  // train_step leaves the step's gradient in place
        if (k == 1) whole = grads;
        Json r = Json::object();
        r.set("k", k)
            .set("micro_batch", batch / k)
            .set("activation_bytes", activations)
            .set("peak_bytes", peak)
            .set("loss", mean_loss)
            .set("max_grad_difference", max_abs_difference(grads, whole))
            .set("step_ms", median_ms([&] { optim::train_step(model, loss, opt, micro); }, 3));
        accumulation.push_back(std::move(r));
    }
    out.set("accumulation", std::move(accumulation));

    // A training checkpoint (io/checkpoint.h): model + optimizer state + RNG + progress in one safetensors file.
    {
        model.load_state_dict(initial);
        optim::Adam opt(model.parameters());
        optim::train_step(model, loss, opt, {{x, t}});
        Generator gen(3);
        const TrainingProgress progress{0, 1};
        int64_t model_bytes = 0, optim_bytes = 0;
        for (const auto& [key, value] : checkpoint_state_dict(model, opt, gen, progress)) {
            if (key.rfind("model.", 0) == 0) model_bytes += value.nbytes();
            if (key.rfind("optim.", 0) == 0) optim_bytes += value.nbytes();
        }
        std::vector<uint8_t> bytes = save_checkpoint(model, opt, gen, progress);
        Json c = Json::object();
        c.set("optimizer", "Adam")
            .set("bytes", int64_t(bytes.size()))
            .set("model_bytes", model_bytes)
            .set("optimizer_bytes", optim_bytes)
            .set("save_ms", median_ms([&] { bytes = save_checkpoint(model, opt, gen, progress); }))
            .set("load_ms", median_ms([&] { load_checkpoint(bytes, model, opt, gen); }));
        out.set("checkpoint", std::move(c));
    }
    return out.dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_autograd) {
    using namespace emscripten;
    using namespace tt::web;
    function("autogradGraphReport", guard<&autograd_graph_report>);
    function("optimizerStateReport", guard<&optimizer_state_report>);
    function("trainingMemoryReport", guard<&training_memory_report>);
}
