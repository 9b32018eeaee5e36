#include "sequential.h"

#include <string>

#include "error.h"

namespace tt::nn {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& layers) {
    for (const auto& layer : layers) add(layer);
}

Sequential& Sequential::add(std::shared_ptr<Module> layer) {
    register_module(std::to_string(children().size()), std::move(layer));
    return *this;
}

Module& Sequential::operator[](size_t i) const {
    TT_CHECK(i < size(), "Sequential: index " << i << " is out of range for " << size() << " layers");
    return *children()[i].second;
}

Tensor Sequential::forward(const Tensor& x) {
    // BEGIN SOLUTION feed x through each child in order, calling it as a layer is called: (*layer)(h)
    Tensor h = x;
    for (const auto& [name, layer] : children()) h = (*layer)(h);
    return h;
    // END SOLUTION
}

Tensor Sequential::backward(const Tensor& grad_out) {
    // BEGIN SOLUTION the chain rule runs backwards: each child's backward, last layer first
    Tensor g = grad_out;
    for (auto it = children().rbegin(); it != children().rend(); ++it) g = it->second->backward(g);
    return g;
    // END SOLUTION
}

}  // namespace tt::nn
