#include "embedding.h"

#include <cmath>

#include "embedding_lookup.h"
#include "error.h"
#include "functional.h"

namespace tt::nn {

Embedding::Embedding(int64_t V, int64_t C, int64_t pad, Generator& gen)
    : num_embeddings(V), embedding_dim(C), padding_idx(pad), weight(register_parameter("weight", Tensor({V, C}))) {
    TT_CHECK(V > 0 && C > 0, "Embedding: num_embeddings and embedding_dim must be > 0, got " << V << " and " << C);
    TT_CHECK(pad == -1 || (pad >= 0 && pad < V),
             "Embedding: padding_idx = " << pad << " is neither -1 (none) nor a row of the table [0, " << V << ")");
    // BEGIN SOLUTION torch.nn.Embedding's init: every weight N(0, 1) (normal_ with gen), then the padding row (if any) set to 0 in place
    normal_(weight.value, 0.0f, 1.0f, gen);
    if (pad >= 0) weight.value.select(0, pad).fill_(0.0f);
    // END SOLUTION
}

Tensor Embedding::forward(const Tensor& ids) {
    TT_CHECK(ids.defined(), "Embedding: the ids are undefined");
    ids_ = ids.detach();
    return F::embedding(weight.value, ids, padding_idx);
}

Tensor Embedding::backward(const Tensor& grad_out) {
    TT_CHECK(ids_.defined(), "Embedding::backward: call forward first");
    weight.accumulate_grad(embedding_backward(grad_out, ids_, num_embeddings, padding_idx));
    return Tensor();
}

Tensor sinusoidal_positions(int64_t T, int64_t C) {
    TT_CHECK(C > 0 && C % 2 == 0,
             "sinusoidal_positions: the dimension C must be even and > 0 (sin, cos pairs), got " << C);
    TT_CHECK(T >= 0, "sinusoidal_positions: T must be >= 0, got " << T);
    Tensor pe({T, C});
    float* p = pe.data();
    // BEGIN SOLUTION for every position t and pair i (columns 2i, 2i+1): angle = t / 10000^(2i / C) in double; column 2i gets sin(angle), 2i+1 cos(angle)
    for (int64_t t = 0; t < T; ++t)
        for (int64_t i = 0; i < C / 2; ++i) {
            const double angle =
                static_cast<double>(t) / std::pow(10000.0, static_cast<double>(2 * i) / static_cast<double>(C));
            p[t * C + 2 * i] = static_cast<float>(std::sin(angle));
            p[t * C + 2 * i + 1] = static_cast<float>(std::cos(angle));
        }
    // END SOLUTION
    return pe;
}

}  // namespace tt::nn
