// Module 16 — Quantization: quantize_model swaps a trained Sequential's layers for quantized ones, after an optional
// calibration pass (see quantized.h).
#include <map>

#include "conv_layers.h"
#include "error.h"
#include "grad_mode.h"
#include "linear.h"
#include "quantized.h"

namespace tt::nn {

int quantize_model(Sequential& net, const QuantizeOptions& options, const std::vector<Tensor>& calibration) {
    TT_CHECK(options.bits == 8 || options.bits == 4, "quantize_model: bits = " << options.bits << ", expected 8 or 4");
    TT_CHECK(options.group > 0, "quantize_model: group = " << options.group << " must be > 0");
    // Calibration: the float net runs on held-out batches, layer by layer, and each Linear/Conv2d's observer keeps
    // the running min/max of its input. Eval mode (dropout off, batch norm on its running statistics), no graph.
    std::map<size_t, MinMaxObserver> seen;
    if (!calibration.empty()) {
        const bool was_training = net.is_training();
        net.eval();
        autograd::NoGrad no_grad;
        for (const Tensor& batch : calibration) {
            Tensor h = batch.contiguous();
            for (size_t i = 0; i < net.size(); ++i) {
                Module& layer = net[i];
                if (dynamic_cast<Linear*>(&layer) || dynamic_cast<Conv2d*>(&layer)) {
                    const Tensor hc = h.contiguous();
                    seen[i].reduce_range = options.reduce_range;
                    seen[i].observe(hc.data(), hc.numel());
                }
                h = layer(h);
            }
        }
        net.train(was_training);
    }
    int swapped = 0;
    for (size_t i = 0; i < net.size(); ++i) {
        std::shared_ptr<QuantizedModule> q;
        if (auto* lin = dynamic_cast<Linear*>(&net[i])) {
            if (options.bits == 4) q = std::make_shared<Int4Linear>(*lin, options.group);
            else q = std::make_shared<QuantizedLinear>(*lin, options.per_channel);
        } else if (auto* conv = dynamic_cast<Conv2d*>(&net[i])) {
            q = std::make_shared<QuantizedConv2d>(*conv, options.per_channel);
        }
        if (!q) continue;
        const auto it = seen.find(i);
        // Int4Linear multiplies float inputs: only int8 layers quantize theirs.
        if (it != seen.end() && !dynamic_cast<Int4Linear*>(q.get())) q->input = {true, it->second.qparams()};
        else if (options.reduce_range) q->input.qparams = choose_qparams_reduce_range(0.0f, 0.0f);  // dynamic, 7-bit
        q->train(net.is_training());
        net.set(i, q);
        ++swapped;
    }
    return swapped;
}

int64_t model_bytes(Module& net) {
    int64_t bytes = 0;
    for (const auto& np : net.named_parameters()) bytes += np.second->value.nbytes();
    for (const auto& nb : net.named_buffers()) bytes += nb.second->nbytes();
    // Quantized layers have no parameters: count what they store, wherever they sit in the tree.
    std::vector<Module*> stack = {&net};
    while (!stack.empty()) {
        Module* m = stack.back();
        stack.pop_back();
        if (auto* q = dynamic_cast<QuantizedModule*>(m)) bytes += q->weight_bytes();
        for (const auto& child : m->children()) stack.push_back(child.second.get());
    }
    return bytes;
}

}  // namespace tt::nn
