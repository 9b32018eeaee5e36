#include "graph.h"

#include <unordered_set>

#include "error.h"
#include "grad_mode.h"

namespace tt::autograd {

Node::~Node() {
    std::vector<std::shared_ptr<Node>> orphans;
    auto take_inputs = [&orphans](std::vector<std::shared_ptr<Meta>>& metas) {
        for (auto& meta : metas)  // a node nobody else holds would die inside this destructor: take it out instead
            if (meta && meta.use_count() == 1 && meta->grad_fn && meta->grad_fn.use_count() == 1)
                orphans.push_back(std::move(meta->grad_fn));
        metas.clear();
    };
    take_inputs(inputs);
    while (!orphans.empty()) {
        std::shared_ptr<Node> node = std::move(orphans.back());
        orphans.pop_back();
        take_inputs(node->inputs);  // then `node` dies here with no inputs left: no nesting
    }
}

void Node::check_versions() const {
    for (const SavedTensor& s : saved)
        TT_CHECK(s.tensor.storage()->version() == s.version,
                 "backward: a tensor that '" << name << "' saved for backward (shape " << s.tensor.shape()
                                             << ") was modified in place after it was saved (version " << s.version
                                             << " -> " << s.tensor.storage()->version()
                                             << "); clone() it before changing it");
}

Grads Node::run(const Tensor& grad_out) {
    TT_CHECK(!freed,
             "backward: the graph through '" << name
                                             << "' was already freed by an earlier backward(); "
                                                "run the forward pass again to backpropagate a second time");
    check_versions();
    SavedList tensors;
    for (const SavedTensor& s : saved) tensors.push_back(s.tensor);
    Grads grads = backward(tensors, grad_out);
    TT_CHECK(grads.size() == inputs.size(),
             "backward: '" << name << "' returned " << grads.size() << " gradients for " << inputs.size() << " inputs");
    // Free what the closure kept: the memory the forward pass saved is given back as soon as it was used.
    freed = true;
    backward = nullptr;
    saved.clear();
    return grads;
}

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
    if (!is_grad_enabled()) return false;
    for (const Tensor* t : inputs)
        if (t->defined() && t->requires_grad()) return true;
    return false;
}

bool needs_grad(const std::vector<Tensor>& inputs) {
    if (!is_grad_enabled()) return false;
    for (const Tensor& t : inputs)
        if (t.defined() && t.requires_grad()) return true;
    return false;
}

Tensor record(const std::string& name, const Tensor& out, const std::vector<Tensor>& inputs, const SavedList& saved,
              BackwardFn fn, bool always) {
    // A kernel may hand back one of its inputs (contiguous() of a contiguous tensor): never let the output share
    // that input's Meta.
    Tensor result = out.detach();
    if (!(always ? is_grad_enabled() : needs_grad(inputs))) return result;
    auto node = std::make_shared<Node>();
    node->name = name;
    for (const Tensor& in : inputs) {
        bool wants = in.defined() && in.requires_grad();
        node->inputs.push_back(wants ? in.autograd_meta() : nullptr);
        node->input_shapes.push_back(in.defined() ? in.shape() : Shape{});
    }
    for (const Tensor& s : saved) {
        bool of_leaf = false;
        for (const Tensor& in : inputs)
            of_leaf =
                of_leaf || (in.defined() && in.shares_storage(s) && in.requires_grad() && !in.autograd_meta()->grad_fn);
        node->saved.push_back({s.detach(), s.defined() ? s.storage()->version() : 0, of_leaf});
    }
    node->backward = std::move(fn);
    auto meta = std::make_shared<Meta>();
    meta->requires_grad = true;
    meta->grad_fn = std::move(node);
    result.set_autograd_meta(std::move(meta));
    return result;
}

void attach_grad(Tensor& leaf, const Tensor& grad) {
    TT_CHECK(leaf.defined() && grad.defined() && grad.shape() == leaf.shape(),
             "attach_grad: the gradient must be defined and have the leaf's shape " << leaf.shape());
    leaf.requires_grad_();
    leaf.autograd_meta()->grad = grad;
}

GraphStats graph_stats(const Tensor& output) {
    GraphStats stats;
    const auto& meta = output.autograd_meta();
    if (!meta || !meta->grad_fn) return stats;
    std::unordered_set<const Storage*> storages;
    for (Node* node : topological_order(meta->grad_fn.get())) {
        ++stats.nodes;
        for (const SavedTensor& s : node->saved) {
            if (!s.tensor.defined()) continue;
            ++stats.saved_tensors;
            if (!storages.insert(s.tensor.storage().get()).second) continue;
            int64_t bytes = s.tensor.storage()->size() * static_cast<int64_t>(sizeof(float));
            stats.saved_bytes += bytes;
            if (!s.of_leaf) stats.activation_bytes += bytes;
        }
    }
    return stats;
}

}  // namespace tt::autograd
