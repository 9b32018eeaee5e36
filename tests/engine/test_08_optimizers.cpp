// Module 08 — Optimizers: SGD (momentum, dampening, Nesterov, weight decay), Adam, AdamW, param groups, zero_grad,
// the optimizer's state dict, learning-rate schedules and gradient clipping, against torch.optim
// (tests/fixtures/08_optimizers.txt: the same starting tensors and gradient sequence replayed through each
// optimizer, the parameters compared after every step), and the memory an optimizer's state costs.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "adam.h"
#include "clip_grad.h"
#include "elementwise.h"
#include "fixtures.h"
#include "linear.h"
#include "lr_scheduler.h"
#include "optimizer.h"
#include "profile.h"
#include "random.h"
#include "reduce.h"
#include "sgd.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
using tt::nn::Parameter;
using namespace tt::optim;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("08_optimizers.txt");
    return f;
}

constexpr int kSteps = 6;  // gradients in the fixture

// The fixture's two parameters: p0 [3, 4] with ordinary gradients, p1 [5] with tiny ones (~1e-4).
struct Params {
    Parameter p0{fx()["init.0"]};
    Parameter p1{fx()["init.1"]};
    std::vector<Parameter*> all() { return {&p0, &p1}; }
    Parameter& operator[](int i) { return i == 0 ? p0 : p1; }
};

std::string key(const std::string& tag, int step, int i) {
    return tag + ".step" + std::to_string(step) + "." + std::to_string(i);
}

// Steps `first` .. `last - 1` of the fixture's gradient sequence through `opt` (and `sched`, stepped after the
// optimizer as in PyTorch), comparing both parameters with PyTorch's after every step; stops at the first
// difference so that the report shows where a trajectory left PyTorch's.
void replay(const std::string& tag, Params& ps, Optimizer& opt, int first = 0, int last = kSteps,
            LRScheduler* sched = nullptr) {
    for (int k = first; k < last; ++k) {
        for (int i = 0; i < 2; ++i) ps[i].grad.copy_(fx()["grad." + std::to_string(k) + "." + std::to_string(i)]);
        opt.step();
        if (sched) sched->step();
        for (int i = 0; i < 2; ++i) {
            tt_test::Comparison c = tt_test::compare(ps[i].value, fx()[key(tag, k + 1, i)], 1e-6f, 1e-5f);
            CHECK_MESSAGE(c.ok,
                          tag << ": parameter " << i << " after step " << k + 1
                              << " differs from PyTorch's: " << c.message);
            if (!c.ok) return;
        }
    }
}

Tensor state_tensor(const tt::StateDict& sd, const std::string& k) {
    auto it = sd.find(k);
    if (it == sd.end()) return Tensor();
    return it->second;
}

}  // namespace

// ---- SGD ------------------------------------------------------------------------------------------------------

TEST_CASE("08 SGD: plain steps match torch.optim.SGD") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}});
    replay("sgd.plain", ps, opt);
    CHECK(opt.state_bytes() == 0);  // nothing to remember without momentum
}

TEST_CASE("08 SGD: momentum; the buffer starts as the first gradient") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}, {"momentum", 0.9}});
    replay("sgd.momentum", ps, opt);
    tt::StateDict sd = opt.state_dict();
    for (int i = 0; i < 2; ++i) {
        std::string k = "state." + std::to_string(i) + ".momentum_buffer";
        INFO(k);
        CHECK_TENSOR(state_tensor(sd, k), fx()["sgd.momentum." + k], 1e-6f, 1e-5f);
    }
}

TEST_CASE("08 SGD: dampening scales the gradient into the buffer, except on the first step") {
    // With dampening 0.5 a buffer started at 0 (or dampened on step 1) holds 0.5 g after the first step, not g.
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}, {"momentum", 0.9}, {"dampening", 0.5}});
    replay("sgd.dampening", ps, opt);
}

TEST_CASE("08 SGD: Nesterov momentum steps along g + momentum * (the updated buffer)") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}, {"momentum", 0.9}, {"nesterov", 1}});
    replay("sgd.nesterov", ps, opt);
}

