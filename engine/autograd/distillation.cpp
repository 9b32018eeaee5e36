#include "distillation.h"

#include "activations.h"
#include "elementwise.h"
#include "error.h"
#include "functional.h"
#include "reduce.h"

namespace tt::F {

namespace {

Tensor scalar(float v) { return Tensor({1}, {v}); }

}  // namespace

Tensor distillation_loss(const Tensor& student, const Tensor& teacher, const Tensor& target, float temperature,
                         float alpha) {
    TT_CHECK(temperature > 0.0f, "distillation_loss: temperature must be > 0, got " << temperature);
    TT_CHECK(alpha >= 0.0f && alpha <= 1.0f, "distillation_loss: alpha must be in [0, 1], got " << alpha);
    TT_CHECK(student.defined() && student.dim() == 2,
             "distillation_loss: student logits must be [N, C], got " << student.shape());
    TT_CHECK(teacher.defined() && teacher.shape() == student.shape(),
             "distillation_loss: teacher logits " << teacher.shape() << " differ from the student's "
                                                  << student.shape());
    const float n = static_cast<float>(student.shape(0));
    // The teacher is a constant: its softened distribution and the sum p_t log p_t (which makes the value a true KL,
    // 0 when the two agree) are computed without recording.
    const Tensor t = tt::div(teacher.detach(), scalar(temperature));
    const Tensor p_t = softmax_forward(t, 1);
    const Tensor log_p_t = log_softmax_forward(t, 1);
    const float entropy_term = tt::sum(tt::mul(p_t, log_p_t)).item();  // sum p_t log p_t <= 0; p_t = 0 adds 0
    Tensor loss;
    // BEGIN SOLUTION the soft term alpha * T^2 * KL(p_t || p_s) with log p_s = F::log_softmax(student / T), plus (1 - alpha) * F::cross_entropy
    const Tensor log_p_s = F::log_softmax(F::div(student, scalar(temperature)), 1);
    const Tensor cross = F::sum(F::mul(log_p_s, p_t));  // sum p_t log p_s
    const Tensor kl = F::div(F::sub(scalar(entropy_term), cross), scalar(n));
    const Tensor soft = F::mul(kl, scalar(alpha * temperature * temperature));
    loss = F::add(soft, F::mul(F::cross_entropy(student, target), scalar(1.0f - alpha)));
    // END SOLUTION
    return F::reshape(loss, {});
}

}  // namespace tt::F
