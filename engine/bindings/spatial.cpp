// Module 10's layers from JS (web reference build), PyTorch-like constructors:
//     const conv = new M.Conv2d(3, 16, 3, 1, 1, 1, 7);   // in, out, kernel, stride, padding, dilation, seed
//     const bn = new M.BatchNorm2d(16, 1e-5, 0.1);  const pool = new M.MaxPool2d(2, 2, 0);
// and the layers of a one-line classifier architecture (models/classifier.h) as separate modules, so a page can time
// each layer on its own: M.classifierLayers('conv:1:16:3:1 relu maxpool:2 …', seed) → [Module, …]; and
// M.conv2dWith(x, weight, bias, stride, padding, dilation, route) runs one route of the convolution: 'im2col'
// (conv2d_forward_im2col: im2col + conv_gemm, image by image), 'loops' (the direct loops, conv2d_forward_ref) or 'engine' (conv2d_forward,
// which takes the direct kernel of conv_direct.h where it applies).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "batchnorm2d.h"
#include "classifier.h"
#include "conv.h"
#include "conv_layers.h"
#include "dropout_layers.h"
#include "error.h"
#include "guard.h"
#include "pool_layers.h"
#include "random.h"

using emscripten::val;

namespace tt::web {
namespace {

uint64_t seed_of(double seed, const char* who) {
    TT_CHECK(seed >= 0 && seed == static_cast<double>(static_cast<uint64_t>(seed)),
             who << ": seed must be a non-negative integer, got " << seed);
    return static_cast<uint64_t>(seed);
}

std::shared_ptr<nn::Conv2d> make_conv2d(int in, int out, int kernel, int stride, int padding, int dilation,
                                        double seed) {
    Generator gen(seed_of(seed, "Conv2d"));
    return std::make_shared<nn::Conv2d>(in, out, kernel, stride, padding, true, gen, dilation);
}
std::shared_ptr<nn::MaxPool2d> make_maxpool(int kernel, int stride, int padding) {
    return std::make_shared<nn::MaxPool2d>(kernel, stride, padding);
}
std::shared_ptr<nn::AvgPool2d> make_avgpool(int kernel, int stride, int padding) {
    return std::make_shared<nn::AvgPool2d>(kernel, stride, padding);
}
std::shared_ptr<nn::BatchNorm2d> make_batchnorm(int channels, float eps, float momentum) {
    return std::make_shared<nn::BatchNorm2d>(channels, eps, momentum);
}
std::shared_ptr<nn::Dropout> make_dropout(float p) { return std::make_shared<nn::Dropout>(p); }

// One convolution through one route (above), for timing them against each other.
Tensor conv2d_with(const Tensor& x, const Tensor& weight, const Tensor& bias, int stride, int padding, int dilation,
                   const std::string& route) {
    TT_CHECK(route == "im2col" || route == "loops" || route == "engine",
             "conv2d: route must be 'im2col', 'loops' or 'engine', got '" << route << "'");
    TT_CHECK(x.dim() == 4 && weight.dim() == 4 && x.shape(1) == weight.shape(1) &&
                 bias.shape() == Shape{weight.shape(0)},
             "conv2d: x [B, C, H, W], weight [OC, C, KH, KW] and bias [OC] do not fit: "
                 << x.shape() << ", " << weight.shape() << ", " << bias.shape());
    Conv2dGeometry g;
    g.batch = int(x.shape(0)), g.in_channels = int(x.shape(1)), g.height = int(x.shape(2)), g.width = int(x.shape(3));
    g.out_channels = int(weight.shape(0)), g.kernel_h = int(weight.shape(2)), g.kernel_w = int(weight.shape(3));
    g.stride = stride, g.padding = padding, g.dilation = dilation;
    g.validate("conv2d");
    const Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias.contiguous();
    Tensor y({g.batch, g.out_channels, g.out_h(), g.out_w()});
    if (route == "loops") {
        conv2d_forward_ref(g, xc.data(), wc.data(), bc.data(), y.data());
    } else if (route == "engine") {
        conv2d_forward(g, xc.data(), wc.data(), bc.data(), y.data());
    } else {
        conv2d_forward_im2col(g, xc.data(), wc.data(), bc.data(), y.data());
    }
    return y;
}

val classifier_layers(const std::string& architecture, double seed) {
    Generator gen(seed_of(seed, "classifierLayers"));
    auto net = build_classifier(architecture, gen);
    val out = val::array();
    for (const auto& child : net->children()) out.call<void>("push", val(child.second));
    return out;
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_spatial) {
    using namespace emscripten;
    using namespace tt::web;
    using namespace tt::nn;
    class_<Conv2d, base<Module>>("Conv2d").smart_ptr_constructor("Conv2dPtr", guard<&make_conv2d>);
    class_<MaxPool2d, base<Module>>("MaxPool2d").smart_ptr_constructor("MaxPool2dPtr", guard<&make_maxpool>);
    class_<AvgPool2d, base<Module>>("AvgPool2d").smart_ptr_constructor("AvgPool2dPtr", guard<&make_avgpool>);
    class_<BatchNorm2d, base<Module>>("BatchNorm2d").smart_ptr_constructor("BatchNorm2dPtr", guard<&make_batchnorm>);
    class_<Dropout, base<Module>>("Dropout").smart_ptr_constructor("DropoutPtr", guard<&make_dropout>);
    function("classifierLayers", guard<&classifier_layers>);
    function("conv2dWith", guard<&conv2d_with>);
}
