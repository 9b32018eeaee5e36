// Module 16 — Compression, the pruning and distillation half: magnitude masks on hand-worked examples (ties, sparsity
// 0 and 1, global vs per layer), structured pruning of rows / channels / heads, masks that survive optimizer steps,
// CSR round trips and the sparse product against its scalar twin and the dense product, the sparse safetensors file,
// and the distillation loss against PyTorch (tests/fixtures/16_prune.txt) and finite differences.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "attention.h"
#include "compress_steps.h"
#include "conv_layers.h"
#include "distillation.h"
#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "gradcheck.h"
#include "linear.h"
#include "losses.h"
#include "matmul.h"
#include "prune.h"
#include "random.h"
#include "safetensors.h"
#include "sequential.h"
#include "sgd.h"
#include "sparse.h"
#include "sparse_safetensors.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace nn = tt::nn;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("16_prune.txt");
    return f;
}

std::vector<float> v(const Tensor& t) { return t.to_vector(); }

int64_t zeros(const Tensor& t) {
    int64_t n = 0;
    for (float x : t.to_vector()) n += x == 0.0f;
    return n;
}

Tensor randn(const Shape& shape, uint64_t seed) {
    tt::Generator gen(seed);
    return tt::randn(shape, gen);
}

}  // namespace

TEST_CASE("16 prune: prune_count rounds sparsity * n half to even, like torch's prune") {
    CHECK(nn::prune_count(10, 0.0, "t") == 0);
    CHECK(nn::prune_count(10, 1.0, "t") == 10);
    CHECK(nn::prune_count(10, 0.9, "t") == 9);
    CHECK(nn::prune_count(10, 0.7, "t") == 7);  // 0.7 * 10 is 7.000000000000001 in double
    CHECK(nn::prune_count(3, 0.5, "t") == 2);   // 1.5 -> 2
    CHECK(nn::prune_count(5, 0.5, "t") == 2);   // 2.5 -> 2 (half to even)
    CHECK(nn::prune_count(7, 0.5, "t") == 4);   // 3.5 -> 4
    CHECK(nn::prune_count(0, 0.5, "t") == 0);
}

TEST_CASE("16 prune: magnitude_mask prunes the k smallest |w|, signs ignored") {
    // |w| = 0.5 3 0.1 2 0.7 1.5: sorted 0.1 (2), 0.5 (0), 0.7 (4), 1.5 (5), 2 (3), 3 (1)
    Tensor w({2, 3}, {-0.5f, 3.0f, 0.1f, -2.0f, 0.7f, -1.5f});
    CHECK(v(nn::magnitude_mask(w, 0.5)) == std::vector<float>{0, 1, 0, 1, 0, 1});
    CHECK(v(nn::magnitude_mask(w, 1.0 / 3.0)) == std::vector<float>{0, 1, 0, 1, 1, 1});
    CHECK(v(nn::magnitude_mask(w, 0.8)) == std::vector<float>{0, 1, 0, 0, 0, 0});  // round(4.8) = 5
    CHECK(nn::magnitude_mask(w, 0.5).shape() == Shape{2, 3});
    // the input is not changed: a mask is computed, applying it is a separate step
    CHECK(v(w) == std::vector<float>{-0.5f, 3.0f, 0.1f, -2.0f, 0.7f, -1.5f});
}

