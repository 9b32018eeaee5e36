#include "compress_steps.h"

#include "distillation.h"
#include "error.h"
#include "grad_mode.h"

namespace tt::optim {

double pruned_train_step(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer, const nn::PruningMasks& masks,
                         const std::vector<Batch>& micro) {
    double value = 0;
    // BEGIN SOLUTION one train_step, then put the pruned weights back to 0 with masks.apply(model)
    value = train_step(model, loss, optimizer, micro);
    masks.apply(model);
    // END SOLUTION
    return value;
}

double distill_train_step(nn::Module& student, nn::Module& teacher, Optimizer& optimizer, const Batch& batch,
                          float temperature, float alpha) {
    Tensor teacher_logits;
    {
        autograd::NoGrad no_grad;
        const bool was_training = teacher.is_training();
        teacher.eval();
        teacher_logits = teacher(batch.input);
        teacher.train(was_training);
    }
    optimizer.zero_grad();
    Tensor l = F::distillation_loss(student(batch.input), teacher_logits, batch.target, temperature, alpha);
    l.backward();
    optimizer.step();
    return l.item();
}

}  // namespace tt::optim
