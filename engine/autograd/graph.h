// Module 07 — Autograd: the graph that backward() walks.
//
// Autograd is a layer on top of the kernels: an op of tt::F (functional.h) runs its kernel, and when one of its
// inputs requires grad it also records a Node: the inputs' Metas and a closure that, given dL/dout, calls the
// existing `_backward` kernels and returns one gradient per input. backward() (backward.cpp) visits the nodes
// in topological order, so a node runs only after every consumer of its output has added its share.
//
// Ownership runs one way only, from outputs to inputs: an output's Meta owns its Node (grad_fn), the Node owns its
// inputs' Metas and the tensors its closure saved. A closure never holds its own output (it would own itself: a
// shared_ptr cycle that is never freed), so ops that keep their output (sigmoid, tanh, softmax) save it detached.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor.h"

namespace tt::autograd {

struct Node;

struct Meta {
    bool requires_grad = false;     // set by requires_grad_() on a leaf
    Tensor grad;                    // leaves: dL/dleaf, accumulated (+=) in place by every backward
    std::shared_ptr<Node> grad_fn;  // null for a leaf; the op that produced this tensor otherwise
};

// One tensor kept for backward, with the version its storage had then (an in-place change shows as a new version).
struct SavedTensor {
    Tensor tensor;  // detached: no Meta, so nothing in the closure points back into the graph
    int64_t version = 0;
    bool of_leaf = false;  // shares storage with a leaf input (a weight): memory that exists without the graph
};

using Grads = std::vector<Tensor>;  // one per input; undefined = none
using SavedList = std::vector<Tensor>;
using BackwardFn = std::function<Grads(const SavedList& saved, const Tensor& grad_out)>;

struct Node {
    std::string name;                           // the op, for errors: "mul", "Linear"
    std::vector<std::shared_ptr<Meta>> inputs;  // null where the input does not require grad
    std::vector<Shape> input_shapes;            // a gradient is reduced to these (sum_to) before it is added
    std::vector<SavedTensor> saved;
    BackwardFn backward;  // reset after it ran: the graph is freed
    bool freed = false;

    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    // Frees the chain of nodes only this one kept alive with a loop: the default (each node's destructor dropping
    // the next) nests one call per node, and 10,000 of them would overflow the browser build's 1 MiB stack.
    ~Node();

    // Each saved tensor still has the version it was saved with; otherwise an error naming this op.
    void check_versions() const;
    // Calls backward on the saved tensors, then drops both (what a second backward() finds is a freed node).
    Grads run(const Tensor& grad_out);
};

// True when grad mode is on and any of `inputs` requires grad: then an op must record.
bool needs_grad(std::initializer_list<const Tensor*> inputs);
bool needs_grad(const std::vector<Tensor>& inputs);

// `out` (a kernel's result) as the output of op `name`: when an input requires grad (and grad mode is on) a Node
// is recorded with `inputs`, the detached `saved` tensors and `fn`; otherwise `out` is returned detached.
// `always`: record even when no input requires grad, for ops whose closures reach gradients by another way
// (a layer's parameters, a checkpointed segment's).
Tensor record(const std::string& name, const Tensor& out, const std::vector<Tensor>& inputs, const SavedList& saved,
              BackwardFn fn, bool always = false);

// What a graph holds until backward frees it: its nodes, and the bytes of the tensors saved for backward (each
// storage counted once, however many views of it were saved). activation_bytes leaves out the storages of leaves
// (weights, inputs that require grad), which exist with or without a graph: it is what the graph itself costs.
// Not counted: small non-tensor state in closures (max_pool2d's int32 argmax, one per output element).
struct GraphStats {
    int64_t nodes = 0;
    int64_t saved_tensors = 0;
    int64_t saved_bytes = 0;
    int64_t activation_bytes = 0;
};
GraphStats graph_stats(const Tensor& output);

// The nodes reachable from `root`, each after every node that consumes its output (root first). Iterative: a chain
// of 10,000 ops must not overflow the 1 MiB stack of the browser build.
std::vector<Node*> topological_order(Node* root);

// backward() of the tensor whose Meta is `root`, seeded with dL/droot (backward.cpp).
void run_backward(const std::shared_ptr<Meta>& root, const Tensor& seed);
// The gradient of an input of `shape` from a gradient of its broadcast shape; slot += grad (copied when empty).
Tensor reduce_to(const Tensor& grad, const Shape& shape);
void accumulate(Tensor& slot, const Tensor& grad);

// Makes `leaf` require grad with `grad` as its .grad: backward adds into that very tensor (in place). How a
// Parameter's value and grad (nn/module.h) become one autograd leaf.
void attach_grad(Tensor& leaf, const Tensor& grad);

}  // namespace tt::autograd