TEST_CASE("08 SGD: weight decay adds weight_decay * w to the gradient, with and without momentum") {
    Params a, b;
    SGD plain(a.all(), {{"lr", 0.1}, {"weight_decay", 0.1}});
    replay("sgd.wd", a, plain);
    SGD momentum(b.all(), {{"lr", 0.1}, {"momentum", 0.9}, {"weight_decay", 0.1}});
    replay("sgd.momentum_wd", b, momentum);
}

TEST_CASE("08 SGD: a param group's own lr and momentum; the other group takes the optimizer's") {
    Params ps;
    SGD opt({ParamGroup{{&ps.p0}, {{"lr", 0.5}, {"momentum", 0.5}}}, ParamGroup{{&ps.p1}, {}}},
            {{"lr", 0.1}, {"momentum", 0.9}});
    REQUIRE(opt.param_groups().size() == 2);
    CHECK(opt.param_groups()[0].get("lr") == 0.5);
    CHECK(opt.param_groups()[1].get("lr") == 0.1);
    CHECK(opt.param_groups()[1].get("momentum") == 0.9);
    CHECK(opt.param_groups()[1].get("dampening") == 0.0);  // SGD's own default
    replay("sgd.groups", ps, opt);
}

// ---- Adam and AdamW -------------------------------------------------------------------------------------------

TEST_CASE("08 Adam: steps match torch.optim.Adam (bias correction; eps outside the square root)") {
    // p1's gradients are ~1e-4: there sqrt(v) + eps and sqrt(v + eps) differ by 40%.
    Params ps;
    Adam opt(ps.all(), {{"lr", 0.01}});
    replay("adam", ps, opt);
    tt::StateDict sd = opt.state_dict();
    for (int i = 0; i < 2; ++i)
        for (const char* name : {"exp_avg", "exp_avg_sq", "step"}) {
            std::string k = "state." + std::to_string(i) + "." + name;
            INFO(k);
            CHECK_TENSOR(state_tensor(sd, k), fx()["adam." + k], 1e-7f, 1e-5f);
        }
}

TEST_CASE("08 Adam: the betas and eps options") {
    Params ps;
    Adam opt(ps.all(), {{"lr", 0.01}, {"beta1", 0.8}, {"beta2", 0.99}, {"eps", 1e-3}});
    replay("adam.betas_eps", ps, opt);
}

TEST_CASE("08 Adam: weight decay is added to the gradient (L2)") {
    Params ps;
    Adam opt(ps.all(), {{"lr", 0.01}, {"weight_decay", 0.1}});
    replay("adam.wd", ps, opt);
}

TEST_CASE("08 AdamW: decoupled weight decay shrinks the weights, not the gradient; default 1e-2") {
    Params a, b;
    AdamW opt(a.all(), {{"lr", 0.01}, {"weight_decay", 0.1}});
    CHECK(opt.type_name() == "AdamW");
    replay("adamw", a, opt);
    tt::StateDict sd = opt.state_dict();
    CHECK_TENSOR(state_tensor(sd, "state.0.exp_avg"), fx()["adamw.state.0.exp_avg"], 1e-7f, 1e-5f);
    AdamW defaults(b.all(), {{"lr", 0.01}});
    CHECK(defaults.param_groups()[0].get("weight_decay") == 1e-2);
    replay("adamw.default", b, defaults);
}

TEST_CASE("08 Adam: param groups with their own lr") {
    Params ps;
    Adam opt({ParamGroup{{&ps.p0}, {{"lr", 0.1}}}, ParamGroup{{&ps.p1}, {}}}, {{"lr", 0.01}});
    replay("adam.groups", ps, opt);
}

// ---- the base: zero_grad, param groups ------------------------------------------------------------------------

TEST_CASE("08 zero_grad: every grad becomes 0 in place (a handle or view taken earlier sees the zeros)") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}});
    ps.p0.grad.fill_(3.0f);
    ps.p1.grad.fill_(-2.0f);
    Tensor handle = ps.p0.grad;               // e.g. what a layer or autograd holds
    Tensor view = ps.p1.grad.slice(0, 1, 4);  // a window onto the grad
    opt.zero_grad();
    CHECK(handle.shares_storage(ps.p0.grad));
    CHECK(handle.to_vector() == std::vector<float>(12, 0.0f));
    CHECK(view.to_vector() == std::vector<float>(3, 0.0f));
    CHECK(ps.p1.grad.to_vector() == std::vector<float>(5, 0.0f));
}

