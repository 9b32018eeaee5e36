#include "module.h"

#include <cstdio>
#include <sstream>

#include "error.h"
#include "graph.h"
#include "profile.h"

namespace tt::nn {

Parameter::Parameter(Tensor initial) : value(std::move(initial)) {
    TT_CHECK(value.defined(), "Parameter: the initial value is undefined");
    value = value.contiguous();
    grad = zeros_like(value);
    autograd::attach_grad(value, grad);  // value.grad() is grad itself (module.h)
}

void Parameter::accumulate_grad(const Tensor& g) {
    TT_CHECK(g.defined() && g.shape() == value.shape(),
             "accumulate_grad: gradient of shape " << (g.defined() ? g.shape() : Shape{})
                                                   << " for a parameter of shape " << value.shape());
    // BEGIN SOLUTION gradients add up: grad += g (in place, so references to grad stay valid)
    grad.add_(g);
    // END SOLUTION
}

Parameter& Module::register_parameter(const std::string& name, Tensor initial) {
    TT_CHECK(!name.empty() && name.find('.') == std::string::npos,
             "register_parameter: bad name '" << name << "' (non-empty, no '.')");
    for (auto& [existing, p] : params_)
        TT_CHECK(existing != name, "register_parameter: '" << name << "' is already registered");
    params_.emplace_back(name, std::make_unique<Parameter>(std::move(initial)));
    return *params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor initial) {
    TT_CHECK(!name.empty() && name.find('.') == std::string::npos,
             "register_buffer: bad name '" << name << "' (non-empty, no '.')");
    for (auto& [existing, p] : params_)
        TT_CHECK(existing != name, "register_buffer: '" << name << "' is already a parameter");
    for (auto& [existing, b] : buffers_)
        TT_CHECK(existing != name, "register_buffer: '" << name << "' is already registered");
    TT_CHECK(initial.defined(), "register_buffer: '" << name << "' is undefined");
    buffers_.emplace_back(name, std::make_unique<Tensor>(initial.contiguous()));
    return *buffers_.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
    TT_CHECK(child != nullptr, "register_module: '" << name << "' is null");
    TT_CHECK(!name.empty() && name.find('.') == std::string::npos,
             "register_module: bad name '" << name << "' (non-empty, no '.')");
    for (auto& [existing, c] : children_)
        TT_CHECK(existing != name, "register_module: '" << name << "' is already registered");
    children_.emplace_back(name, std::move(child));
}

std::vector<std::pair<std::string, Parameter*>> Module::named_parameters() {
    std::vector<std::pair<std::string, Parameter*>> out;
    // BEGIN SOLUTION own params_ first, then recurse into children_, prefixing each child's names with "<child name>."
    for (auto& [name, p] : params_) out.emplace_back(name, p.get());
    for (auto& [child_name, child] : children_)
        for (auto& [name, p] : child->named_parameters()) out.emplace_back(child_name + "." + name, p);
    // END SOLUTION
    return out;
}

std::vector<std::pair<std::string, Tensor*>> Module::named_buffers() {
    std::vector<std::pair<std::string, Tensor*>> out;
    for (auto& [name, b] : buffers_) out.emplace_back(name, b.get());
    for (auto& [child_name, child] : children_)
        for (auto& [name, b] : child->named_buffers()) out.emplace_back(child_name + "." + name, b);
    return out;
}

std::vector<Parameter*> Module::parameters() {
    std::vector<Parameter*> out;
    for (auto& [name, p] : named_parameters()) out.push_back(p);
    return out;
}

void Module::train(bool mode) {
    training_ = mode;
    for (auto& [name, child] : children_) child->train(mode);
}

void Module::zero_grad() {
    // BEGIN SOLUTION fill every parameter's grad with 0 (children included)
    for (Parameter* p : parameters()) p->grad.fill_(0.0f);
    // END SOLUTION
}

StateDict Module::state_dict() {
    StateDict out;
    for (auto& [name, p] : named_parameters()) out[name] = p->value;
    for (auto& [name, b] : named_buffers()) out[name] = *b;
    return out;
}

void Module::load_state_dict(const StateDict& given, bool strict) {
    // Buffers are checked here and copied after the parameters; `state` holds the remaining (parameter) keys.
    StateDict state = given;
    auto buffers = named_buffers();
    for (auto& [name, b] : buffers) {
        auto it = state.find(name);
        if (it == state.end()) {
            TT_CHECK(!strict, "load_state_dict: missing key '" << name << "' (" << type_name() << " expects it)");
            continue;
        }
        TT_CHECK(it->second.shape() == b->shape(),
                 "load_state_dict: '" << name << "' has shape " << it->second.shape()
                                      << " in the state dict, the module expects " << b->shape());
        state.erase(it);
    }
    auto params = named_parameters();
    // BEGIN SOLUTION check everything first (a failed load must leave the module unchanged): when strict, each parameter's name is in state and each key of state is a parameter; shapes equal. Then copy_ the values in.
    for (auto& [name, p] : params) {
        auto it = state.find(name);
        if (it == state.end()) {
            TT_CHECK(!strict, "load_state_dict: missing key '" << name << "' (" << type_name() << " expects it)");
            continue;
        }
        TT_CHECK(it->second.shape() == p->value.shape(),
                 "load_state_dict: '" << name << "' has shape " << it->second.shape()
                                      << " in the state dict, the module expects " << p->value.shape());
    }
    if (strict)
        for (auto& [key, value] : state) {
            bool known = false;
            for (auto& [name, p] : params) known = known || name == key;
            TT_CHECK(known,
                     "load_state_dict: unexpected key '" << key << "' (not a parameter of " << type_name() << ")");
        }
    for (auto& [name, p] : params) {
        auto it = state.find(name);
        if (it != state.end()) p->value.copy_(it->second);
    }
    // END SOLUTION
    for (auto& [name, b] : buffers) {
        auto it = given.find(name);
        if (it != given.end()) b->copy_(it->second);
    }
}

int64_t Module::parameter_count() {
    int64_t n = 0;
    for (Parameter* p : parameters()) n += p->value.numel();
    return n;
}

int64_t Module::parameter_bytes() {
    int64_t n = 0;
    for (Parameter* p : parameters()) n += p->value.nbytes();
    return n;
}

std::string Module::parameter_report() {
    std::ostringstream os;
    char line[160];
    std::snprintf(line, sizeof line, "%-24s %-16s %12s %12s\n", "parameter", "shape", "count", "bytes");
    os << type_name() << "\n" << line;
    for (auto& [name, p] : named_parameters()) {
        std::ostringstream shape;
        shape << p->value.shape();
        std::string bytes = format_bytes(static_cast<double>(p->value.nbytes()));
        std::snprintf(line, sizeof line, "%-24s %-16s %12lld %12s\n", name.c_str(), shape.str().c_str(),
                      static_cast<long long>(p->value.numel()), bytes.c_str());
        os << line;
    }
    std::snprintf(line, sizeof line, "%-41s %12lld %12s\n", "total", static_cast<long long>(parameter_count()),
                  format_bytes(static_cast<double>(parameter_bytes())).c_str());
    os << line << "(gradients take as much again: " << format_bytes(static_cast<double>(parameter_bytes())) << ")";
    return os.str();
}

}  // namespace tt::nn