TEST_CASE("16 prune: magnitude_mask at sparsity 0 and 1, and on ties prunes exactly k, lower index first") {
    Tensor w({5}, {0.3f, -0.2f, 0.2f, 0.9f, 0.2f});
    CHECK(v(nn::magnitude_mask(w, 0.0)) == std::vector<float>{1, 1, 1, 1, 1});
    CHECK(v(nn::magnitude_mask(w, 1.0)) == std::vector<float>{0, 0, 0, 0, 0});
    // three weights tie at |w| = 0.2 (indices 1, 2, 4): pruning 2 takes indices 1 and 2, never all three
    CHECK(v(nn::magnitude_mask(w, 0.4)) == std::vector<float>{1, 0, 0, 1, 1});
    CHECK(v(nn::magnitude_mask(w, 0.2)) == std::vector<float>{1, 0, 1, 1, 1});
    // all equal: exactly round(s n) of them, from the front
    Tensor same({6}, {1, 1, 1, 1, 1, 1});
    CHECK(v(nn::magnitude_mask(same, 0.5)) == std::vector<float>{0, 0, 0, 1, 1, 1});
    // zeros already there are the smallest: they are pruned first (and stay 0)
    Tensor with_zero({4}, {0.5f, 0.0f, -0.0f, 0.25f});
    CHECK(v(nn::magnitude_mask(with_zero, 0.5)) == std::vector<float>{1, 0, 0, 1});
    // a non-contiguous view ranks its own elements in its own order
    Tensor m({2, 2}, {4, 1, 2, 3});
    CHECK(v(nn::magnitude_mask(m.t(), 0.5)) == std::vector<float>{1, 0, 0, 1});  // t() = [[4, 2], [1, 3]]
}

TEST_CASE("16 prune: global masks rank all tensors together, per-layer ones each on its own") {
    Tensor a({2, 2}, {0.1f, 0.2f, 0.3f, 0.4f}), b({2, 2}, {5, 6, 7, 0.05f});
    std::vector<Tensor> g = nn::global_magnitude_masks({a, b}, 0.5);  // the 4 smallest of all 8: 0.05 .1 .2 .3
    CHECK(v(g[0]) == std::vector<float>{0, 0, 0, 1});
    CHECK(v(g[1]) == std::vector<float>{1, 1, 1, 0});
    CHECK(v(nn::magnitude_mask(b, 0.5)) == std::vector<float>{0, 1, 1, 0});
    // ties across tensors: the earlier tensor's element goes first
    std::vector<Tensor> t = nn::global_magnitude_masks({Tensor({2}, {1, 2}), Tensor({2}, {1, 3})}, 0.25);
    CHECK(v(t[0]) == std::vector<float>{0, 1});
    CHECK(v(t[1]) == std::vector<float>{1, 1});
}

TEST_CASE("16 prune: PruningMasks prunes every weight of dim >= 2, leaves biases, reaches the sparsity asked") {
    tt::Generator gen(3);
    nn::Sequential net;
    net.add(std::make_shared<nn::Linear>(20, 10, true, gen));
    net.add(std::make_shared<nn::Linear>(10, 4, true, gen));
    nn::PruningMasks per = nn::PruningMasks::magnitude(net, 0.9, false);
    CHECK(per.masks().size() == 2);
    CHECK(per.has("0.weight"));
    CHECK(!per.has("0.bias"));
    auto params = net.named_parameters();
    CHECK(zeros(params[0].second->value) == 180);  // 0.weight [10, 20]
    CHECK(zeros(params[1].second->value) == 0);    // 0.bias untouched
    CHECK(zeros(params[2].second->value) == 36);   // 1.weight [4, 10]
    tt::StateDict sd = per.state_dict();
    CHECK(sd.count("0.weight_mask") == 1);
    CHECK(sd.count("1.weight_mask") == 1);
    const std::string report = nn::sparsity_report(net);
    CHECK(report.find("0.weight") != std::string::npos);
    CHECK(report.find("90.00%") != std::string::npos);
    auto rows = nn::sparsity_rows(net);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].zeros == 180);
    CHECK(rows[0].numel == 200);
}