TEST_CASE("08 add_param_group: fills in the optimizer's options; the new group is stepped") {
    Params ps;
    SGD opt(std::vector<Parameter*>{&ps.p0}, {{"lr", 0.1}, {"momentum", 0.9}});
    opt.add_param_group(ParamGroup{{&ps.p1}, {{"lr", 0.5}}});
    REQUIRE(opt.param_groups().size() == 2);
    CHECK(opt.param_groups()[1].get("momentum") == 0.9);
    std::vector<float> before = ps.p1.value.to_vector();
    ps.p1.grad.fill_(1.0f);
    opt.step();
    std::vector<float> after = ps.p1.value.to_vector();
    for (size_t i = 0; i < after.size(); ++i) CHECK(after[i] == doctest::Approx(before[i] - 0.5f));
}

// ---- state dict -----------------------------------------------------------------------------------------------

TEST_CASE("08 state_dict: keys like torch.optim's (state.<i>.<buffer>, param_groups.<g>.<option>), copies") {
    Params ps;
    Adam opt(ps.all(), {{"lr", 0.01}});
    CHECK(opt.state_dict().count("state.0.exp_avg") == 0);  // state is created on the first step
    replay("adam", ps, opt, 0, 1);
    tt::StateDict sd = opt.state_dict();
    CHECK(sd.count("state.0.exp_avg") == 1);
    CHECK(sd.count("state.1.exp_avg_sq") == 1);
    CHECK(state_tensor(sd, "state.1.step").item() == 1.0f);
    CHECK(state_tensor(sd, "param_groups.0.lr").item() == 0.01f);
    CHECK(state_tensor(sd, "param_groups.0.beta2").item() == 0.999f);
    CHECK(state_tensor(sd, "param_groups.0.params").to_vector() == std::vector<float>{0, 1});
    std::vector<float> saved = sd["state.0.exp_avg"].to_vector();
    replay("adam", ps, opt, 1, 2);
    CHECK(sd["state.0.exp_avg"].to_vector() == saved);  // a snapshot: later steps do not change it
}

TEST_CASE("08 state_dict: save after 3 steps, load into a fresh optimizer, 2 more steps = 5 uninterrupted") {
    auto round_trip = [](const std::string& tag, auto make) {
        Params full, resumed;
        auto uninterrupted = make(full);
        replay(tag, full, *uninterrupted, 0, 5);
        tt::StateDict saved;
        {
            auto first = make(resumed);
            replay(tag, resumed, *first, 0, 3);
            saved = first->state_dict();
        }
        auto second = make(resumed);
        second->load_state_dict(saved);
        replay(tag, resumed, *second, 3, 5);
        INFO(tag);
        for (int i = 0; i < 2; ++i) CHECK_TENSOR_EQ(resumed[i].value, full[i].value);  // bit for bit
        tt::StateDict a = uninterrupted->state_dict(), b = second->state_dict();
        CHECK(a.size() == b.size());
        for (auto& entry : a) {
            const std::string& k = entry.first;  // (INFO's lambda cannot capture a structured binding in C++17)
            INFO(k);
            CHECK_TENSOR_EQ(state_tensor(b, k), entry.second);
        }
    };
    round_trip("sgd.momentum", [](Params& p) {
        return std::make_unique<SGD>(p.all(), Options{{"lr", 0.1}, {"momentum", 0.9}});
    });
    round_trip("adam", [](Params& p) { return std::make_unique<Adam>(p.all(), Options{{"lr", 0.01}}); });
    round_trip("adamw", [](Params& p) {
        return std::make_unique<AdamW>(p.all(), Options{{"lr", 0.01}, {"weight_decay", 0.1}});
    });
}

