// Module 16 — Compression: knowledge distillation (Hinton et al. 2015), a small student trained on a big teacher's
// softened outputs as well as on the labels.
//
// A teacher's logits say more than its argmax: "this 7 looks a bit like a 1, not at all like a 0". Dividing them by
// a temperature T > 1 before the softmax brings those small probabilities up where the student can learn from them.
// With p_t = softmax(teacher / T) and log p_s = log_softmax(student / T), per batch of N rows:
//     loss = alpha * T^2 * KL(p_t || p_s) + (1 - alpha) * cross_entropy(student, labels)
//     KL(p_t || p_s) = (1/N) sum_n sum_c p_t[n, c] (log p_t[n, c] - log p_s[n, c])   (torch's kl_div "batchmean")
// The T^2 keeps the soft term's gradient the same size whatever T: d KL / d student scales as 1 / T^2 (one 1/T from
// the softened logits, one from the softmax's flatter slope), so without it a larger T would silently shrink the
// teacher's share of the loss. alpha = 1 is pure distillation, alpha = 0 plain training on the labels.
#pragma once

#include "tensor.h"

namespace tt::F {

// student, teacher logits [N, C]; target [N] class indices (float). Recorded by autograd: the gradient flows to the
// student only (the teacher is detached). Errors: temperature <= 0, alpha outside [0, 1], shapes that differ.
Tensor distillation_loss(const Tensor& student, const Tensor& teacher, const Tensor& target, float temperature,
                         float alpha);

}  // namespace tt::F
