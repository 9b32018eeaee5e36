// Module 08 — Optimizers: the base class every update rule shares (param groups, per-parameter state, zero_grad,
// the optimizer's state dict and its memory report).
//
// An optimizer holds pointers to a model's Parameters (module 04: a value and the gradient accumulated into it) and,
// on step(), moves each value against its gradient. Where the gradient came from does not matter: a layer's
// hand-written backward (modules 04/05) or autograd (module 07) both add into Parameter::grad.
//
//     SGD opt(model.parameters(), {{"lr", 0.1}, {"momentum", 0.9}});
//     for each batch: opt.zero_grad(); loss backward; opt.step();
//
// As in PyTorch, the parameters are split into param groups, each with its own hyper-parameters ("lr", "momentum",
// ...): a group sets the ones it wants and takes the rest from the optimizer's options, so the last layer can learn
// with another learning rate than the body. Schedulers (lr_scheduler.h) change a group's "lr" between steps.
//
// State that an update rule carries from step to step (momentum buffers, Adam's moment estimates, the step count)
// lives per parameter and is created on the parameter's first step, as in torch.optim: that is why a freshly built
// optimizer uses no memory for state, and why state_dict() has entries only for parameters that were stepped.
//
// The optimizer does not own the parameters: the module must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "module.h"
#include "tensor.h"

namespace tt::optim {

// Hyper-parameters by PyTorch's names: {{"lr", 0.1}, {"momentum", 0.9}}. A flag such as "nesterov" is 1 or 0;
// Adam's betas are "beta1" and "beta2".
using Options = std::map<std::string, double>;

struct ParamGroup {
    std::vector<nn::Parameter*> params;
    Options options;  // this group's hyper-parameters; the optimizer fills in the ones it leaves out

    double get(const std::string& key) const;  // an error names the key when the group does not have it
    void set(const std::string& key, double value) { options[key] = value; }
};

// What an update rule remembers about one parameter between steps.
struct ParamState {
    std::map<std::string, Tensor> buffers;  // same shape as the parameter: "momentum_buffer", "exp_avg", ...
    int64_t step = 0;                       // steps taken on this parameter (Adam's bias correction needs it)

    bool has(const std::string& name) const { return buffers.count(name) != 0; }
    Tensor& buffer(const std::string& name);  // an error when it does not exist yet
};

class Optimizer {
public:
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    const std::string& type_name() const { return name_; }  // "SGD", "Adam", "AdamW"
    virtual void step() = 0;                                // one update of every parameter from its current grad

    // Every parameter's grad := 0, in place: whoever holds the grad tensor (a layer, a view, autograd) sees the zeros.
    void zero_grad();

    std::vector<ParamGroup>& param_groups() { return groups_; }
    const std::vector<ParamGroup>& param_groups() const { return groups_; }
    // Another group (e.g. layers unfrozen later): its missing options come from the optimizer's, and a parameter
    // may belong to one group only.
    void add_param_group(ParamGroup group);
    const Options& defaults() const { return defaults_; }

    // The state of a parameter, created empty on first use (an update rule adds its buffers to it).
    ParamState& state(const nn::Parameter* p) { return state_[p]; }
    bool has_state(const nn::Parameter* p) const { return state_.count(p) != 0; }

    // A snapshot (copies, unlike Module::state_dict: the buffers change in place on every step) with flat keys that
    // fit a safetensors file next to the model's weights. Parameters are numbered 0, 1, ... in group order, as in
    // torch.optim:
    //     "state.<i>.<buffer>"          e.g. "state.0.exp_avg"  (the parameter's shape)
    //     "state.<i>.step"              the step count, a scalar
    //     "param_groups.<g>.<option>"   e.g. "param_groups.1.lr" (a scalar)
    //     "param_groups.<g>.params"     the indices of the group's parameters
    StateDict state_dict() const;
    // Restores state and hyper-parameters saved by the same kind of optimizer over parameters of the same shapes.
    // Everything is checked first; a failed load leaves the optimizer unchanged.
    void load_state_dict(const StateDict& state);

    // Memory: bytes of state tensors, and bytes of the parameter values they shadow. Their ratio is the optimizer's
    // memory price per parameter: 0 for plain SGD, 1 with momentum, 2 for Adam.
    int64_t state_bytes() const;
    int64_t param_bytes() const;

protected:
    // `name`: the optimizer's type in messages; `defaults`: every option it understands with its default (NaN: no
    // default, the user must set it); `options`: the user's choices, which override the defaults for every group.
    Optimizer(std::string name, std::vector<ParamGroup> groups, const Options& defaults, const Options& options);

    // The names of the per-parameter buffers this optimizer keeps (load_state_dict accepts no others).
    virtual std::vector<std::string> buffer_names() const = 0;
    // Checks one group's hyper-parameters (ranges, combinations); called for every group, including added ones.
    virtual void check_group(const ParamGroup& group) const = 0;
    // Subclass constructors call this once their own checks exist (a base constructor cannot call virtuals).
    void check_groups() const;

    // Checks that a parameter's value and grad are contiguous and of one shape, so that an update rule may walk
    // them (and its buffers) as flat float arrays with one index.
    void check_param(const nn::Parameter& p) const;

private:
    ParamGroup prepare_group(ParamGroup group) const;

    std::string name_;
    std::vector<ParamGroup> groups_;
    Options defaults_;
    std::map<const nn::Parameter*, ParamState> state_;
};

}  // namespace tt::optim