TEST_CASE("08 load_state_dict: restores the saved hyper-parameters") {
    Params ps;
    SGD saved_from(ps.all(), {{"lr", 0.25}, {"momentum", 0.5}});
    SGD opt(ps.all(), {{"lr", 1.0}});
    opt.load_state_dict(saved_from.state_dict());
    CHECK(opt.param_groups()[0].get("lr") == 0.25);
    CHECK(opt.param_groups()[0].get("momentum") == 0.5);
}

TEST_CASE("08 load_state_dict: wrong shapes, keys, groups and optimizer kinds are errors") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}, {"momentum", 0.9}});
    replay("sgd.momentum", ps, opt, 0, 2);
    const tt::StateDict good = opt.state_dict();

    tt::StateDict sd = good;
    sd["state.0.momentum_buffer"] = tt::zeros({4});
    TT_CHECK_ERROR(opt.load_state_dict(sd),
                   "load_state_dict: 'state.0.momentum_buffer' has shape [4] in the state dict, parameter 0 "
                   "has shape [3, 4]");
    sd = good;
    sd["state.1.exp_avg"] = tt::zeros({5});
    TT_CHECK_ERROR(opt.load_state_dict(sd),
                   "load_state_dict: unexpected key 'state.1.exp_avg' (SGD keeps momentum_buffer)");
    sd = good;
    sd["state.2.momentum_buffer"] = tt::zeros({5});
    TT_CHECK_ERROR(opt.load_state_dict(sd),
                   "load_state_dict: 'state.2.momentum_buffer' is for parameter 2, but this SGD has 2 "
                   "parameter(s)");
    sd = good;
    sd["epoch"] = tt::scalar(3);
    TT_CHECK_ERROR(opt.load_state_dict(sd),
                   "load_state_dict: unexpected key 'epoch' (an optimizer's state dict has keys "
                   "state.<i>.<name> and param_groups.<g>.<name>)");
    // Adam's state dict into an SGD: Adam's options are not SGD's.
    Params other;
    Adam adam(other.all());
    TT_CHECK_ERROR(opt.load_state_dict(adam.state_dict()),
                   "load_state_dict: unexpected key 'param_groups.0.beta1' (not an option of SGD: dampening, "
                   "lr, momentum, nesterov, weight_decay)");
    // A state dict of two groups into an optimizer of one group, and the reverse; a group of another size.
    Parameter extra(tt::zeros({2}));
    SGD two({ParamGroup{{&other.p0, &other.p1}, {}}, ParamGroup{{&extra}, {}}}, {{"lr", 0.1}});
    TT_CHECK_ERROR(opt.load_state_dict(two.state_dict()),
                   "load_state_dict: 'param_groups.1.dampening' is for param group 1, but this SGD has 1 "
                   "group(s)");
    TT_CHECK_ERROR(two.load_state_dict(good),
                   "load_state_dict: missing key 'param_groups.1.params' (this SGD has 2 param group(s))");
    sd = good;
    sd["param_groups.0.params"] = tt::arange(3);
    TT_CHECK_ERROR(opt.load_state_dict(sd),
                   "load_state_dict: param group 0 has 3 parameter(s) in the state dict, this SGD has 2");
    sd = good;
    sd.erase("param_groups.0.params");
    TT_CHECK_ERROR(opt.load_state_dict(sd),
                   "load_state_dict: missing key 'param_groups.0.params' (this SGD has 1 param group(s))");
    sd = good;
    sd["param_groups.0.lr"] = tt::scalar(-1);
    TT_CHECK_ERROR(opt.load_state_dict(sd), "SGD: invalid lr -1 (must be >= 0)");

    // All or nothing: the failed loads above changed nothing.
    tt::StateDict now = opt.state_dict();
    REQUIRE(now.size() == good.size());
    for (auto& entry : good) {
        const std::string& k = entry.first;
        INFO(k);
        CHECK_TENSOR_EQ(state_tensor(now, k), entry.second);
    }
}

