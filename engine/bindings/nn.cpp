// Layers and checkpoints from JS (web reference build), PyTorch-like:
//     const net = new M.Sequential();
//     net.add(new M.Linear(784, 128, true)); net.add(new M.ReLU()); net.add(new M.Linear(128, 10, true));
//     const y = net.forward(x);                 // a Tensor handle: y.delete() when done
//     net.loadStateDictBytes(new Uint8Array(await (await fetch('mlp.safetensors')).arrayBuffer()));
//     const bytes = net.stateDictBytes();       // Uint8Array (a copy)
// Modules are held by shared_ptr (Embind smart pointers), so a layer added to a Sequential stays alive inside it
// after JS deletes its own handle.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>
#include <vector>

#include "activation_layers.h"
#include "error.h"
#include "guard.h"
#include "linear.h"
#include "module.h"
#include "random.h"
#include "safetensors.h"
#include "sequential.h"

using emscripten::val;

namespace tt::web {
namespace {

using nn::Module;

std::shared_ptr<nn::Linear> make_linear(int in, int out, bool bias) {
    return std::make_shared<nn::Linear>(in, out, bias);
}
std::shared_ptr<nn::Linear> make_linear_seeded(int in, int out, bool bias, double seed) {
    TT_CHECK(seed >= 0 && seed == static_cast<double>(static_cast<uint64_t>(seed)),
             "Linear: seed must be a non-negative integer, got " << seed);
    Generator gen(static_cast<uint64_t>(seed));
    return std::make_shared<nn::Linear>(in, out, bias, gen);
}
std::shared_ptr<nn::Sequential> make_sequential() { return std::make_shared<nn::Sequential>(); }
std::shared_ptr<nn::ReLU> make_relu() { return std::make_shared<nn::ReLU>(); }
std::shared_ptr<nn::Sigmoid> make_sigmoid() { return std::make_shared<nn::Sigmoid>(); }
std::shared_ptr<nn::Tanh> make_tanh() { return std::make_shared<nn::Tanh>(); }
std::shared_ptr<nn::GELU> make_gelu() { return std::make_shared<nn::GELU>(); }
std::shared_ptr<nn::Flatten> make_flatten() { return std::make_shared<nn::Flatten>(); }

Tensor forward(Module& m, const Tensor& x) { return m.forward(x); }
Tensor backward(Module& m, const Tensor& g) { return m.backward(g); }
void zero_grad(Module& m) { m.zero_grad(); }
void train(Module& m, bool mode) { m.train(mode); }
bool is_training(const Module& m) { return m.is_training(); }
std::string type_name(const Module& m) { return m.type_name(); }
double parameter_count(Module& m) { return static_cast<double>(m.parameter_count()); }
double parameter_bytes(Module& m) { return static_cast<double>(m.parameter_bytes()); }
std::string parameter_report(Module& m) { return m.parameter_report(); }

val parameter_names(Module& m) {
    val out = val::array();
    for (auto& named : m.named_parameters()) out.call<void>("push", named.first);
    return out;
}

nn::Parameter& find_parameter(Module& m, const std::string& name) {
    for (auto& named : m.named_parameters())
        if (named.first == name) return *named.second;
    TT_CHECK(false, m.type_name() << " has no parameter '" << name << "'");
    __builtin_unreachable();
}
// The value itself (shares storage, like PyTorch's parameter): writes through it change the module.
Tensor parameter(Module& m, const std::string& name) { return find_parameter(m, name).value; }
Tensor grad(Module& m, const std::string& name) { return find_parameter(m, name).grad; }

val state_dict_bytes(Module& m) {
    std::vector<uint8_t> bytes = save_safetensors(m.state_dict());
    return val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

std::vector<uint8_t> bytes_from_js(const val& u8) {
    TT_CHECK(u8.instanceof (val::global("Uint8Array")), "safetensors bytes must be a Uint8Array");
    std::vector<uint8_t> bytes(u8["length"].as<size_t>());
    val(emscripten::typed_memory_view(bytes.size(), bytes.data())).call<void>("set", u8);
    return bytes;
}

void load_state_dict_bytes(Module& m, val u8) {
    m.load_state_dict(load_safetensors(bytes_from_js(u8), "safetensors bytes"));
}

// The names in a safetensors buffer, without building a module (what a weight-file picker shows).
val safetensors_names(val u8) {
    val out = val::array();
    for (auto& entry : load_safetensors(bytes_from_js(u8), "safetensors bytes")) out.call<void>("push", entry.first);
    return out;
}

void sequential_add(nn::Sequential& s, std::shared_ptr<Module> layer) { s.add(std::move(layer)); }
double sequential_size(const nn::Sequential& s) { return static_cast<double>(s.size()); }

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_nn) {
    using namespace emscripten;
    using namespace tt::web;
    using namespace tt::nn;
    class_<Module>("Module")
        .smart_ptr<std::shared_ptr<Module>>("ModulePtr")
        .function("forward", guard<&forward>)
        .function("backward", guard<&backward>)
        .function("zeroGrad", guard<&zero_grad>)
        .function("train", guard<&train>)
        .function("isTraining", guard<&is_training>)
        .function("typeName", guard<&type_name>)
        .function("parameterCount", guard<&parameter_count>)
        .function("parameterBytes", guard<&parameter_bytes>)
        .function("parameterReport", guard<&parameter_report>)
        .function("parameterNames", guard<&parameter_names>)
        .function("parameter", guard<&parameter>)
        .function("grad", guard<&grad>)
        .function("stateDictBytes", guard<&state_dict_bytes>)
        .function("loadStateDictBytes", guard<&load_state_dict_bytes>);
    class_<Linear, base<Module>>("Linear")
        .smart_ptr_constructor("LinearPtr", guard<&make_linear>)
        .constructor(guard<&make_linear_seeded>);
    class_<Sequential, base<Module>>("Sequential")
        .smart_ptr_constructor("SequentialPtr", guard<&make_sequential>)
        .function("add", guard<&sequential_add>)
        .function("size", guard<&sequential_size>);
    class_<ReLU, base<Module>>("ReLU").smart_ptr_constructor("ReLUPtr", guard<&make_relu>);
    class_<Sigmoid, base<Module>>("Sigmoid").smart_ptr_constructor("SigmoidPtr", guard<&make_sigmoid>);
    class_<Tanh, base<Module>>("Tanh").smart_ptr_constructor("TanhPtr", guard<&make_tanh>);
    class_<GELU, base<Module>>("GELU").smart_ptr_constructor("GELUPtr", guard<&make_gelu>);
    class_<Flatten, base<Module>>("Flatten").smart_ptr_constructor("FlattenPtr", guard<&make_flatten>);
    function("safetensorsNames", guard<&safetensors_names>);
}
