// Module 05 — Sequential: layers applied one after another; its children are named "0", "1", ... as in PyTorch,
// so its state dict has keys like "0.weight" and loads PyTorch's.
#pragma once

#include <memory>
#include <vector>

#include "module.h"

namespace tt::nn {

class Sequential : public Module {
public:
    Sequential() = default;
    explicit Sequential(const std::vector<std::shared_ptr<Module>>& layers);

    Sequential& add(std::shared_ptr<Module> layer);
    size_t size() const { return children().size(); }
    Module& operator[](size_t i) const;
    // Layer i becomes `layer`, keeping the name "i" (quantize_model, module 16). Inline for the same reason as
    // Module::replace_child.
    void set(size_t i, std::shared_ptr<Module> layer) {
        (void)(*this)[i];  // the range check and its message
        replace_child(i, std::move(layer));
    }

    Tensor forward(const Tensor& x) override;          // layer n-1(... layer 0(x))
    Tensor backward(const Tensor& grad_out) override;  // the layers' backwards in reverse order
    std::string type_name() const override { return "Sequential"; }
    bool records_own_graph() const override { return true; }  // each child records its own node
};

}  // namespace tt::nn