TEST_CASE("08 optimizers: bad options and parameter lists are errors") {
    Params ps;
    TT_CHECK_ERROR(SGD(ps.all(), {}), "SGD: lr is required (SGD has no default learning rate)");
    TT_CHECK_ERROR(SGD(ps.all(), {{"lr", 0.1}, {"betas", 0.9}}),
                   "SGD: unknown option 'betas' (SGD has: dampening, lr, momentum, nesterov, weight_decay)");
    TT_CHECK_ERROR(SGD(std::vector<Parameter*>{}, {{"lr", 0.1}}), "SGD: param group 0 has no parameters");
    TT_CHECK_ERROR(SGD(ps.all(), {{"lr", -0.1}}), "SGD: invalid lr -0.1 (must be >= 0)");
    TT_CHECK_ERROR(SGD(ps.all(), {{"lr", 0.1}, {"momentum", 0.9}, {"dampening", 0.1}, {"nesterov", 1}}),
                   "SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum 0.9 and "
                   "dampening 0.1");
    TT_CHECK_ERROR(SGD({ParamGroup{{&ps.p0, &ps.p1}, {}}, ParamGroup{{&ps.p1}, {}}}, {{"lr", 0.1}}),
                   "SGD: a parameter of param group 1 is already in param group 0 (a parameter may belong to "
                   "one group only)");
    TT_CHECK_ERROR(SGD(std::vector<Parameter*>{&ps.p0, &ps.p0}, {{"lr", 0.1}}),
                   "SGD: param group 0 lists a parameter twice (indices 0 and 1)");
    TT_CHECK_ERROR(Adam(ps.all(), {{"beta1", 1.0}}), "Adam: invalid beta1 1 (must be in [0, 1))");
    TT_CHECK_ERROR(AdamW(ps.all(), {{"eps", -1}}), "AdamW: invalid eps -1 (must be >= 0)");
    SGD opt(std::vector<Parameter*>{&ps.p0}, {{"lr", 0.1}});
    TT_CHECK_ERROR(opt.add_param_group(ParamGroup{{&ps.p1}, {{"momentum", -1}}}),
                   "SGD: invalid momentum -1 (must be >= 0)");
    CHECK(opt.param_groups().size() == 1);  // the rejected group was not added
    TT_CHECK_ERROR(opt.param_groups()[0].get("beta1"),
                   "param group has no option 'beta1' (it has: dampening, lr, momentum, nesterov, weight_decay)");
    ps.p0.grad = tt::zeros({12});  // replaced by a grad of another shape
    TT_CHECK_ERROR(opt.step(),
                   "SGD: a parameter of shape [3, 4] has a grad of shape [12] (a contiguous grad of the same "
                   "shape needed)");
}

// ---- learning-rate schedules ----------------------------------------------------------------------------------

namespace {

// The lr of both groups (base 0.1 and 0.02) after 0, 1, 2, ... scheduler steps, as [steps + 1, 2].
template <typename Make>
void check_schedule(const std::string& tag, Make make) {
    Tensor expected = fx()["lr." + tag];
    const int64_t rows = expected.shape(0);
    Parameter a(tt::zeros({1})), b(tt::zeros({1}));
    SGD opt({ParamGroup{{&a}, {}}, ParamGroup{{&b}, {{"lr", 0.02}}}}, {{"lr", 0.1}});
    auto sched = make(opt);
    std::vector<float> got;
    for (int64_t t = 0; t < rows; ++t) {
        if (t > 0) sched->step();  // (no optimizer step needed: a schedule only rewrites the groups' lr)
        CHECK(sched->last_epoch() == t);
        for (int g = 0; g < 2; ++g) {
            got.push_back(static_cast<float>(opt.param_groups()[g].get("lr")));
            CHECK(sched->get_last_lr()[g] == opt.param_groups()[g].get("lr"));
        }
    }
    INFO(tag);
    CHECK_TENSOR(Tensor(expected.shape(), got), expected, 1e-8f, 1e-6f);
    CHECK(sched->base_lrs() == std::vector<double>{0.1, 0.02});
}

}  // namespace

TEST_CASE("08 StepLR: lr times gamma every step_size steps, like PyTorch's") {
    check_schedule("step", [](Optimizer& o) { return std::make_unique<StepLR>(o, 3, 0.5); });
}

