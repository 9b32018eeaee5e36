// Module 04 — Layers: the Module base class, Parameters and the forward/backward protocol.
//
// A Module is a layer or a whole network. It owns Parameters (a value and the gradient accumulated into it) and
// child Modules, both registered under names, so a network can list everything it learns ("0.weight", "2.bias")
// without knowing its layers' types: that is what an optimizer updates and what a state dict saves.
//
// The protocol, before autograd (module 07):
//     Tensor y  = layer.forward(x);       // computes y and keeps what backward will need (x, y, masks)
//     Tensor dx = layer.backward(dy);     // dy = dL/dy -> returns dL/dx, and ADDS dL/dparam to each param.grad
// Gradients accumulate (+=) so that a layer used twice, or several batches, sum their contributions; zero_grad()
// resets them between optimizer steps.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tensor.h"

namespace tt {

// Parameter and buffer tensors by their dotted names. Sorted by name, like the safetensors header.
using StateDict = std::map<std::string, Tensor>;

namespace nn {

// With autograd (module 07), value is a leaf that requires grad and whose .grad() IS `grad` (one tensor, two
// names): F ops on value accumulate into Parameter::grad, layers' hand-written backwards add into it too, and the
// optimizers (module 08), which read Parameter::grad, cannot tell where a gradient came from. Keep both in place
// (copy_, fill_, add_): assigning a new tensor to either would break that link.
struct Parameter {
    Tensor value;
    Tensor grad;  // same shape as value, starts at 0

    explicit Parameter(Tensor initial);
    // grad += g; g must have value's shape.
    void accumulate_grad(const Tensor& g);
};

class Module {
public:
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    virtual Tensor forward(const Tensor& x) = 0;
    virtual Tensor backward(const Tensor& grad_out) = 0;
    // How a layer is called, by users and by containers (Sequential): the one place where later modules (autograd,
    // 07) hook in for every layer, so call layer(x) rather than layer.forward(x).
    // With grad mode on and x or a parameter requiring grad, it records one autograd node whose backward calls this
    // layer's backward() (engine/nn/module_bridge.cpp). Such a layer keeps only its last forward's state:
    // calling it again before that backward is an error, and it must outlive the backward.
    Tensor operator()(const Tensor& x);
    // Containers whose forward calls their children as layer(x) return true: the children record themselves.
    virtual bool records_own_graph() const { return false; }
    virtual std::string type_name() const = 0;  // "Linear", "Sequential", ...

    // Own parameters first, then each child's, prefixed by the child's name: "weight", "0.weight", "block.1.bias".
    std::vector<std::pair<std::string, Parameter*>> named_parameters();
    std::vector<Parameter*> parameters();
    // Buffers: state that is saved and loaded with the parameters but not learned by gradient descent (BatchNorm's
    // running statistics, module 10). Own first, then each child's, named like parameters.
    std::vector<std::pair<std::string, Tensor*>> named_buffers();
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

    // Training mode (the default) vs evaluation mode; applies to every child too. Layers such as Dropout and
    // BatchNorm (later modules) behave differently in the two.
    void train(bool mode = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }

    void zero_grad();  // every parameter's grad := 0

    // The parameter values and buffers by name, sharing storage with the module (as in PyTorch: a snapshot needs
    // clone()).
    StateDict state_dict();
    // Copies values in by name. strict: every parameter and buffer must be present and no other key; shapes must
    // match. A failed load changes nothing.
    void load_state_dict(const StateDict& state, bool strict = true);

    int64_t parameter_count();  // number of learnable scalars
    int64_t parameter_bytes();  // bytes of parameter values (gradients take as much again)
    // A table of every parameter (name, shape, count, bytes) and the totals.
    std::string parameter_report();

protected:
    Module() = default;
    Parameter& register_parameter(const std::string& name, Tensor initial);
    Tensor& register_buffer(const std::string& name, Tensor initial);  // kept in place: update it with copy_/fill_
    template <typename M>
    std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
        add_child(name, child);
        return child;
    }
    // Swaps child i for another module under the same name (module 16 swaps float layers for quantized ones).
    // Inline, not in module.cpp: a student's module.cpp from module 04 must still link.
    void replace_child(size_t i, std::shared_ptr<Module> child) { children_.at(i).second = std::move(child); }

private:
    void add_child(const std::string& name, std::shared_ptr<Module> child);

    std::vector<std::pair<std::string, std::unique_ptr<Parameter>>> params_;
    std::vector<std::pair<std::string, std::unique_ptr<Tensor>>> buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
    int64_t calls_ = 0;  // operator() calls so far: a recorded node knows whether its forward was the last one
};

}  // namespace nn
}  // namespace tt
