// Tensors from JS (web reference build), PyTorch-like:
//     const t = new M.Tensor([2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
//     t.shape()            -> [2, 3]
//     t.add(u).matmul(w)   -> new Tensors (each a handle JS must .delete())
//     t.toArray()          -> Float32Array copy in row-major order
//     M.zeros([2, 2]), M.randn([3], seed), M.liveTensors()
// Every function goes through guard<> so C++ errors arrive as JS Errors carrying the C++ message.
// No overloads: guardModule (web/js/engine.mjs) replaces each method by a wrapper, which drops Embind's overload
// table, so reductions over one axis have their own names: t.sum() (all elements), t.sumAxis(axis, keepdim). For the
// same reason names that exist on every Embind handle or JS object are avoided: printing is t.repr() (not
// toString), a data copy is t.copy() (clone() is Embind's: a second handle to the same C++ object).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <sstream>
#include <string>

#include "activations.h"
#include "elementwise.h"
#include "error.h"
#include "guard.h"
#include "matmul.h"
#include "profile.h"
#include "random.h"
#include "reduce.h"
#include "tensor.h"

using emscripten::val;

namespace tt::web {
namespace {

Shape shape_from_js(const val& array, const char* what) {
    TT_CHECK(array.isArray(), what << ": the shape must be an array of sizes, like [2, 3]");
    Shape shape;
    for (double d : emscripten::vecFromJSArray<double>(array)) {
        TT_CHECK(d == static_cast<double>(static_cast<int64_t>(d)), what << ": size " << d << " is not an integer");
        shape.push_back(static_cast<int64_t>(d));
    }
    return shape;
}

val shape_to_js(const Shape& shape) {
    val out = val::array();
    for (int64_t s : shape) out.call<void>("push", static_cast<double>(s));
    return out;
}

// Copies a JS array or typed array into a tensor's storage (Float32Array.prototype.set converts either).
Tensor* make_tensor(val shape_js, val data) {
    Shape shape = shape_from_js(shape_js, "Tensor");
    int64_t n = numel(shape);
    TT_CHECK(data["length"].as<double>() == static_cast<double>(n),
             "Tensor: shape " << shape << " needs " << n << " values, got " << data["length"].as<double>());
    auto t = new Tensor(shape);
    val(emscripten::typed_memory_view(static_cast<size_t>(n), t->data())).call<void>("set", data);
    return t;
}

val shape(const Tensor& t) { return shape_to_js(t.shape()); }
val strides(const Tensor& t) { return shape_to_js(t.strides()); }
double numel_js(const Tensor& t) { return static_cast<double>(t.numel()); }
int dim(const Tensor& t) { return t.dim(); }

val to_array(const Tensor& t) {
    Tensor c = t.contiguous();
    // new Float32Array(view) copies out of the wasm heap, so the result survives memory growth and the tensor.
    return val::global("Float32Array").new_(emscripten::typed_memory_view(static_cast<size_t>(c.numel()), c.data()));
}

double get(const Tensor& t, val index) { return t.at(shape_from_js(index, "get")); }
void set(Tensor& t, val index, double v) { t.at(shape_from_js(index, "set")) = static_cast<float>(v); }
double item(const Tensor& t) { return t.item(); }

std::string to_string(const Tensor& t) {
    std::ostringstream os;
    os << t;
    return os.str();
}

Tensor reshape(const Tensor& t, val s) { return t.reshape(shape_from_js(s, "reshape")); }
Tensor view(const Tensor& t, val s) { return t.view(shape_from_js(s, "view")); }
Tensor expand(const Tensor& t, val s) { return t.expand(shape_from_js(s, "expand")); }
Tensor transpose(const Tensor& t, int a, int b) { return t.transpose(a, b); }
Tensor permute(const Tensor& t, val axes) {
    std::vector<int> a;
    for (double d : emscripten::vecFromJSArray<double>(axes)) a.push_back(static_cast<int>(d));
    return t.permute(a);
}
Tensor slice(const Tensor& t, int axis, double start, double stop, double step) {
    return t.slice(axis, static_cast<int64_t>(start), static_cast<int64_t>(stop), static_cast<int64_t>(step));
}
Tensor squeeze(const Tensor& t, int axis) { return t.squeeze(axis); }
Tensor unsqueeze(const Tensor& t, int axis) { return t.unsqueeze(axis); }
Tensor contiguous(const Tensor& t) { return t.contiguous(); }
Tensor clone_t(const Tensor& t) { return t.clone(); }
bool is_contiguous(const Tensor& t) { return t.is_contiguous(); }
bool shares_storage(const Tensor& a, const Tensor& b) { return a.shares_storage(b); }

Tensor add_t(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor sub_t(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor mul_t(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor divide_t(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor matmul_t(const Tensor& a, const Tensor& b) { return matmul(a, b); }
Tensor mul_scalar(const Tensor& a, double s) { return a * static_cast<float>(s); }
Tensor add_scalar(const Tensor& a, double s) { return a + static_cast<float>(s); }
Tensor neg_t(const Tensor& a) { return neg(a); }
Tensor exp_t(const Tensor& a) { return exp(a); }
Tensor log_t(const Tensor& a) { return log(a); }
Tensor sqrt_t(const Tensor& a) { return sqrt(a); }
Tensor abs_t(const Tensor& a) { return abs(a); }
Tensor pow_t(const Tensor& a, double e) { return pow(a, static_cast<float>(e)); }

Tensor sum_all(const Tensor& t) { return sum(t); }
Tensor sum_axis(const Tensor& t, int axis, bool keepdim) { return sum(t, axis, keepdim); }
Tensor mean_all(const Tensor& t) { return mean(t); }
Tensor mean_axis(const Tensor& t, int axis, bool keepdim) { return mean(t, axis, keepdim); }
Tensor max_all(const Tensor& t) { return max(t); }
Tensor max_axis(const Tensor& t, int axis, bool keepdim) { return max(t, axis, keepdim); }
Tensor min_all(const Tensor& t) { return min(t); }
Tensor min_axis(const Tensor& t, int axis, bool keepdim) { return min(t, axis, keepdim); }
Tensor argmax_all(const Tensor& t) { return argmax(t); }
Tensor argmax_axis(const Tensor& t, int axis, bool keepdim) { return argmax(t, axis, keepdim); }

Tensor relu_t(const Tensor& x) { return relu_forward(x); }
Tensor sigmoid_t(const Tensor& x) { return sigmoid_forward(x); }
Tensor tanh_t(const Tensor& x) { return tanh_forward(x); }
Tensor gelu_t(const Tensor& x) { return gelu_forward(x); }
Tensor softmax_t(const Tensor& x, int axis) { return softmax_forward(x, axis); }
Tensor log_softmax_t(const Tensor& x, int axis) { return log_softmax_forward(x, axis); }

Tensor zeros_js(val s) { return zeros(shape_from_js(s, "zeros")); }
Tensor ones_js(val s) { return ones(shape_from_js(s, "ones")); }
Tensor full_js(val s, double v) { return full(shape_from_js(s, "full"), static_cast<float>(v)); }
Tensor arange_js(double start, double stop, double step) {
    return arange(static_cast<float>(start), static_cast<float>(stop), static_cast<float>(step));
}
uint64_t seed_from_js(double seed) {
    TT_CHECK(seed >= 0 && seed == static_cast<double>(static_cast<uint64_t>(seed)),
             "seed must be a non-negative integer, got " << seed);
    return static_cast<uint64_t>(seed);
}
Tensor randn_js(val s, double seed) { return randn(shape_from_js(s, "randn"), seed_from_js(seed)); }
Tensor rand_js(val s, double seed) { return rand(shape_from_js(s, "rand"), seed_from_js(seed)); }

double live_tensors() { return static_cast<double>(Tensor::live_count()); }
double live_bytes() { return static_cast<double>(memory::live_bytes()); }
double peak_bytes() { return static_cast<double>(memory::peak_bytes()); }
void reset_peak() { memory::reset_peak(); }
std::string format_flops_js(double f) { return format_flops(f); }

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_tensor) {
    using namespace emscripten;
    using namespace tt::web;
    using tt::Tensor;
    class_<Tensor>("Tensor")
        .constructor(guard<&make_tensor>, allow_raw_pointers())
        .function("shape", guard<&shape>)
        .function("strides", guard<&strides>)
        .function("numel", guard<&numel_js>)
        .function("dim", guard<&dim>)
        .function("toArray", guard<&to_array>)
        .function("get", guard<&get>)
        .function("set", guard<&set>)
        .function("item", guard<&item>)
        .function("repr", guard<&to_string>)
        .function("reshape", guard<&reshape>)
        .function("view", guard<&view>)
        .function("expand", guard<&expand>)
        .function("transpose", guard<&transpose>)
        .function("permute", guard<&permute>)
        .function("slice", guard<&slice>)
        .function("squeeze", guard<&squeeze>)
        .function("unsqueeze", guard<&unsqueeze>)
        .function("contiguous", guard<&contiguous>)
        .function("copy", guard<&clone_t>)
        .function("isContiguous", guard<&is_contiguous>)
        .function("sharesStorage", guard<&shares_storage>)
        .function("add", guard<&add_t>)
        .function("sub", guard<&sub_t>)
        .function("mul", guard<&mul_t>)
        .function("div", guard<&divide_t>)
        .function("matmul", guard<&matmul_t>)
        .function("mulScalar", guard<&mul_scalar>)
        .function("addScalar", guard<&add_scalar>)
        .function("neg", guard<&neg_t>)
        .function("exp", guard<&exp_t>)
        .function("log", guard<&log_t>)
        .function("sqrt", guard<&sqrt_t>)
        .function("abs", guard<&abs_t>)
        .function("pow", guard<&pow_t>)
        .function("sum", guard<&sum_all>)
        .function("sumAxis", guard<&sum_axis>)
        .function("mean", guard<&mean_all>)
        .function("meanAxis", guard<&mean_axis>)
        .function("max", guard<&max_all>)
        .function("maxAxis", guard<&max_axis>)
        .function("min", guard<&min_all>)
        .function("minAxis", guard<&min_axis>)
        .function("argmax", guard<&argmax_all>)
        .function("argmaxAxis", guard<&argmax_axis>)
        .function("relu", guard<&relu_t>)
        .function("sigmoid", guard<&sigmoid_t>)
        .function("tanh", guard<&tanh_t>)
        .function("gelu", guard<&gelu_t>)
        .function("softmax", guard<&softmax_t>)
        .function("logSoftmax", guard<&log_softmax_t>);

    function("zeros", guard<&zeros_js>);
    function("ones", guard<&ones_js>);
    function("full", guard<&full_js>);
    function("arange", guard<&arange_js>);
    function("randn", guard<&randn_js>);
    function("rand", guard<&rand_js>);
    function("liveTensors", guard<&live_tensors>);
    function("liveBytes", guard<&live_bytes>);
    function("peakBytes", guard<&peak_bytes>);
    function("resetPeak", guard<&reset_peak>);
    function("formatFlops", guard<&format_flops_js>);
}