TEST_CASE("08 CosineAnnealingLR: half a cosine from the base lr to eta_min, like PyTorch's") {
    check_schedule("cosine", [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 5, 0.01); });
    check_schedule("cosine_zero_min", [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 3); });
}

TEST_CASE("08 LinearLR: linear warm-up from start_factor to end_factor, like PyTorch's") {
    check_schedule("linear", [](Optimizer& o) { return std::make_unique<LinearLR>(o, 0.1, 1.0, 4); });
}

TEST_CASE("08 schedules drive the optimizer: SGD with momentum under CosineAnnealingLR matches PyTorch") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}, {"momentum", 0.9}});
    CosineAnnealingLR sched(opt, 4, 0.01);
    replay("sgd.cosine", ps, opt, 0, kSteps, &sched);
}

TEST_CASE("08 schedules: bad arguments are errors") {
    Params ps;
    SGD opt(ps.all(), {{"lr", 0.1}});
    TT_CHECK_ERROR(StepLR(opt, 0), "StepLR: step_size must be > 0, got 0");
    TT_CHECK_ERROR(CosineAnnealingLR(opt, 0), "CosineAnnealingLR: T_max must be > 0, got 0");
    TT_CHECK_ERROR(LinearLR(opt, 0.0), "LinearLR: start_factor must be in (0, 1], got 0");
}

// ---- gradient clipping ----------------------------------------------------------------------------------------

namespace {

// Sets the fixture's gradients for case `tag`, clips, and checks the returned norm and the clipped gradients.
void check_clip(const std::string& tag) {
    const std::string k = "clip." + tag + ".";
    Params ps;
    for (int i = 0; i < 2; ++i) ps[i].grad.copy_(fx()[k + "grad." + std::to_string(i)]);
    float norm = clip_grad_norm_(ps.all(), fx()[k + "max_norm"].item());
    INFO(tag);
    CHECK(norm == doctest::Approx(fx()[k + "norm"].item()).epsilon(1e-6));
    for (int i = 0; i < 2; ++i) CHECK_TENSOR(ps[i].grad, fx()[k + "clipped." + std::to_string(i)], 1e-7f, 1e-6f);
}

}  // namespace

