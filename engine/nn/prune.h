// Module 16 — Compression: pruning, zeroing the weights a network can do without (torch.nn.utils.prune's rules).
//
// Unstructured (magnitude) pruning zeroes single weights, the ones of smallest |w|: a trained network has many
// weights near 0 whose removal barely moves its outputs. The zeros only save memory or time in a sparse format
// (kernels/sparse.h: CSR) or with hardware that skips them. Structured pruning zeroes whole rows — a Linear's output
// features, a Conv2d's output channels, an attention head — which a dense kernel CAN skip: the layer shrinks.
//
// A pruned weight must stay 0 while the network is fine-tuned to recover its accuracy, but an optimizer step writes
// every element (the gradient of a pruned weight is not 0, and momentum remembers earlier ones). So the masks are
// kept next to the model (PruningMasks, saved as torch's "<name>_mask" buffers) and applied again after every
// optimizer step.
//
// How many: k = round(sparsity * n) of n elements (rows), half to even like PyTorch's prune (Python's round).
// Ties at the threshold: exactly k are pruned, ranked by (|w|, flat index) — among equal magnitudes the lower index
// goes first. "Prune every |w| <= the k-th smallest" would prune MORE than k when values repeat (a layer of equal
// weights would lose all of them at any sparsity).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "attention.h"
#include "module.h"

namespace tt::nn {

// round(sparsity * n) half to even; sparsity must be in [0, 1] ("<who>: sparsity must be in [0, 1], got s").
int64_t prune_count(int64_t n, double sparsity, const char* who);

// The k = prune_count(numel) positions of smallest |x|, ties by lower flat index: a mask of x's shape, 1 = kept,
// 0 = pruned. NaN is an error (it has no magnitude to rank).
Tensor magnitude_mask(const Tensor& x, double sparsity);
// One ranking over all the tensors together (flat index = position in their concatenation, in order): a global
// threshold, so a layer with many small weights loses more of them than one with few.
std::vector<Tensor> global_magnitude_masks(const std::vector<Tensor>& xs, double sparsity);

enum class PruneNorm { L1, L2 };
const char* prune_norm_name(PruneNorm norm);
// Row r of x viewed as [R, rest] (R = x.shape(0): a Linear's out features, a Conv2d's out channels) -> its L1 or L2
// norm, [R].
Tensor row_norms(const Tensor& x, PruneNorm norm);
// The k = prune_count(R, amount) rows of smallest norm masked whole (ties by lower row index); mask of x's shape.
Tensor structured_mask(const Tensor& x, double amount, PruneNorm norm);

// A pruned model's masks, by parameter name ("0.weight").
class PruningMasks {
public:
    // Every parameter of dim >= 2 (Linear and Conv2d weights, attention projections; biases and norms are tiny and
    // left alone). global: one threshold over all of them; else each pruned to `sparsity` on its own.
    static PruningMasks magnitude(Module& model, double sparsity, bool global);
    // Every parameter of dim >= 2 loses its weakest rows, and the bias next to it ("0.weight" -> "0.bias") the same
    // entries, so that a pruned channel outputs exactly 0.
    static PruningMasks structured(Module& model, double amount, PruneNorm norm);

    void set(const std::string& name, const Tensor& mask);  // replaces (not combines) an earlier mask
    bool has(const std::string& name) const { return masks_.count(name) != 0; }
    const Tensor& mask(const std::string& name) const;
    const std::map<std::string, Tensor>& masks() const { return masks_; }
    // weight *= mask for every masked parameter of model: once after pruning and after every optimizer step.
    void apply(Module& model) const;
    // "<name>_mask" -> mask, the buffers torch.nn.utils.prune registers.
    StateDict state_dict() const;

private:
    std::map<std::string, Tensor> masks_;
};

// Head pruning (module 13's MultiheadAttention): head h owns rows h*D..(h+1)*D-1 of each of the q, k and v thirds of
// in_proj_weight (and in_proj_bias) and columns h*D..(h+1)*D-1 of out_proj.weight; zeroing all of them removes its
// output exactly. Heads are ranked by the norm of those weights together. `prefix` names the layer in `masks`
// ("blocks.0.attn." -> "blocks.0.attn.in_proj_weight"); the masks are applied at once.
std::vector<int64_t> attention_head_ranking(MultiheadAttention& attn, PruneNorm norm);  // weakest head first
void prune_attention_heads(MultiheadAttention& attn, const std::vector<int64_t>& heads, PruningMasks& masks,
                           const std::string& prefix = "");

// Zeros per parameter: what a mask leaves, and what a sparse format could save.
struct SparsityRow {
    std::string name;
    int64_t numel = 0, zeros = 0;
};
std::vector<SparsityRow> sparsity_rows(Module& model);
std::string sparsity_report(Module& model);  // a table, one row per parameter and the total

}  // namespace tt::nn
