#include "transformer.h"

#include "error.h"
#include "functional.h"

namespace tt::nn {

namespace {

Tensor no_backward(const char* layer) {
    TT_CHECK(false,
             layer << "::backward: this layer has no hand-written backward; call it as layer(x) and "
                      "differentiate with autograd (loss.backward())");
    return Tensor();
}

Tensor linear_of(const Linear& l, const Tensor& x) {
    return F::linear(x, l.weight.value, l.bias ? l.bias->value : Tensor());
}

}  // namespace

MLP::MLP(int64_t C, int64_t hidden, Generator& gen)
    : fc(register_module("fc", std::make_shared<Linear>(C, hidden, true, gen))),
      proj(register_module("proj", std::make_shared<Linear>(hidden, C, true, gen))) {}

Tensor MLP::forward(const Tensor& x) {
    // BEGIN SOLUTION proj(gelu(fc(x))), each Linear through F::linear so autograd records it
    return linear_of(*proj, F::gelu(linear_of(*fc, x)));
    // END SOLUTION
}

Tensor MLP::backward(const Tensor&) { return no_backward("MLP"); }

TransformerBlock::TransformerBlock(int64_t C, int64_t H, Generator& gen)
    : ln_1(register_module("ln_1", std::make_shared<LayerNorm>(C))),
      attn(register_module("attn", std::make_shared<MultiheadAttention>(C, H, true, gen))),
      ln_2(register_module("ln_2", std::make_shared<LayerNorm>(C))),
      mlp(register_module("mlp", std::make_shared<MLP>(C, 4 * C, gen))) {}

Tensor TransformerBlock::forward(const Tensor& x) {
    // BEGIN SOLUTION pre-norm with residuals: x + attn(ln_1(x)) with is_causal, then h + mlp(ln_2(h)) (F::add keeps the identity path)
    Tensor h = F::add(x, attn->forward((*ln_1)(x), Tensor(), /*is_causal=*/true));
    return F::add(h, (*mlp)((*ln_2)(h)));
    // END SOLUTION
}

Tensor TransformerBlock::forward_cached(const Tensor& x, KVCache& cache) {
    Tensor h = F::add(x, attn->forward_cached((*ln_1)(x), cache));
    return F::add(h, (*mlp)((*ln_2)(h)));
}

Tensor TransformerBlock::backward(const Tensor&) { return no_backward("TransformerBlock"); }

}  // namespace tt::nn
