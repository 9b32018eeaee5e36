// Module::operator() (nn/module.h) with autograd: a layer with a hand-written backward (modules 04, 05, 10)
// becomes one node of the graph, so such layers and tt::F ops mix in one backward().
#include "error.h"
#include "grad_mode.h"
#include "graph.h"
#include "module.h"

namespace tt::nn {

Tensor Module::operator()(const Tensor& x) {
    const int64_t call = ++calls_;
    if (records_own_graph()) return forward(x);
    bool wants = autograd::is_grad_enabled() && x.defined() && x.requires_grad();
    if (autograd::is_grad_enabled())
        for (Parameter* p : parameters()) wants = wants || p->value.requires_grad();
    Tensor y;
    {
        // The layer computes with its own kernels; nothing it does inside is recorded, and it keeps x detached
        // (holding x's history would keep the graph before it alive until the next forward).
        autograd::NoGrad no_grad;
        y = forward(x.detach());
    }
    if (!wants) return y.detach();
    Module* self = this;
    return autograd::record(
        type_name(), y, {x}, {},
        [self, call](const autograd::SavedList&, const Tensor& g) -> autograd::Grads {
            TT_CHECK(self->calls_ == call,
                     "backward: " << self->type_name()
                                  << " was called again after the forward "
                                     "this backward belongs to, and a layer with a hand-written backward keeps "
                                     "only its last forward's state; use a separate layer per use");
            return {self->backward(g)};
        },
        /*always=*/true);
}

}  // namespace tt::nn
