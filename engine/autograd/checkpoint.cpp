// Gradient checkpointing (F::checkpoint, functional.h): trade a second forward pass of a segment for the memory
// its saved tensors would hold from the forward pass until backward.
#include "functional.h"
#include "grad_mode.h"
#include "graph.h"

namespace tt::F {

Tensor checkpoint(const std::function<Tensor(const Tensor&)>& segment, const Tensor& x) {
    Tensor y;
    {
        autograd::NoGrad no_grad;  // nothing inside the segment is recorded, so nothing is saved
        y = segment(x.detach());
    }
    // Recorded even when x needs no gradient: the segment's parameters may.
    return autograd::record(
        "checkpoint", y, {x}, {x},
        [segment](const autograd::SavedList& s, const Tensor& g) -> autograd::Grads {
            autograd::EnableGrad record_again;  // backward() runs closures under NoGrad
            Tensor xi = s[0].detach();
            xi.requires_grad_();
            Tensor yi = segment(xi);
            if (yi.requires_grad()) yi.backward(g);  // parameters get theirs here
            return {xi.grad()};
        },
        /*always=*/true);
}

}  // namespace tt::F
