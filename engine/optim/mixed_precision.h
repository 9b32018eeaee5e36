// Module 17 — Competition: mixed-precision training, bf16 copies for the passes and fp32 master weights for the
// updates, with dynamic loss scaling (Micikevicius et al. 2018; torch.amp's GradScaler).
//
// Per step:
//     w16 = bf16(master)                      the weights the forward and backward passes use (2 bytes each)
//     loss = loss_fn()                        activations rounded to bf16 between layers (cast_activation)
//     (loss * scale).backward()               grads of w16, rounded to bf16
//     master.grad = bf16(w16.grad) / scale    unscaled in fp32; any Inf or NaN: skip the step
//     optimizer.step() on master              fp32: an update smaller than bf16's spacing near w is not lost
// Why fp32 masters: bf16 keeps 8 significant bits, so w + lr * g with |lr * g| < |w| / 256 would round back to w;
// summed in fp32 the small updates accumulate. Why loss scaling: small gradients (below fp16's 6e-8 or in bf16's
// coarse denormals) flush to zero in a 16-bit format; multiplying the loss by S multiplies every gradient by S and
// lifts them into range, and dividing by S in fp32 undoes it. Too big an S overflows to Inf, so the scale is
// dynamic: an overflowing step is skipped and S *= backoff_factor; after growth_interval good steps in a row
// S *= growth_factor, probing for the largest scale that fits.
//
// The engine's kernels compute in fp32 (there is no bf16 matmul here): bf16 is a storage format, and every tensor
// the passes see holds bf16 values, so the arithmetic sees exactly bf16's rounding at every storage point.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "module.h"
#include "optimizer.h"

namespace tt::optim {

struct GradScalerOptions {
    double init_scale = 65536.0;  // 2^16, torch.amp's default
    double growth_factor = 2.0;
    double backoff_factor = 0.5;
    int64_t growth_interval = 2000;  // good steps in a row before the scale grows
};

class GradScaler {
public:
    explicit GradScaler(const GradScalerOptions& options = {});
    double scale() const { return scale_; }
    int64_t growth_tracker() const { return good_steps_; }  // good steps since the last change
    // grad /= scale for every parameter, in place; true when any gradient is Inf or NaN (the step must be skipped).
    bool unscale_(const std::vector<nn::Parameter*>& params) const;
    // After a step attempt: an overflow backs the scale off and restarts the count, a good step counts towards
    // growth.
    void update(bool found_inf);

private:
    GradScalerOptions o_;
    double scale_;
    int64_t good_steps_ = 0;
};

struct MixedPrecisionStep {
    float loss = 0;        // the unscaled loss of this step's forward pass
    bool skipped = false;  // a gradient overflowed: no update, the scale was reduced
    double scale = 0;      // the loss scale this step used
};

class MixedPrecisionTrainer {
public:
    // model's parameter values become the fp32 masters' initial values; model keeps bf16 values from now on.
    MixedPrecisionTrainer(nn::Module& model, const GradScalerOptions& options = {});

    // The fp32 master weights, one per model parameter in the same order: build the optimizer over these.
    std::vector<nn::Parameter*> master_parameters();
    // x rounded to bf16 in the forward pass; the gradient passes through unchanged (a straight-through cast).
    Tensor cast_activation(const Tensor& x);
    // One step: loss_fn runs the forward pass on the model (calling cast_activation between layers) and returns
    // the loss; opt must hold master_parameters().
    MixedPrecisionStep step(Optimizer& opt, const std::function<Tensor()>& loss_fn);

    const GradScaler& scaler() const { return scaler_; }
    int64_t master_bytes() const;  // 4 bytes per parameter
    int64_t bf16_bytes() const;    // 2 bytes per parameter: the weight copies (the gradients take as much again)
    int64_t activation_elements() const { return activation_elements_; }  // cast in the last step

private:
    void copy_masters_to_model();  // model value = bf16(master), through the bf16 copies

    std::vector<nn::Parameter*> model_params_;
    std::vector<std::unique_ptr<nn::Parameter>> masters_;
    std::vector<std::vector<uint16_t>> bf16_;  // the bf16 weight copies, 2 bytes per element
    GradScaler scaler_;
    int64_t activation_elements_ = 0;
};

}  // namespace tt::optim
