#include "grad_mode.h"

#include "error.h"

namespace tt::autograd {

namespace {
thread_local bool grad_enabled = true;
}

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }

NoGrad::NoGrad() : previous_(is_grad_enabled()) {
    // BEGIN SOLUTION recording off for this scope (the constructor already remembered the previous mode)
    set_grad_enabled(false);
    // END SOLUTION
}

NoGrad::~NoGrad() {
    // BEGIN SOLUTION put back the mode that was on before this guard, not simply "on": guards nest
    set_grad_enabled(previous_);
    // END SOLUTION
}

EnableGrad::EnableGrad() : previous_(is_grad_enabled()) { set_grad_enabled(true); }
EnableGrad::~EnableGrad() { set_grad_enabled(previous_); }

}  // namespace tt::autograd