TEST_CASE("16 prune: masks survive SGD steps with momentum and weight decay") {
    tt::Generator gen(4);
    nn::Sequential net;
    net.add(std::make_shared<nn::Linear>(6, 5, true, gen));
    net.add(std::make_shared<nn::Linear>(5, 3, true, gen));
    nn::PruningMasks masks = nn::PruningMasks::magnitude(net, 0.6, true);
    tt::optim::SGD opt(net.parameters(), {{"lr", 0.1}, {"momentum", 0.9}, {"weight_decay", 0.01}});
    nn::CrossEntropyLoss loss;
    tt::optim::Batch batch{randn({8, 6}, 5), Tensor({8}, {0, 1, 2, 0, 1, 2, 0, 1})};
    const int64_t before =
        zeros(net.named_parameters()[0].second->value) + zeros(net.named_parameters()[2].second->value);
    CHECK(before == 27);  // round(0.6 * 45): one threshold over 30 + 15 weights
    Tensor w0 = net.named_parameters()[0].second->value.clone();
    double first = 0, last = 0;
    for (int step = 0; step < 5; ++step) {
        const double l = tt::optim::pruned_train_step(net, loss, opt, masks, {batch});
        if (step == 0) first = l;
        last = l;
    }
    CHECK(last < first);  // it trains ...
    Tensor w = net.named_parameters()[0].second->value;
    const Tensor& m = masks.mask("0.weight");
    bool changed = false;
    for (int64_t i = 0; i < w.numel(); ++i) {
        if (m.data()[i] == 0.0f) CHECK(w.data()[i] == 0.0f);  // ... and every pruned weight is still exactly 0
        if (m.data()[i] == 1.0f && w.data()[i] != w0.data()[i]) changed = true;
    }
    CHECK(changed);
    CHECK(zeros(net.named_parameters()[0].second->value) + zeros(net.named_parameters()[2].second->value) >= 27);
}

TEST_CASE("16 prune: structured masks take whole rows, and L1 and L2 rank them differently") {
    // row norms: L1 = 3, 3.2, 2.5, 4; L2 = 3, 2.26, 2.5, 4 -> the weakest row is 2 by L1 but 1 by L2
    Tensor w({4, 2}, {3.0f, 0.0f, 1.6f, -1.6f, -2.5f, 0.0f, 4.0f, 0.0f});
    CHECK(v(nn::row_norms(w, nn::PruneNorm::L1)) == std::vector<float>{3.0f, 3.2f, 2.5f, 4.0f});
    Tensor l2 = nn::row_norms(w, nn::PruneNorm::L2);
    CHECK(l2.to_vector()[1] == doctest::Approx(std::sqrt(2 * 1.6 * 1.6)).epsilon(1e-6));
    CHECK(l2.to_vector()[2] == 2.5f);
    CHECK(v(nn::structured_mask(w, 0.25, nn::PruneNorm::L1)) == std::vector<float>{1, 1, 1, 1, 0, 0, 1, 1});
    CHECK(v(nn::structured_mask(w, 0.25, nn::PruneNorm::L2)) == std::vector<float>{1, 1, 0, 0, 1, 1, 1, 1});
    CHECK(v(nn::structured_mask(w, 0.5, nn::PruneNorm::L1)) == std::vector<float>{0, 0, 1, 1, 0, 0, 1, 1});
    CHECK(v(nn::structured_mask(w, 0.5, nn::PruneNorm::L2)) == std::vector<float>{1, 1, 0, 0, 0, 0, 1, 1});
    CHECK(v(nn::structured_mask(w, 0.0, nn::PruneNorm::L2)) == std::vector<float>{1, 1, 1, 1, 1, 1, 1, 1});
    CHECK(zeros(nn::structured_mask(w, 1.0, nn::PruneNorm::L1)) == 8);
    // equal norms: the lower row index goes first
    Tensor tie({3, 1}, {2.0f, -2.0f, 2.0f});
    CHECK(v(nn::structured_mask(tie, 0.34, nn::PruneNorm::L1)) == std::vector<float>{0, 1, 1});
}