TEST_CASE("08 clip_grad_norm_: above max_norm every grad is scaled by max_norm / (norm + 1e-6)") {
    check_clip("above");
    check_clip("small");  // norm ~5e-4: there the 1e-6 matters
    // The clipped gradients together have the length max_norm (just under it, by the 1e-6).
    Params ps;
    for (int i = 0; i < 2; ++i) ps[i].grad.copy_(fx()["clip.above.grad." + std::to_string(i)]);
    clip_grad_norm_(ps.all(), 1.0f);
    CHECK(clip_grad_norm_(ps.all(), 1e9f) == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("08 clip_grad_norm_: at or below max_norm the grads are untouched, bit for bit") {
    check_clip("below");
    Params ps;
    for (int i = 0; i < 2; ++i) ps[i].grad.copy_(fx()["clip.below.grad." + std::to_string(i)]);
    float norm = clip_grad_norm_(ps.all(), 100.0f);
    CHECK(norm < 100.0f);
    for (int i = 0; i < 2; ++i) CHECK_TENSOR_EQ(ps[i].grad, fx()["clip.below.grad." + std::to_string(i)]);
}

TEST_CASE("08 clip_grad_norm_: all-zero grads give norm 0 and stay 0 (no division by zero)") {
    check_clip("zero");
    Params ps;
    CHECK(clip_grad_norm_(ps.all(), 1.0f) == 0.0f);
    CHECK(ps.p0.grad.to_vector() == std::vector<float>(12, 0.0f));  // NaN would differ from 0
    CHECK(ps.p1.grad.to_vector() == std::vector<float>(5, 0.0f));
}

TEST_CASE("08 clip_grad_norm_: over a module's parameters; a bad max_norm is an error") {
    tt::Generator gen(5);
    tt::nn::Linear lin(4, 3, true, gen);
    lin.weight.grad.fill_(1.0f);  // 12 ones
    lin.bias->grad.fill_(2.0f);   // 3 twos: total norm sqrt(12 + 12) = sqrt(24)
    CHECK(clip_grad_norm_(lin, 2.0f) == doctest::Approx(std::sqrt(24.0)));
    CHECK(lin.bias->grad.to_vector()[0] == doctest::Approx(4.0 / (std::sqrt(24.0) + 1e-6)));
    TT_CHECK_ERROR(clip_grad_norm_(lin, -1.0f), "clip_grad_norm_: max_norm must be a finite number >= 0, got -1");
}

// ---- training with the layers of module 05 --------------------------------------------------------------------

TEST_CASE("08 SGD and Adam train a Linear layer (hand-written backward) on y = 3x - 1") {
    for (int which = 0; which < 2; ++which) {
        tt::Generator gen(7);
        tt::nn::Linear lin(1, 1, true, gen);
        Tensor x = tt::arange(-1.0f, 1.0f, 0.25f).reshape({-1, 1});  // [8, 1]
        Tensor y = x * 3.0f - 1.0f;
        std::unique_ptr<Optimizer> opt;
        if (which == 0) opt = std::make_unique<SGD>(lin.parameters(), Options{{"lr", 0.2}, {"momentum", 0.5}});
        else opt = std::make_unique<Adam>(lin.parameters(), Options{{"lr", 0.1}});
        auto loss = [&]() {
            Tensor d = lin.forward(x) - y;
            return tt::mean(d * d).item();
        };
        const float first = loss();
        for (int it = 0; it < 200; ++it) {
            opt->zero_grad();
            Tensor d = lin.forward(x) - y;
            lin.backward(d * (2.0f / x.shape(0)));  // d(mean squared error) / dy
            opt->step();
        }
        INFO(opt->type_name() << ": loss " << first << " -> " << loss());
        CHECK(loss() < 1e-4f * first);
        CHECK(lin.weight.value.item() == doctest::Approx(3.0).epsilon(1e-2));
        CHECK(lin.bias->value.item() == doctest::Approx(-1.0).epsilon(1e-2));
    }
}

// ---- systems: what an optimizer's state costs -----------------------------------------------------------------

TEST_CASE("08 systems: optimizer-state bytes per parameter byte, measured: SGD 0, SGD+momentum 1, Adam 2") {
    // The MLP 784-128-10 of the inference milestone: 101,770 parameters.
    tt::Generator gen(1);
    tt::nn::Linear l1(784, 128, true, gen), l2(128, 10, true, gen);
    std::vector<Parameter*> params = l1.parameters();
    for (Parameter* p : l2.parameters()) params.push_back(p);
    for (Parameter* p : params) p->grad.fill_(0.01f);
    const int64_t param_bytes = 101770 * 4;

    auto measure = [&](Optimizer& opt) {
        CHECK(opt.param_bytes() == param_bytes);
        CHECK(opt.state_bytes() == 0);  // nothing before the first step
        const int64_t before = tt::memory::live_bytes();
        opt.step();
        // What the step kept alive is exactly the state it reports (temporaries are gone by now).
        CHECK(tt::memory::live_bytes() - before == opt.state_bytes());
        const double ratio = static_cast<double>(opt.state_bytes()) / opt.param_bytes();
        MESSAGE(opt.type_name() << ": state " << tt::format_bytes(static_cast<double>(opt.state_bytes())) << " for "
                                << tt::format_bytes(static_cast<double>(opt.param_bytes())) << " of parameters ("
                                << ratio << " bytes per parameter byte)");
        return ratio;
    };
    SGD sgd(params, {{"lr", 0.01}});
    CHECK(measure(sgd) == 0.0);
    SGD momentum(params, {{"lr", 0.01}, {"momentum", 0.9}});
    CHECK(measure(momentum) == 1.0);
    Adam adam(params);
    CHECK(measure(adam) == 2.0);
    AdamW adamw(params);
    CHECK(measure(adamw) == 2.0);
    // A second step allocates nothing new.
    const int64_t before = tt::memory::live_bytes();
    adam.step();
    CHECK(tt::memory::live_bytes() == before);
}
