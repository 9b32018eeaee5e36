// Module 07 — backward(): the chain rule over a recorded graph.
//
// For every node, in an order where all consumers of its output come first: run its closure on dL/dout (the sum
// of what its consumers sent), and send each input its gradient. An input that is itself an op's output collects
// it in `pending` until its own node runs; a leaf adds it to its .grad. Gradients ADD UP (+=): a tensor used twice
// receives both contributions, and a second backward() adds to the first (zero the grads between steps). A
// gradient for an input that broadcasting stretched is summed back to that input's shape (sum_to, reduce.h).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "error.h"
#include "grad_mode.h"
#include "graph.h"
#include "reduce.h"

namespace tt::autograd {

std::vector<Node*> topological_order(Node* root) {
    std::vector<Node*> order;
    // BEGIN SOLUTION depth-first with an explicit stack of (node, next input to visit): a node goes into `order` when all its inputs' nodes are in (post-order); visit each node once; reverse at the end so that the root comes first
    std::unordered_set<Node*> visited{root};
    std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
    while (!stack.empty()) {
        Node* node = stack.back().first;
        size_t next = stack.back().second;
        if (next == node->inputs.size()) {
            order.push_back(node);
            stack.pop_back();
            continue;
        }
        ++stack.back().second;
        const std::shared_ptr<Meta>& in = node->inputs[next];
        Node* child = in && in->grad_fn ? in->grad_fn.get() : nullptr;
        if (child && visited.insert(child).second) stack.emplace_back(child, 0);
    }
    std::reverse(order.begin(), order.end());
    // END SOLUTION
    return order;
}

// The gradient of an input of shape `shape`: an op that broadcast the input produced a gradient of the broadcast
// shape, and every element the input lent out must collect the sum of its copies' gradients.
Tensor reduce_to(const Tensor& grad, const Shape& shape) {
    // BEGIN SOLUTION when the shapes differ, sum over the axes broadcasting added or stretched (sum_to of reduce.h)
    return grad.shape() == shape ? grad : sum_to(grad, shape);
    // END SOLUTION
}

// slot += grad. The first gradient into an empty slot is copied, never aliased: `grad` may be a view of another
// node's gradient (or of the seed), and the slot is added to in place later. A slot that exists (a Parameter's
// grad) is updated in place, so whoever holds that tensor sees the sum.
void accumulate(Tensor& slot, const Tensor& grad) {
    // BEGIN SOLUTION an undefined slot becomes a fresh copy of grad (clone); a defined one gets grad added in place (add_)
    if (!slot.defined()) slot = grad.clone();
    else slot.add_(grad);
    // END SOLUTION
}

void run_backward(const std::shared_ptr<Meta>& root, const Tensor& seed) {
    if (!root->grad_fn) {  // backward() on a leaf: dL/dleaf is the seed itself
        accumulate(root->grad, seed);
        return;
    }
    NoGrad no_grad;  // the closures' own ops (the gradients) are not recorded
    std::unordered_map<Node*, Tensor> pending{{root->grad_fn.get(), seed}};
    // BEGIN SOLUTION for each node of topological_order(root's grad_fn): take (and erase) its pending gradient, run() it, and for each input i with a Meta and a defined gradient: reduce_to the input's shape (input_shapes[i]), then accumulate into pending[its grad_fn] if it has one, else into its .grad if it requires grad
    for (Node* node : topological_order(root->grad_fn.get())) {
        auto it = pending.find(node);
        if (it == pending.end()) continue;
        Tensor grad_out = std::move(it->second);
        pending.erase(it);
        Grads grads = node->run(grad_out);
        for (size_t i = 0; i < grads.size(); ++i) {
            const std::shared_ptr<Meta>& in = node->inputs[i];
            if (!in || !grads[i].defined()) continue;
            Tensor g = reduce_to(grads[i], node->input_shapes[i]);
            if (in->grad_fn) accumulate(pending[in->grad_fn.get()], g);
            else if (in->requires_grad) accumulate(in->grad, g);
        }
    }
    // END SOLUTION
}

}  // namespace tt::autograd

namespace tt {

void Tensor::backward(const Tensor& grad_output) const {
    TT_CHECK(defined(), "backward: the tensor is undefined (default-constructed)");
    TT_CHECK(requires_grad(),
             "backward: this tensor does not require grad and was not computed by a recorded op "
             "(call requires_grad_() on the inputs, outside NoGrad)");
    Tensor seed;
    if (grad_output.defined()) {
        TT_CHECK(grad_output.shape() == shape(),
                 "backward: grad_output has shape " << grad_output.shape() << ", the tensor has shape " << shape());
        seed = grad_output.detach();
    } else {
        TT_CHECK(numel() == 1,
                 "backward: a gradient can be implied only for a scalar output (1 element); this "
                 "tensor has shape "
                     << shape() << ", so pass grad_output (dL/dthis)");
        seed = ones(shape());
    }
    autograd::run_backward(autograd_, seed);
}

}  // namespace tt