TEST_CASE("16 prune: structured pruning of a Conv2d zeroes whole output channels and their biases") {
    tt::Generator gen(7);
    nn::Sequential net;
    auto conv = std::make_shared<nn::Conv2d>(2, 6, 3, 1, 1, true, gen);
    net.add(conv);
    // channel c's weights scaled by (c + 1) with channel 4 the weakest: L1 and L2 agree on the order here
    Tensor& wv = conv->weight.value;
    const float scale[6] = {3, 5, 2, 6, 0.1f, 4};
    for (int64_t c = 0; c < 6; ++c)
        for (int64_t i = 0; i < 18; ++i) wv.data()[c * 18 + i] = scale[c] * (i % 2 ? 1.0f : -1.0f);
    nn::PruningMasks masks = nn::PruningMasks::structured(net, 0.5, nn::PruneNorm::L2);  // 3 of 6: channels 4, 2, 0
    CHECK(masks.has("0.bias"));
    for (int64_t c = 0; c < 6; ++c) {
        const bool pruned = c == 4 || c == 2 || c == 0;
        int64_t z = 0;
        for (int64_t i = 0; i < 18; ++i) z += wv.data()[c * 18 + i] == 0.0f;
        CHECK(z == (pruned ? 18 : 0));
        CHECK((conv->bias->value.data()[c] == 0.0f) == pruned);
    }
    // a pruned channel's output is exactly 0 everywhere, the others are not
    Tensor y = net(randn({2, 2, 5, 5}, 8));
    for (int64_t c = 0; c < 6; ++c) {
        Tensor yc = y.select(1, c).contiguous();
        CHECK((zeros(yc) == yc.numel()) == (c == 4 || c == 2 || c == 0));
    }
}

TEST_CASE("16 prune: attention head pruning zeroes the head's q/k/v rows and output columns; its output is gone") {
    tt::Generator gen(9);
    nn::MultiheadAttention attn(8, 4, true, gen);  // D = 2
    Tensor x = randn({1, 3, 8}, 10);
    attn.in_proj_bias->value.copy_(randn({24}, 12));  // torch starts it at 0: give the check something to zero
    // head 2 alone: q, k, v rows 4, 5 of each third, out_proj columns 4, 5
    nn::PruningMasks masks;
    nn::prune_attention_heads(attn, {2}, masks, "attn.");
    CHECK(masks.has("attn.in_proj_weight"));
    CHECK(masks.has("attn.in_proj_bias"));
    CHECK(masks.has("attn.out_proj.weight"));
    const Tensor& in = attn.in_proj_weight.value;
    for (int64_t r = 0; r < 24; ++r) {
        const bool head2 = r % 8 == 4 || r % 8 == 5;
        int64_t z = 0;
        for (int64_t c = 0; c < 8; ++c) z += in.data()[r * 8 + c] == 0.0f;
        CHECK(z == (head2 ? 8 : 0));
        CHECK((attn.in_proj_bias->value.data()[r] == 0.0f) == head2);
    }
    const Tensor& out = attn.out_proj->weight.value;
    for (int64_t r = 0; r < 8; ++r)
        for (int64_t c = 0; c < 8; ++c) CHECK((out.data()[r * 8 + c] == 0.0f) == (c == 4 || c == 5));
    // pruning the other three heads too leaves only out_proj's bias
    nn::prune_attention_heads(attn, {0, 1, 3}, masks, "attn.");
    Tensor y = attn(x);
    Tensor bias = attn.out_proj->bias->value;
    for (int64_t t = 0; t < 3; ++t)
        for (int64_t c = 0; c < 8; ++c) CHECK(y.at({0, t, c}) == bias.at({c}));
    TT_CHECK_ERROR(nn::prune_attention_heads(attn, {4}, masks), "prune_attention_heads: head 4 is not in [0, 4)");
}

