// Module 07 — grad mode: whether tt::F ops record the graph.
//
// Inference and the optimizer's own updates need no graph; NoGrad turns recording off for one scope and restores
// what was there before (so guards nest), like `with torch.no_grad():`. The flag is per thread (thread_local): a
// worker thread's scope must not switch recording off for the others.
#pragma once

namespace tt::autograd {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// RAII: recording off while it lives, the previous mode back when it goes out of scope.
class NoGrad {
public:
    NoGrad();
    ~NoGrad();
    NoGrad(const NoGrad&) = delete;
    NoGrad& operator=(const NoGrad&) = delete;

private:
    bool previous_;
};

// The opposite: recording on for one scope (gradient checkpointing records its segment again inside backward).
class EnableGrad {
public:
    EnableGrad();
    ~EnableGrad();
    EnableGrad(const EnableGrad&) = delete;
    EnableGrad& operator=(const EnableGrad&) = delete;

private:
    bool previous_;
};

}  // namespace tt::autograd
