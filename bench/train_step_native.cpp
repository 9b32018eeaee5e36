// tt_train_step_native: the native engine's training step for bench/train-step.mjs, printed as JSON — median
// seconds per step of the Fashion-MNIST CNN and the MLP 784-256-128-10 at batch 64 (the networks of
// bench/torch_train_step.py), and where a CNN step's time goes (forward, loss + backward, optimizer step).
//   tt_train_step_native [seconds-per-sample-target] [cpu|wall]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "functional.h"
#include "loss.h"
#include "median_time.h"
#include "simd.h"
#include "train_step.h"

namespace {

using tt::bench::median_seconds;
using tt::bench::use_cpu_clock;

const char* const CNN =
    "conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10";
const char* const MLP = "flatten linear:784:256 relu linear:256:128 relu linear:128:10";

// Where a step's time goes: each layer's forward and hand-written backward (what Module::operator() runs inside
// the graph), the loss with its gradient, and the optimizer step, timed one by one on the step's own tensors.
void profile(tt::bench::TrainStep& t, const std::string& architecture, double target) {
    tt::nn::Sequential& net = t.net();
    const std::vector<tt::LayerSpec> specs = tt::parse_architecture(architecture);
    std::vector<tt::Tensor> acts{t.input()};
    for (size_t i = 0; i < net.size(); ++i) acts.push_back(net[i].forward(acts.back()));
    const tt::Tensor logits = acts.back();
    std::vector<tt::Tensor> grads(net.size() + 1);
    grads.back() = tt::cross_entropy_backward(tt::Tensor({}, {1.0f}), logits, t.target());
    for (size_t i = net.size(); i-- > 0;) grads[i] = net[i].backward(grads[i + 1]);
    std::printf(", \"profile\": {\"layers\": [");
    for (size_t i = 0; i < net.size(); ++i) {
        const double fwd = median_seconds([&] { net[i].forward(acts[i]); }, target / 4, 5, 3);
        const double bwd = median_seconds([&] { net[i].backward(grads[i + 1]); }, target / 4, 5, 3);
        std::printf("%s{\"layer\": \"%s\", \"forward\": %.9g, \"backward\": %.9g}", i ? ", " : "",
                    tt::format_architecture({specs[i]}).c_str(), fwd, bwd);
    }
    const double loss = median_seconds(
        [&] {
            tt::F::cross_entropy(logits, t.target());
            tt::cross_entropy_backward(tt::Tensor({}, {1.0f}), logits, t.target());
        },
        target / 4, 5, 3);
    const double step = median_seconds([&] { t.optimizer().step(); }, target / 4, 5, 3);
    const double zero = median_seconds([&] { t.optimizer().zero_grad(); }, target / 4, 5, 3);
    std::printf("], \"loss\": %.9g, \"optimizer_step\": %.9g, \"zero_grad\": %.9g}", loss, step, zero);
}

}  // namespace

int main(int argc, char** argv) {
    const double target = argc > 1 ? std::atof(argv[1]) : 0.05;
    use_cpu_clock = argc > 2 && std::string(argv[2]) == "cpu";
    std::printf("{\"arch\": \"%s\", \"batch\": 64", tt::simd_arch_name());
    for (const auto& [name, architecture] : {std::pair{"cnn", CNN}, std::pair{"mlp", MLP}}) {
        tt::bench::TrainStep t(architecture, "1x28x28", 64, 0.01);
        const double first_loss = t.step();
        const double seconds = median_seconds([&] { t.step(); }, target, 7, 3);
        std::printf(", \"%s\": {\"parameters\": %lld, \"seconds\": %.9g, \"first_loss\": %.6f", name,
                    static_cast<long long>(t.parameter_count()), seconds, first_loss);
        profile(t, architecture, target);
        std::printf("}");
    }
    std::printf("}\n");
}