TEST_CASE("16 prune: attention heads are ranked by the norm of their weights") {
    tt::Generator gen(11);
    nn::MultiheadAttention attn(6, 3, false, gen);  // D = 2
    // every weight +-1 times its head's scale (head 1: 0.1, head 0: 0.5, head 2: 1): ranking 1, 0, 2
    const auto scale = [](int64_t h) { return h == 1 ? 0.1f : h == 0 ? 0.5f : 1.0f; };
    for (int64_t r = 0; r < 18; ++r)
        for (int64_t c = 0; c < 6; ++c)
            attn.in_proj_weight.value.data()[r * 6 + c] = ((r + c) % 2 ? 1.0f : -1.0f) * scale((r % 6) / 2);
    for (int64_t r = 0; r < 6; ++r)
        for (int64_t c = 0; c < 6; ++c)
            attn.out_proj->weight.value.data()[r * 6 + c] = ((r + c) % 2 ? -1.0f : 1.0f) * scale(c / 2);
    CHECK(nn::attention_head_ranking(attn, nn::PruneNorm::L2) == std::vector<int64_t>{1, 0, 2});
    CHECK(nn::attention_head_ranking(attn, nn::PruneNorm::L1) == std::vector<int64_t>{1, 0, 2});
}

TEST_CASE("16 prune: bad arguments are errors naming the value") {
    Tensor w({2, 2}, {1, 2, 3, 4});
    TT_CHECK_ERROR(nn::magnitude_mask(w, 1.5), "magnitude_mask: sparsity must be in [0, 1], got 1.5");
    TT_CHECK_ERROR(nn::magnitude_mask(w, -0.1), "magnitude_mask: sparsity must be in [0, 1], got -0.1");
    TT_CHECK_ERROR(nn::structured_mask(w, 2.0, nn::PruneNorm::L1),
                   "structured_mask: sparsity must be in [0, 1], got 2");
    TT_CHECK_ERROR(nn::global_magnitude_masks({w}, -1.0), "global_magnitude_masks: sparsity must be in [0, 1], got -1");
    TT_CHECK_ERROR(nn::magnitude_mask(Tensor({2}, {1.0f, NAN}), 0.5),
                   "magnitude_mask: element 1 is NaN and has no magnitude to rank");
    Tensor s({2, 3}), t({2, 3}), y({2}, {0, 1});
    TT_CHECK_ERROR(tt::F::distillation_loss(s, t, y, 0.0f, 0.5f), "distillation_loss: temperature must be > 0, got 0");
    TT_CHECK_ERROR(tt::F::distillation_loss(s, t, y, -2.0f, 0.5f),
                   "distillation_loss: temperature must be > 0, got -2");
    TT_CHECK_ERROR(tt::F::distillation_loss(s, t, y, 2.0f, 1.5f),
                   "distillation_loss: alpha must be in [0, 1], got 1.5");
    TT_CHECK_ERROR(tt::F::distillation_loss(s, Tensor({2, 4}), y, 2.0f, 0.5f),
                   "distillation_loss: teacher logits [2, 4] differ from the student's [2, 3]");
}

TEST_CASE("16 sparse: CSR of a hand-worked matrix, its real size, and the round trip") {
    // [[0, 2, 0, 1],
    //  [0, 0, 0, 0],     an empty row: row_ptr repeats
    //  [3, 0, -0, 4]]    -0 is a zero too
    Tensor w({3, 4}, {0, 2, 0, 1, 0, 0, 0, 0, 3, 0, -0.0f, 4});
    tt::CsrMatrix a = tt::csr_from_dense(w);
    CHECK(a.rows == 3);
    CHECK(a.cols == 4);
    CHECK(a.values == std::vector<float>{2, 1, 3, 4});
    CHECK(a.col16 == std::vector<uint16_t>{1, 3, 0, 3});
    CHECK(a.col32.empty());
    CHECK(a.row_ptr == std::vector<int32_t>{0, 2, 2, 4});
    CHECK(a.index_bytes() == 2);
    CHECK(a.nbytes() == 4 * 4 + 4 * 2 + 4 * 4);
    CHECK(a.dense_nbytes() == 48);
    CHECK(v(tt::csr_to_dense(a)) == v(w));
    // a wide matrix needs 4-byte indices
    Tensor wide({1, 70000});
    wide.data()[69999] = 1.5f;
    tt::CsrMatrix b = tt::csr_from_dense(wide);
    CHECK(b.index_bytes() == 4);
    CHECK(b.col(0) == 69999);
    CHECK(b.nbytes() == 4 + 4 + 2 * 4);
    CHECK(v(tt::csr_to_dense(b)) == v(wide));
}

