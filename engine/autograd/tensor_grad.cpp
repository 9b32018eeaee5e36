// The autograd members of Tensor (declared in tensor.h, module 02): module 07 defines them here so that
// tensor.cpp stays the file of lesson 02.
#include "error.h"
#include "graph.h"
#include "tensor.h"

namespace tt {

Tensor& Tensor::requires_grad_(bool requires) {
    TT_CHECK(defined(), "requires_grad_: the tensor is undefined (default-constructed)");
    TT_CHECK(!autograd_ || !autograd_->grad_fn,
             "requires_grad_: only leaf tensors can change requires_grad; this one is the output of '"
                 << autograd_->grad_fn->name << "' (use detach() for a leaf that shares its values)");
    if (!autograd_) {
        if (!requires) return *this;
        autograd_ = std::make_shared<autograd::Meta>();
    }
    autograd_->requires_grad = requires;
    return *this;
}

bool Tensor::requires_grad() const { return autograd_ && (autograd_->requires_grad || autograd_->grad_fn); }

Tensor Tensor::grad() const { return autograd_ ? autograd_->grad : Tensor(); }

Tensor Tensor::detach() const {
    Tensor out = *this;
    out.autograd_.reset();
    return out;
}

}  // namespace tt
