// tt::F::embedding (module 12): the table lookup of kernels/embedding.h plus one recorded closure. The gradient
// flows to the table only: indices are ids, not values, and get none.
#include "embedding_lookup.h"
#include "error.h"
#include "functional.h"
#include "graph.h"

namespace tt::F {

using autograd::Grads;
using autograd::record;
using autograd::SavedList;

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
    TT_CHECK(weight.defined() && weight.dim() == 2,
             "F::embedding: weight must be [V, C], got " << (weight.defined() ? weight.shape() : Shape{}));
    const int64_t V = weight.shape(0);
    TT_CHECK(padding_idx == -1 || (padding_idx >= 0 && padding_idx < V),
             "F::embedding: padding_idx = " << padding_idx << " is neither -1 (none) nor a row of the table [0, " << V
                                            << ")");
    // The ids are saved as a copy: the caller may refill its index buffer with the next batch before backward.
    const Tensor ids = indices.defined() ? indices.detach().clone() : indices;
    return record("embedding", embedding_forward(weight, ids), {weight}, {ids},
                  [V, padding_idx](const SavedList& s, const Tensor& g) -> Grads {
                      return {embedding_backward(g, s[0], V, padding_idx)};
                  });
}

}  // namespace tt::F