TEST_CASE("16 sparse: a 90%-pruned weight is about 16% of its dense bytes; CSR round trip of random matrices") {
    Tensor w = randn({64, 100}, 12);
    w = tt::mul(w, nn::magnitude_mask(w, 0.9));
    tt::CsrMatrix a = tt::csr_from_dense(w);
    CHECK(a.nnz() == 640);
    CHECK(a.nbytes() == 640 * 6 + 65 * 4);
    CHECK(static_cast<double>(a.nbytes()) / a.dense_nbytes() < 0.161);  // 4100 / 25600
    CHECK(v(tt::csr_to_dense(a)) == v(w));
    tt::CsrMatrix dense_csr = tt::csr_from_dense(randn({64, 100}, 13));
    CHECK(dense_csr.nbytes() > dense_csr.dense_nbytes());  // with no zeros CSR costs MORE than dense
}

TEST_CASE("16 sparse: csr_linear_forward equals its scalar twin bit for bit and the dense product closely") {
    for (uint64_t seed : {1, 2, 3}) {
        for (int64_t B : {1, 3, 17}) {
            Tensor w = randn({13, 29}, 20 + seed);
            w = tt::mul(w, nn::magnitude_mask(w, seed == 3 ? 1.0 : 0.7));
            Tensor x = randn({B, 29}, 30 + seed), bias = randn({13}, 40 + seed);
            tt::CsrMatrix a = tt::csr_from_dense(w);
            Tensor fast = tt::csr_linear_forward(x, a, bias), ref = tt::csr_linear_forward_ref(x, a, bias);
            REQUIRE(fast.shape() == Shape{B, 13});
            CHECK(v(fast) == v(ref));
            Tensor dense = tt::add(tt::matmul(x, w.t()), bias);
            CHECK_TENSOR(fast, dense, 1e-5f, 1e-5f);
            CHECK(v(tt::csr_linear_forward(x, a)) == v(tt::csr_linear_forward_ref(x, a)));
        }
    }
    // a non-contiguous x
    Tensor w = randn({5, 4}, 50), xt = randn({4, 3}, 51);
    tt::CsrMatrix a = tt::csr_from_dense(w);
    CHECK_TENSOR(tt::csr_linear_forward(xt.t(), a), tt::matmul(xt.t(), w.t()), 1e-5f, 1e-5f);
    TT_CHECK_ERROR(tt::csr_linear_forward(randn({2, 3}, 1), a),
                   "csr_linear_forward: x must be [B, 4] for a [5, 4] weight, got [2, 3]");
    TT_CHECK_ERROR(tt::csr_linear_forward(randn({2, 4}, 1), a, Tensor({4})),
                   "csr_linear_forward: bias must be [5], got [4]");
}

TEST_CASE("16 sparse: csr_from_parts checks its arrays") {
    CHECK(v(tt::csr_to_dense(tt::csr_from_parts(2, 3, {1, 2}, {2, 0}, {0, 1, 2}))) ==
          std::vector<float>{0, 0, 1, 2, 0, 0});
    TT_CHECK_ERROR(tt::csr_from_parts(2, 3, {1, 2}, {2, 3}, {0, 1, 2}),
                   "csr_from_parts: col_indices[1] = 3 is not in [0, 3)");
    TT_CHECK_ERROR(tt::csr_from_parts(2, 3, {1, 2}, {2, 0}, {0, 1}),
                   "csr_from_parts: row_ptr has 2 entries, need rows + 1 = 3");
    TT_CHECK_ERROR(tt::csr_from_parts(2, 3, {1, 2}, {2, 0}, {0, 1, 3}),
                   "csr_from_parts: row_ptr[2] = 3, must be nnz = 2");
    TT_CHECK_ERROR(tt::csr_from_parts(1, 3, {1, 2}, {2, 0}, {0, 2}),
                   "csr_from_parts: col_indices of row 0 do not increase at 1");
}

TEST_CASE("16 sparse: a pruned model saved as sparse safetensors is smaller and loads back identical") {
    tt::Generator gen(21);
    nn::Sequential net;
    net.add(std::make_shared<nn::Linear>(50, 40, true, gen));
    net.add(std::make_shared<nn::Linear>(40, 10, true, gen));
    nn::PruningMasks::magnitude(net, 0.9, false);
    tt::StateDict state = net.state_dict();
    std::vector<uint8_t> dense = tt::save_safetensors(state), sparse = tt::save_sparse_safetensors(state);
    // the names and dtypes PyTorch sees: 200 + 40 kept weights, 6 bytes each, and 41 + 11 row pointers
    tt::RawStateDict raw = tt::load_safetensors_raw(sparse.data(), sparse.size());
    CHECK(raw.count("0.weight") == 0);
    CHECK(raw.at("0.weight.csr_values").dtype == "F32");
    CHECK(raw.at("0.weight.csr_values").shape == Shape{200});
    CHECK(raw.at("0.weight.csr_col_indices").dtype == "U16");
    CHECK(raw.at("0.weight.csr_col_indices").data.size() == 400);
    CHECK(raw.at("0.weight.csr_row_ptr").dtype == "I32");
    CHECK(raw.at("0.weight.csr_row_ptr").shape == Shape{41});
    CHECK(raw.at("0.bias").dtype == "F32");  // 1-D: dense
    int64_t data_bytes = 0;
    for (const auto& e : raw) data_bytes += static_cast<int64_t>(e.second.data.size());
    CHECK(data_bytes == (200 + 40) * 6 + (41 + 11) * 4 + (40 + 10) * 4);
    uint64_t header = 0;  // the file is the 8-byte length, the JSON header and exactly these bytes
    for (int i = 7; i >= 0; --i) header = header * 256 + sparse[static_cast<size_t>(i)];
    CHECK(sparse.size() == 8 + header + static_cast<uint64_t>(data_bytes));
    CHECK(sparse.size() < dense.size() / 3);
    CHECK(tt::load_safetensors_metadata(sparse.data(), sparse.size()).at("tt.csr") ==
          "{\"0.weight\":[40,50],\"1.weight\":[10,40]}");
    tt::StateDict back = tt::load_sparse_safetensors(sparse.data(), sparse.size(), "net.safetensors");
    REQUIRE(back.size() == state.size());
    for (const auto& entry : state) CHECK(v(back.at(entry.first)) == v(entry.second));
    // a plain file loads as it is
    CHECK(tt::load_sparse_safetensors(dense.data(), dense.size()).size() == state.size());
    // damaged CSR arrays say which
    const auto metadata = tt::load_safetensors_metadata(sparse.data(), sparse.size());
    raw.at("1.weight.csr_col_indices").data[0] = 40;  // little-endian: the first index becomes 40
    raw.at("1.weight.csr_col_indices").data[1] = 0;
    std::vector<uint8_t> bad = tt::save_safetensors_raw(raw, metadata);
    TT_CHECK_ERROR_CONTAINS(tt::load_sparse_safetensors(bad.data(), bad.size(), "net.safetensors"),
                            "csr_from_parts: col_indices[0] = 40 is not in [0, 40)");
    raw.at("1.weight.csr_row_ptr").dtype = "F32";
    bad = tt::save_safetensors_raw(raw, metadata);
    TT_CHECK_ERROR(tt::load_sparse_safetensors(bad.data(), bad.size(), "net.safetensors"),
                   "net.safetensors: '1.weight.csr_row_ptr' is F32 [11], expected a 1-D I32");
    raw.erase("1.weight.csr_row_ptr");
    bad = tt::save_safetensors_raw(raw, metadata);
    TT_CHECK_ERROR(tt::load_sparse_safetensors(bad.data(), bad.size(), "net.safetensors"),
                   "net.safetensors: '1.weight.csr_row_ptr' is missing");
}

namespace {

Tensor distill(const Tensor& s, const std::string& key, float T, float alpha) {
    return tt::F::distillation_loss(s, fx()[key + ".teacher"], fx()[key + ".target"], T, alpha);
}

}  // namespace

TEST_CASE("16 distill: distillation_loss and its gradient against PyTorch, for several T and alpha") {
    struct Case {
        const char* tag;
        float T, alpha;
    };
    for (const Case& c : {Case{"a", 2.0f, 0.7f}, Case{"b", 1.0f, 1.0f}, Case{"c", 4.0f, 0.3f}, Case{"d", 0.5f, 0.5f},
                          Case{"e", 3.0f, 0.0f}}) {
        const std::string key = std::string("distill.") + c.tag;
        INFO(key);
        Tensor s = fx()[key + ".student"].requires_grad_();
        Tensor loss = distill(s, key, c.T, c.alpha);
        CHECK(loss.shape() == Shape{});
        CHECK_TENSOR(loss, fx()[key + ".loss"].reshape({}), 1e-5f, 1e-5f);
        loss.backward();
        CHECK_TENSOR(s.grad(), fx()[key + ".grad"], 1e-6f, 1e-4f);
    }
}

TEST_CASE("16 distill: T = 1 and alpha = 1 is plain KL; identical logits cost 0; alpha = 0 is cross entropy") {
    const std::string key = "distill.b";
    Tensor s = fx()[key + ".student"];
    CHECK_TENSOR(distill(s, key, 1.0f, 1.0f), fx()[key + ".kl"].reshape({}), 1e-6f, 1e-5f);
    Tensor t = fx()[key + ".teacher"];
    CHECK(std::fabs(tt::F::distillation_loss(t, t, fx()[key + ".target"], 3.0f, 1.0f).item()) < 1e-6f);
    CHECK(tt::F::distillation_loss(s, t, fx()[key + ".target"], 3.0f, 0.0f).item() ==
          doctest::Approx(tt::F::cross_entropy(s, fx()[key + ".target"]).item()).epsilon(1e-6));
    // the teacher gets no gradient
    Tensor tg = t.clone().requires_grad_();
    Tensor sg = s.clone().requires_grad_();
    tt::F::distillation_loss(sg, tg, fx()[key + ".target"], 2.0f, 0.5f).backward();
    CHECK(sg.grad().defined());
    CHECK(!tg.grad().defined());
}

TEST_CASE("16 distill: the gradient matches finite differences") {
    const std::string key = "distill.c";
    Tensor s = fx()[key + ".student"];
    auto f = [&key](const Tensor& x) { return distill(x, key, 4.0f, 0.3f); };
    Tensor x = s.clone().requires_grad_();
    f(x).backward();
    Tensor numeric = tt_test::numeric_grad(f, s, Tensor({1}, {1.0f}));
    CHECK_TENSOR(x.grad(), numeric, 2e-4f, 1e-2f);
}

TEST_CASE("16 distill: a distillation step trains the student toward the teacher") {
    tt::Generator gen(31);
    nn::Sequential teacher, student;
    teacher.add(std::make_shared<nn::Linear>(6, 4, true, gen));
    student.add(std::make_shared<nn::Linear>(6, 4, true, gen));
    tt::optim::SGD opt(student.parameters(), {{"lr", 0.5}});
    tt::optim::Batch batch{randn({16, 6}, 32), Tensor({16})};
    for (int64_t i = 0; i < 16; ++i) batch.target.data()[i] = static_cast<float>(i % 4);
    const double first = tt::optim::distill_train_step(student, teacher, opt, batch, 2.0f, 1.0f);
    double last = first;
    for (int step = 0; step < 20; ++step)
        last = tt::optim::distill_train_step(student, teacher, opt, batch, 2.0f, 1.0f);
    CHECK(last < 0.5 * first);
    CHECK(!teacher.named_parameters()[0].second->grad.to_vector().empty());
    for (float g : teacher.named_parameters()[0].second->grad.to_vector()) CHECK(g == 0.0f);
}
