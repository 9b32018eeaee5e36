// Module 02 — Tensor: strides, views, broadcasting, elementwise math, reductions, matmul, factories, printing.
// Values are checked against PyTorch (tests/fixtures/02_tensor.txt) or computed by hand in the check.
#include <cmath>
#include <sstream>
#include <string>

#include "elementwise.h"
#include "fixtures.h"
#include "matmul.h"
#include "profile.h"
#include "random.h"
#include "reduce.h"
#include "tensor.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("02_tensor.txt");
    return f;
}

// 0, 1, 2, ... in the given shape.
Tensor iota(const Shape& shape) { return tt::arange(tt::numel(shape)).reshape(shape); }

const char* kCases[] = {"same", "row", "col", "lead", "scalar", "left1", "mid"};

}  // namespace

// ---- strides and element access ------------------------------------------------------------------------------

TEST_CASE("02 strides: row-major strides of a 3-D shape") {
    CHECK(tt::contiguous_strides({2, 3, 4}) == (Shape{12, 4, 1}));
    CHECK(tt::contiguous_strides({5}) == (Shape{1}));
    CHECK(tt::contiguous_strides({7, 1}) == (Shape{1, 1}));
    CHECK(tt::contiguous_strides({}) == (Shape{}));
}

TEST_CASE("02 strides: a new tensor is contiguous with row-major strides") {
    Tensor t({2, 3, 4});
    CHECK(t.strides() == (Shape{12, 4, 1}));
    CHECK(t.is_contiguous());
    CHECK(t.numel() == 24);
    CHECK(t.nbytes() == 96);
    CHECK(t.dim() == 3);
}

TEST_CASE("02 numel: product of the sizes, 1 for a scalar") {
    CHECK(tt::numel({2, 3, 4}) == 24);
    CHECK(tt::numel({}) == 1);
    CHECK(tt::numel({3, 0}) == 0);
}

TEST_CASE("02 at: row-major values land at offset + index . strides") {
    Tensor t({2, 3}, {0, 1, 2, 3, 4, 5});
    INFO("t = " << t);
    CHECK(t.at({0, 0}) == 0);
    CHECK(t.at({0, 2}) == 2);
    CHECK(t.at({1, 0}) == 3);
    CHECK(t.at({1, 2}) == 5);
    CHECK(t.storage_index({1, 1}) == 4);
}

TEST_CASE("02 at: element access follows the strides of a transposed view") {
    Tensor t({2, 3}, {0, 1, 2, 3, 4, 5});
    Tensor tt_ = t.t();  // [3, 2], strides [1, 3]
    INFO("t = " << t);
    CHECK(tt_.storage_index({2, 1}) == 5);
    CHECK(tt_.at({2, 0}) == 2);
    CHECK(tt_.at({0, 1}) == 3);
}

TEST_CASE("02 at: writes through at() change the storage") {
    Tensor t({2, 2});
    t.at({1, 0}) = 7.0f;
    CHECK(t.to_vector() == std::vector<float>{0, 0, 7, 0});
}

TEST_CASE("02 to_vector: reads a transposed view in its own row-major order") {
    Tensor t({2, 3}, {0, 1, 2, 3, 4, 5});
    CHECK(t.t().to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
}

TEST_CASE("02 OffsetWalker: visits a [2, 3] view with strides [1, 2] like an odometer") {
    Shape shape{2, 3}, strides{1, 2};
    tt::OffsetWalker walk(shape, strides, 10);
    std::vector<int64_t> got;
    for (int i = 0; i < 6; ++i, walk.next()) got.push_back(walk.offset());
    CHECK(got == std::vector<int64_t>{10, 12, 14, 11, 13, 15});
}

TEST_CASE("02 item: the one element; a scalar tensor has shape []") {
    CHECK(tt::scalar(2.5f).item() == 2.5f);
    CHECK(tt::scalar(2.5f).shape() == (Shape{}));
    CHECK(tt::full({1, 1}, -3).item() == -3.0f);
}

TEST_CASE("02 errors: wrong value count, index out of range, item of many") {
    TT_CHECK_ERROR(Tensor({2, 3}, {1, 2}), "Tensor: shape [2, 3] needs 6 values, got 2");
    Tensor t({2, 3});
    TT_CHECK_ERROR(t.at({2, 0}), "at: index [2, 0] is out of range for shape [2, 3]");
    TT_CHECK_ERROR(t.at({0}), "at: index [0] has 1 entries, the tensor has shape [2, 3]");
    TT_CHECK_ERROR(t.item(), "item: needs a tensor with exactly one element, got shape [2, 3]");
}

// ---- views ---------------------------------------------------------------------------------------------------

TEST_CASE("02 view: shares storage — a write through the view is read from the base") {
    Tensor base = iota({2, 3});
    Tensor v = base.view({3, 2});
    CHECK(v.shares_storage(base));
    v.at({2, 1}) = 100.0f;
    CHECK(base.at({1, 2}) == 100.0f);
}

TEST_CASE("02 reshape: a contiguous tensor gives a view with new strides") {
    Tensor base = iota({2, 3, 4});
    Tensor r = base.reshape({6, 4});
    CHECK(r.shares_storage(base));
    CHECK(r.shape() == (Shape{6, 4}));
    CHECK(r.strides() == (Shape{4, 1}));
    CHECK(r.to_vector() == base.to_vector());
}

TEST_CASE("02 reshape: one size -1 is inferred") {
    CHECK(iota({2, 3, 4}).reshape({-1, 4}).shape() == (Shape{6, 4}));
    CHECK(iota({2, 3, 4}).reshape({2, -1}).shape() == (Shape{2, 12}));
    CHECK(iota({2, 3}).reshape({-1}).shape() == (Shape{6}));
}

TEST_CASE("02 reshape: of a non-contiguous tensor copies, in the view's row-major order") {
    Tensor base = iota({2, 3});
    Tensor t = base.t();  // [[0, 3], [1, 4], [2, 5]]
    Tensor r = t.reshape({6});
    CHECK_FALSE(r.shares_storage(base));
    CHECK(r.to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
    r.at({0}) = 42;
    CHECK(base.at({0, 0}) == 0);  // the copy is independent
}

TEST_CASE("02 reshape: wrong size is an error naming both") {
    TT_CHECK_ERROR(iota({2, 3}).reshape({4, 2}), "reshape: shape [4, 2] is invalid for a tensor of 6 elements");
    TT_CHECK_ERROR(iota({2, 3}).reshape({-1, 4}), "reshape: shape [-1, 4] is invalid for a tensor of 6 elements");
    TT_CHECK_ERROR(iota({2, 3}).reshape({-1, -1}), "reshape: only one size may be -1, got [-1, -1]");
}

TEST_CASE("02 view: of a non-contiguous tensor is an error that suggests reshape") {
    TT_CHECK_ERROR(iota({2, 3}).t().view({6}),
                   "view: the tensor (shape [3, 2], strides [1, 3]) is not contiguous; use reshape(), which "
                   "copies, or contiguous() first");
}

TEST_CASE("02 transpose: swaps sizes and strides, shares storage, is not contiguous") {
    Tensor base = iota({2, 3, 4});
    Tensor t = base.transpose(0, 2);
    CHECK(t.shape() == (Shape{4, 3, 2}));
    CHECK(t.strides() == (Shape{1, 4, 12}));
    CHECK(t.shares_storage(base));
    CHECK_FALSE(t.is_contiguous());
    CHECK(t.at({3, 1, 1}) == base.at({1, 1, 3}));
    CHECK(base.transpose(-1, -3).strides() == (Shape{1, 4, 12}));
}

TEST_CASE("02 transpose: a write through the transpose is read from the base") {
    Tensor base = iota({2, 3});
    base.t().at({2, 0}) = -1;
    CHECK(base.at({0, 2}) == -1);
}

TEST_CASE("02 transpose: bad axis is an error naming axis and rank") {
    TT_CHECK_ERROR(iota({2, 3}).transpose(0, 2), "transpose: axis 2 is out of range for a tensor with 2 dimensions");
}

TEST_CASE("02 permute: reorders axes like PyTorch") {
    Tensor base = iota({2, 3, 4});
    Tensor p = base.permute({2, 0, 1});
    CHECK(p.shape() == (Shape{4, 2, 3}));
    CHECK(p.strides() == (Shape{1, 12, 4}));
    CHECK(p.at({3, 1, 2}) == base.at({1, 2, 3}));
    CHECK(p.shares_storage(base));
}

TEST_CASE("02 permute: repeated or missing axes are errors") {
    TT_CHECK_ERROR(iota({2, 3}).permute({0, 0}), "permute: axis 0 is repeated, shape [2, 3]");
    TT_CHECK_ERROR(iota({2, 3}).permute({0}), "permute: got 1 axes for a tensor of shape [2, 3]");
}

TEST_CASE("02 slice: start:stop:step along an axis is a strided view") {
    Tensor base = iota({3, 10});
    Tensor s = base.slice(1, 1, 8, 3);  // columns 1, 4, 7
    INFO("base = " << base);
    CHECK(s.shape() == (Shape{3, 3}));
    CHECK(s.strides() == (Shape{10, 3}));
    CHECK(s.offset() == 1);
    CHECK(s.to_vector() == std::vector<float>{1, 4, 7, 11, 14, 17, 21, 24, 27});
    CHECK(s.shares_storage(base));
}

TEST_CASE("02 slice: step that does not divide the length rounds up, like Python") {
    Tensor s = iota({10}).slice(0, 0, 10, 4);  // 0, 4, 8
    CHECK(s.to_vector() == std::vector<float>{0, 4, 8});
    CHECK(iota({10}).slice(0, 2, 3).to_vector() == std::vector<float>{2});
}

TEST_CASE("02 slice: negative bounds count from the end; stop past the end is clamped") {
    CHECK(iota({6}).slice(0, -3, 6).to_vector() == std::vector<float>{3, 4, 5});
    CHECK(iota({6}).slice(0, 1, -1).to_vector() == std::vector<float>{1, 2, 3, 4});
    CHECK(iota({6}).slice(0, 4, 100).to_vector() == std::vector<float>{4, 5});
    CHECK(iota({6}).slice(0, 4, 2).numel() == 0);
}

TEST_CASE("02 slice: a slice of a slice composes offsets and strides") {
    Tensor base = iota({20});
    Tensor s = base.slice(0, 2, 20, 2).slice(0, 1, 8, 3);  // base[2::2][1:8:3] = 4, 10, 16
    CHECK(s.to_vector() == std::vector<float>{4, 10, 16});
    s.at({1}) = -5;
    CHECK(base.at({10}) == -5);
}

TEST_CASE("02 slice: out-of-range start and bad step are errors") {
    TT_CHECK_ERROR(iota({2, 5}).slice(1, 6, 8), "slice: start 6 is out of range for axis 1 of shape [2, 5]");
    TT_CHECK_ERROR(iota({2, 5}).slice(0, 0, 2, 0), "slice: step must be > 0, got 0");
    TT_CHECK_ERROR(iota({2, 5}).slice(2, 0, 1), "slice: axis 2 is out of range for a tensor with 2 dimensions");
}

TEST_CASE("02 select: picks one index and drops the axis") {
    Tensor base = iota({3, 4});
    CHECK(base.select(0, 1).to_vector() == std::vector<float>{4, 5, 6, 7});
    CHECK(base.select(1, -1).to_vector() == std::vector<float>{3, 7, 11});
    CHECK(base.select(1, 2).shape() == (Shape{3}));
}

TEST_CASE("02 expand: size-1 and new leading axes get stride 0") {
    Tensor row = tt::arange(3).reshape({1, 3});
    Tensor e = row.expand({2, 4, 3});
    CHECK(e.shape() == (Shape{2, 4, 3}));
    CHECK(e.strides() == (Shape{0, 0, 1}));
    CHECK(e.shares_storage(row));
    CHECK(e.at({1, 3, 2}) == 2.0f);
    Tensor col = tt::arange(2).reshape({2, 1});
    CHECK(col.expand({2, 3}).strides() == (Shape{1, 0}));
    CHECK(col.expand({2, 3}).to_vector() == std::vector<float>{0, 0, 0, 1, 1, 1});
}

TEST_CASE("02 expand: broadcast_to is expand; writing to the base shows in every copy") {
    Tensor v = tt::arange(3);
    Tensor b = tt::broadcast_to(v, {2, 3});
    v.at({1}) = 9;
    CHECK(b.to_vector() == std::vector<float>{0, 9, 2, 0, 9, 2});
}

TEST_CASE("02 expand: a non-1 size that differs is an error") {
    TT_CHECK_ERROR(iota({2, 3}).expand({4, 3}), "expand: cannot expand shape [2, 3] to [4, 3]");
    TT_CHECK_ERROR(iota({2, 3}).expand({3}), "expand: cannot expand shape [2, 3] to [3] (fewer dimensions)");
}

TEST_CASE("02 squeeze/unsqueeze: add and remove size-1 axes as views") {
    Tensor base = iota({2, 1, 3});
    CHECK(base.squeeze(1).shape() == (Shape{2, 3}));
    CHECK(base.squeeze(0).shape() == (Shape{2, 1, 3}));  // not size 1: unchanged, like PyTorch
    CHECK(iota({1, 2, 1}).squeeze().shape() == (Shape{2}));
    CHECK(iota({2, 3}).unsqueeze(0).shape() == (Shape{1, 2, 3}));
    CHECK(iota({2, 3}).unsqueeze(-1).shape() == (Shape{2, 3, 1}));
    CHECK(iota({2, 3}).unsqueeze(1).shape() == (Shape{2, 1, 3}));
    CHECK(iota({2, 3}).unsqueeze(1).is_contiguous());
    CHECK(base.squeeze(1).shares_storage(base));
    CHECK(base.squeeze(1).to_vector() == base.to_vector());
}

TEST_CASE("02 flatten: merges a range of axes") {
    CHECK(iota({2, 3, 4}).flatten().shape() == (Shape{24}));
    CHECK(iota({2, 3, 4}).flatten(1).shape() == (Shape{2, 12}));
    CHECK(iota({2, 3, 4, 5}).flatten(1, 2).shape() == (Shape{2, 12, 5}));
}

TEST_CASE("02 contiguous: copies a transposed view into row-major order") {
    Tensor base = iota({2, 3});
    Tensor c = base.t().contiguous();
    CHECK(c.is_contiguous());
    CHECK(c.strides() == (Shape{2, 1}));
    CHECK_FALSE(c.shares_storage(base));
    CHECK(std::vector<float>(c.data(), c.data() + 6) == std::vector<float>{0, 3, 1, 4, 2, 5});
}

TEST_CASE("02 contiguous: copies a stepped slice and a broadcast view densely") {
    Tensor s = iota({10}).slice(0, 1, 10, 3).contiguous();
    CHECK(std::vector<float>(s.data(), s.data() + 3) == std::vector<float>{1, 4, 7});
    Tensor e = tt::arange(2).reshape({2, 1}).expand({2, 2}).contiguous();
    CHECK(std::vector<float>(e.data(), e.data() + 4) == std::vector<float>{0, 0, 1, 1});
}

TEST_CASE("02 contiguous: of a contiguous tensor is the tensor itself (no copy)") {
    Tensor base = iota({2, 3});
    CHECK(base.contiguous().shares_storage(base));
}

TEST_CASE("02 clone: always copies") {
    Tensor base = iota({2, 3});
    Tensor c = base.clone();
    c.at({0, 0}) = 5;
    CHECK(base.at({0, 0}) == 0);
    CHECK_FALSE(c.shares_storage(base));
}

// ---- memory accounting (module 01) sees tensors ---------------------------------------------------------------

TEST_CASE("02 memory: a tensor costs its storage bytes; views cost 0 new bytes") {
    int64_t before = tt::memory::live_bytes();
    Tensor t({256});
    CHECK(tt::memory::live_bytes() - before == 1024);
    Tensor v = t.reshape({16, 16}).t().slice(0, 0, 8).unsqueeze(0).expand({4, 8, 16});
    CHECK(tt::memory::live_bytes() - before == 1024);
    Tensor c = v.contiguous();  // 4 * 8 * 16 floats
    CHECK(tt::memory::live_bytes() - before == 1024 + 2048);
}

TEST_CASE("02 memory: storage is released when its last tensor goes; peak remembers") {
    int64_t before = tt::memory::live_bytes();
    tt::memory::reset_peak();
    {
        Tensor a({1000});
        Tensor view = a.view({10, 100});
        CHECK(tt::memory::live_bytes() - before == 4000);
    }
    CHECK(tt::memory::live_bytes() == before);
    CHECK(tt::memory::peak_bytes() - before == 4000);
    tt::memory::reset_peak();
    CHECK(tt::memory::peak_bytes() == before);
}

// ---- broadcasting and elementwise ops -------------------------------------------------------------------------

TEST_CASE("02 broadcast_shapes: aligns on the right") {
    CHECK(tt::broadcast_shapes({2, 3}, {3}) == (Shape{2, 3}));
    CHECK(tt::broadcast_shapes({4, 1, 3}, {2, 3}) == (Shape{4, 2, 3}));
    CHECK(tt::broadcast_shapes({3, 1}, {1, 4}) == (Shape{3, 4}));
    CHECK(tt::broadcast_shapes({}, {2, 3}) == (Shape{2, 3}));
    CHECK(tt::broadcast_shapes({1}, {0}) == (Shape{0}));
    CHECK(tt::broadcast_shapes({5, 1, 1}, {1, 6, 1}) == (Shape{5, 6, 1}));
}

TEST_CASE("02 broadcast_shapes: incompatible sizes are an error naming both shapes") {
    TT_CHECK_ERROR(tt::broadcast_shapes({2, 3}, {4}, "add"), "add: shapes [2, 3] and [4] cannot broadcast");
    TT_CHECK_ERROR(tt::add(iota({2, 3}), iota({4})), "add: shapes [2, 3] and [4] cannot broadcast");
    TT_CHECK_ERROR(iota({2, 3}) * iota({3, 2}), "mul: shapes [2, 3] and [3, 2] cannot broadcast");
    TT_CHECK_ERROR(tt::lt(iota({2, 3}), iota({2})), "lt: shapes [2, 3] and [2] cannot broadcast");
}

TEST_CASE("02 add/sub/mul/div: broadcasting cases match PyTorch") {
    for (const char* c : kCases) {
        std::string k = std::string("bin.") + c + ".";
        Tensor a = fx()[k + "a"], b = fx()[k + "b"];
        INFO("case " << c << "\n  a = " << a << "\n  b = " << b);
        CHECK_TENSOR(tt::add(a, b), fx()[k + "add"], 1e-6f, 1e-6f);
        CHECK_TENSOR(a - b, fx()[k + "sub"], 1e-6f, 1e-6f);
        CHECK_TENSOR(a * b, fx()[k + "mul"], 1e-6f, 1e-6f);
        CHECK_TENSOR(a / b, fx()[k + "div"], 1e-6f, 1e-6f);
        CHECK_TENSOR(tt::maximum(a, b), fx()[k + "maximum"], 0.0f, 0.0f);
    }
}

TEST_CASE("02 comparisons: lt and ge broadcast and give 0/1") {
    for (const char* c : kCases) {
        std::string k = std::string("bin.") + c + ".";
        Tensor a = fx()[k + "a"], b = fx()[k + "b"];
        INFO("case " << c << "\n  a = " << a << "\n  b = " << b);
        CHECK_TENSOR_EQ(tt::lt(a, b), fx()[k + "lt"]);
        CHECK_TENSOR_EQ(tt::ge(a, b), fx()[k + "ge"]);
    }
    CHECK(tt::eq(iota({3}), tt::full({3}, 1)).to_vector() == std::vector<float>{0, 1, 0});
}

TEST_CASE("02 add: non-contiguous operands (transposed, broadcast) give the same values") {
    Tensor a = fx()["bin.col.a"], b = fx()["bin.col.b"];             // [3, 1] + [1, 4]
    Tensor at = a.expand({3, 4}).contiguous().t().contiguous().t();  // [3, 4], strides [1, 3]
    INFO("a = " << a << "\nb = " << b);
    CHECK_FALSE(at.is_contiguous());
    CHECK_TENSOR(at + b, fx()["bin.col.add"], 1e-6f, 1e-6f);
    Tensor x = iota({2, 3});
    CHECK((x.t() + x.t()).to_vector() == std::vector<float>{0, 6, 2, 8, 4, 10});
}

TEST_CASE("02 scalar operands: t + s, t * s, s * t") {
    Tensor x = iota({2, 2});
    CHECK((x + 1.0f).to_vector() == std::vector<float>{1, 2, 3, 4});
    CHECK((x * 2.0f).to_vector() == std::vector<float>{0, 2, 4, 6});
    CHECK((0.5f * x).to_vector() == std::vector<float>{0, 0.5f, 1, 1.5f});
    CHECK((x - 1.0f).to_vector() == std::vector<float>{-1, 0, 1, 2});
    CHECK((x / 2.0f).to_vector() == std::vector<float>{0, 0.5f, 1, 1.5f});
}

TEST_CASE("02 unary math: neg, abs, exp, log, sqrt, pow match PyTorch") {
    Tensor x = fx()["unary.x"], p = fx()["unary.pos"];
    INFO("x = " << x << "\np = " << p);
    CHECK_TENSOR(-x, fx()["unary.neg"], 0.0f, 0.0f);
    CHECK_TENSOR(tt::abs(x), fx()["unary.abs"], 0.0f, 0.0f);
    CHECK_TENSOR(tt::exp(x), fx()["unary.exp"], 1e-6f, 1e-6f);
    CHECK_TENSOR(tt::log(p), fx()["unary.log"], 1e-6f, 1e-6f);
    CHECK_TENSOR(tt::sqrt(p), fx()["unary.sqrt"], 1e-6f, 1e-6f);
    CHECK_TENSOR(tt::pow(p, 2.5f), fx()["unary.pow2.5"], 1e-6f, 1e-5f);
}

TEST_CASE("02 unary math: works on a non-contiguous view") {
    Tensor x = iota({2, 3});
    CHECK(tt::neg(x.t()).to_vector() == std::vector<float>{0, -3, -1, -4, -2, -5});
    CHECK(tt::neg(x.t()).shape() == (Shape{3, 2}));
}

TEST_CASE("02 where: picks from a or b and broadcasts") {
    Tensor cond({2, 1}, {1, 0});
    Tensor r = tt::where(cond, tt::full({3}, 1), tt::full({2, 3}, -1));
    CHECK(r.to_vector() == std::vector<float>{1, 1, 1, -1, -1, -1});
}

TEST_CASE("02 in place: fill_, copy_ and add_ write through views") {
    Tensor base = tt::zeros({2, 3});
    base.slice(1, 1, 3).fill_(7);
    CHECK(base.to_vector() == std::vector<float>{0, 7, 7, 0, 7, 7});
    base.t().copy_(tt::arange(2));  // each row of the transpose gets [0, 1]
    CHECK(base.to_vector() == std::vector<float>{0, 0, 0, 1, 1, 1});
    base.add_(tt::full({3}, 2), 0.5f);
    CHECK(base.to_vector() == std::vector<float>{1, 1, 1, 2, 2, 2});
    base.mul_(3);
    CHECK(base.to_vector() == std::vector<float>{3, 3, 3, 6, 6, 6});
}

// ---- reductions -----------------------------------------------------------------------------------------------

TEST_CASE("02 reductions: over all elements match PyTorch and give shape []") {
    Tensor r = fx()["reduce.x"];
    INFO("x = " << r);
    CHECK_TENSOR(tt::sum(r), fx()["reduce.sum_all"], 1e-5f, 1e-5f);
    CHECK_TENSOR(tt::mean(r), fx()["reduce.mean_all"], 1e-6f, 1e-5f);
    CHECK_TENSOR_EQ(tt::max(r), fx()["reduce.max_all"]);
    CHECK_TENSOR_EQ(tt::min(r), fx()["reduce.min_all"]);
    CHECK_TENSOR_EQ(tt::argmax(r), fx()["reduce.argmax_all"]);
}

TEST_CASE("02 reductions: sum/mean/max/min/argmax over each axis, keepdim or not, match PyTorch") {
    Tensor r = fx()["reduce.x"];
    for (int axis : {0, 1, 2, -1})
        for (bool keep : {false, true}) {
            std::string k = std::to_string(axis) + (keep ? ".keep" : ".drop");
            INFO("x = " << r << "\naxis " << axis << ", keepdim " << keep);
            CHECK_TENSOR(tt::sum(r, axis, keep), fx()["reduce.sum." + k], 1e-5f, 1e-5f);
            CHECK_TENSOR(tt::mean(r, axis, keep), fx()["reduce.mean." + k], 1e-6f, 1e-5f);
            CHECK_TENSOR_EQ(tt::max(r, axis, keep), fx()["reduce.max." + k]);
            CHECK_TENSOR_EQ(tt::min(r, axis, keep), fx()["reduce.min." + k]);
            CHECK_TENSOR_EQ(tt::argmax(r, axis, keep), fx()["reduce.argmax." + k]);
        }
}

TEST_CASE("02 contiguous: a view that is already dense but starts at an offset copies from its offset") {
    Tensor x = tt::arange(6).reshape({2, 3});
    Tensor row = x.select(0, 1);  // shape [3], stride 1, offset 3: contiguous
    CHECK(row.is_contiguous());
    CHECK(row.contiguous().to_vector() == std::vector<float>{3, 4, 5});
    CHECK(x.slice(0, 1, 2).clone().to_vector() == std::vector<float>{3, 4, 5});
}

TEST_CASE("02 argmax: ties go to the first index, as in PyTorch") {
    Tensor x({2, 4}, {1, 7, 7, 2, 3, 3, 3, 3});
    CHECK(tt::argmax(x).item() == 1.0f);
    CHECK(tt::argmax(x, 1).to_vector() == std::vector<float>{1, 0});
    CHECK(tt::argmax(x, 0).to_vector() == std::vector<float>{1, 0, 0, 1});
    CHECK(tt::argmax(tt::zeros({5})).item() == 0.0f);
}

TEST_CASE("02 reductions: over a non-contiguous view") {
    Tensor r = fx()["reduce.x"];
    CHECK_TENSOR(tt::sum(r.transpose(0, 2), 1), fx()["reduce.sum_t.1"], 1e-5f, 1e-5f);
}

TEST_CASE("02 reductions: keepdim result broadcasts back against the input") {
    Tensor x = iota({2, 3});
    Tensor centered = x - tt::mean(x, 1, true);
    CHECK(centered.to_vector() == std::vector<float>{-1, 0, 1, -1, 0, 1});
}

TEST_CASE("02 reductions: bad axis is an error naming axis and rank") {
    TT_CHECK_ERROR(tt::sum(iota({2, 3, 4}), 3), "sum: axis 3 is out of range for a tensor with 3 dimensions");
    TT_CHECK_ERROR(tt::max(iota({2, 3}), -3), "max: axis -3 is out of range for a tensor with 2 dimensions");
    TT_CHECK_ERROR(tt::max(tt::zeros({2, 0}), 1), "max: cannot reduce axis 1 of size 0 (shape [2, 0])");
}

TEST_CASE("02 sum_to: sums a broadcast shape back down") {
    Tensor g = tt::ones({4, 2, 3});
    CHECK(tt::sum_to(g, {2, 1}).shape() == (Shape{2, 1}));
    CHECK(tt::sum_to(g, {2, 1}).to_vector() == std::vector<float>{12, 12});
    CHECK(tt::sum_to(g, {3}).to_vector() == std::vector<float>{8, 8, 8});
    CHECK(tt::sum_to(g, {}).item() == 24.0f);
}

// ---- matmul ---------------------------------------------------------------------------------------------------

TEST_CASE("02 matmul_ref: 2-D, batched and broadcast batches match PyTorch") {
    for (const char* c : {"2d", "batched", "bcast_rhs", "bcast_both", "vecrow"}) {
        std::string k = std::string("matmul.") + c + ".";
        Tensor a = fx()[k + "a"], b = fx()[k + "b"];
        INFO("case " << c << "\n  a = " << a << "\n  b = " << b);
        CHECK_TENSOR(tt::matmul_ref(a, b), fx()[k + "out"], 1e-5f, 1e-5f);
    }
}

TEST_CASE("02 matmul: the fast path matches PyTorch too") {
    for (const char* c : {"2d", "batched", "bcast_rhs", "bcast_both", "vecrow"}) {
        std::string k = std::string("matmul.") + c + ".";
        Tensor a = fx()[k + "a"], b = fx()[k + "b"];
        INFO("case " << c << "\n  a = " << a << "\n  b = " << b);
        CHECK_TENSOR(tt::matmul(a, b), fx()[k + "out"], 1e-5f, 1e-5f);
    }
}

TEST_CASE("02 matmul: transposed (non-contiguous) operands") {
    Tensor a = fx()["matmul.transposed.a"], b = fx()["matmul.transposed.b"];
    INFO("a = " << a << "\nb = " << b);
    CHECK_TENSOR(tt::matmul_ref(a.t(), b.t()), fx()["matmul.transposed.out"], 1e-5f, 1e-5f);
    CHECK_TENSOR(tt::matmul(a.t(), b.t()), fx()["matmul.transposed.out"], 1e-5f, 1e-5f);
}

TEST_CASE("02 matmul: fast path equals matmul_ref on odd sizes") {
    tt::Generator gen(7);
    for (Shape sa : {Shape{17, 33}, Shape{3, 1, 5}, Shape{2, 31, 64}}) {
        Shape sb = {sa.back(), 9};
        Tensor a = tt::randn(sa, gen), b = tt::randn(sb, gen);
        INFO("a " << a.shape() << " @ b " << b.shape());
        CHECK_TENSOR(tt::matmul(a, b), tt::matmul_ref(a, b), 1e-4f, 1e-4f);
    }
}

TEST_CASE("02 matmul: by hand, [2, 3] @ [3, 2]") {
    Tensor a({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor b({3, 2}, {7, 8, 9, 10, 11, 12});
    CHECK(tt::matmul_ref(a, b).to_vector() == std::vector<float>{58, 64, 139, 154});
    CHECK(tt::matmul(a, b).to_vector() == std::vector<float>{58, 64, 139, 154});
}

TEST_CASE("02 matmul: shape errors name both shapes") {
    TT_CHECK_ERROR(tt::matmul(iota({2, 3}), iota({4, 5})), "matmul: inner sizes differ, [2, 3] @ [4, 5] (3 != 4)");
    TT_CHECK_ERROR(tt::matmul_ref(iota({2, 3}), iota({4, 5})), "matmul: inner sizes differ, [2, 3] @ [4, 5] (3 != 4)");
    TT_CHECK_ERROR(tt::matmul(iota({3}), iota({3, 2})),
                   "matmul: needs tensors with at least 2 dimensions, got [3] @ [3, 2]");
    TT_CHECK_ERROR(tt::matmul(iota({2, 2, 3}), iota({3, 3, 4})), "matmul: shapes [2] and [3] cannot broadcast");
}

TEST_CASE("02 matmul_flops: 2*M*N*K per product") {
    CHECK(tt::matmul_flops({2, 3}, {3, 4}) == 48.0);
    CHECK(tt::matmul_flops({5, 2, 3}, {3, 4}) == 240.0);
}

// ---- factories ------------------------------------------------------------------------------------------------

TEST_CASE("02 factories: zeros, ones, full, from_vector") {
    CHECK(tt::zeros({2, 2}).to_vector() == std::vector<float>{0, 0, 0, 0});
    CHECK(tt::ones({3}).to_vector() == std::vector<float>{1, 1, 1});
    CHECK(tt::full({2}, 2.5f).to_vector() == std::vector<float>{2.5f, 2.5f});
    CHECK(tt::from_vector({1, 2}, {3, 4}).shape() == (Shape{1, 2}));
    CHECK(tt::zeros_like(iota({2, 3})).shape() == (Shape{2, 3}));
}

TEST_CASE("02 arange: [start, stop) by step, like torch.arange") {
    CHECK(tt::arange(4).to_vector() == std::vector<float>{0, 1, 2, 3});
    CHECK(tt::arange(1.0f, 2.0f, 0.25f).to_vector() == std::vector<float>{1, 1.25f, 1.5f, 1.75f});
    CHECK(tt::arange(3.0f, 0.0f, -1.0f).to_vector() == std::vector<float>{3, 2, 1});
    CHECK(tt::arange(2.0f, 1.0f).numel() == 0);
}

TEST_CASE("02 arange: step 0 is an error") {
    TT_CHECK_ERROR(tt::arange(0.0f, 1.0f, 0.0f), "arange: step must not be 0");
}

// ---- random ---------------------------------------------------------------------------------------------------

TEST_CASE("02 random: the same seed gives the same tensor, another seed another") {
    CHECK(tt::randn({50}, 3).to_vector() == tt::randn({50}, 3).to_vector());
    CHECK(tt::randn({50}, 3).to_vector() != tt::randn({50}, 4).to_vector());
    CHECK(tt::rand({50}, 3).to_vector() == tt::rand({50}, 3).to_vector());
    tt::manual_seed(11);
    Tensor a = tt::randn({8}, tt::default_generator());
    tt::manual_seed(11);
    CHECK(tt::randn({8}, tt::default_generator()).to_vector() == a.to_vector());
}

TEST_CASE("02 random: rand is in [0, 1) with mean 1/2 and variance 1/12") {
    std::vector<float> v = tt::rand({20000}, 1).to_vector();
    double s = 0, s2 = 0;
    for (float x : v) {
        CHECK_MESSAGE((x >= 0.0f && x < 1.0f), "rand value " << x << " outside [0, 1)");
        s += x;
        s2 += static_cast<double>(x) * x;
    }
    double m = s / v.size(), var = s2 / v.size() - m * m;
    CHECK(m == doctest::Approx(0.5).epsilon(0.02));
    CHECK(var == doctest::Approx(1.0 / 12).epsilon(0.03));
}

TEST_CASE("02 random: randn has mean 0, std 1, and Gaussian tails") {
    std::vector<float> v = tt::randn({20000}, 2).to_vector();
    double s = 0, s2 = 0;
    int beyond2 = 0;
    for (float x : v) {
        CHECK_MESSAGE(std::isfinite(x), "randn gave " << x);
        s += x;
        s2 += static_cast<double>(x) * x;
        beyond2 += std::fabs(x) > 2.0f;
    }
    double m = s / v.size(), sd = std::sqrt(s2 / v.size() - m * m);
    INFO("mean " << m << ", std " << sd << ", |x| > 2: " << beyond2);
    CHECK(std::fabs(m) < 0.03);
    CHECK(sd == doctest::Approx(1.0).epsilon(0.03));
    // P(|x| > 2) = 4.55% for a standard normal.
    CHECK(beyond2 > 0.035 * v.size());
    CHECK(beyond2 < 0.056 * v.size());
}

// Golden values: recorded from the native build once; the wasm build must reproduce them bit for bit (the
// generator is the engine's own, so native and browser runs of a seeded recipe are identical).
TEST_CASE("02 random: seeded values are identical in every build") {
    tt::Generator gen(42);
    CHECK(gen.next_u32() == 3344234869u);
    CHECK(tt::rand({3}, 42).to_vector() == std::vector<float>{0.77864033f, 0.182555139f, 0.702082038f});
    CHECK(tt::randn({3}, 42).to_vector() == std::vector<float>{-0.515000403f, -1.65852571f, -0.139457032f});
}

TEST_CASE("02 random: uniform and normal with parameters") {
    tt::Generator gen(5);
    Tensor u = tt::uniform({1000}, -2, 3, gen);
    CHECK(tt::min(u).item() >= -2.0f);
    CHECK(tt::max(u).item() < 3.0f);
    Tensor n = tt::normal({4000}, 10, 0.5f, gen);
    CHECK(tt::mean(n).item() == doctest::Approx(10).epsilon(0.005));
}

// ---- printing -------------------------------------------------------------------------------------------------

TEST_CASE("02 printing: shapes print as [2, 3]") {
    std::ostringstream os;
    os << Shape{2, 3} << ' ' << Shape{} << ' ' << Shape{7};
    CHECK(os.str() == "[2, 3] [] [7]");
}

TEST_CASE("02 printing: tensors print nested rows like PyTorch") {
    std::ostringstream os;
    os << Tensor({2, 2}, {1, 2, 3, 4.5f});
    CHECK(os.str() == "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]])  shape [2, 2]");
    std::ostringstream s;
    s << tt::scalar(-1.5f) << " | " << tt::arange(3);
    CHECK(s.str() == "tensor(-1.5000)  shape [] | tensor([0.0000, 1.0000, 2.0000])  shape [3]");
}

TEST_CASE("02 printing: large tensors are summarized with ...") {
    std::ostringstream os;
    os << tt::arange(2000);
    CHECK(os.str() == "tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000, 1998.0000, 1999.0000])  shape [2000]");
}

// ---- edge cases -----------------------------------------------------------------------------------------------

TEST_CASE("02 edge cases: an inner size of 0 gives a matmul of zeros") {
    Tensor a({2, 0}), b({0, 3});
    CHECK(tt::matmul(a, b).to_vector() == std::vector<float>(6, 0.0f));
    CHECK(tt::matmul_ref(a, b).to_vector() == std::vector<float>(6, 0.0f));
    CHECK(tt::matmul(Tensor({0, 4}), Tensor({4, 2})).shape() == (Shape{0, 2}));
}

TEST_CASE("02 edge cases: empty tensors sum to 0, print as [], and reshape") {
    Tensor e({0, 3});
    CHECK(tt::sum(e).item() == 0.0f);
    CHECK(tt::sum(e, 0).to_vector() == std::vector<float>{0, 0, 0});
    CHECK(e.reshape({3, 0}).shape() == (Shape{3, 0}));
    std::ostringstream os;
    os << Tensor({0});
    CHECK(os.str() == "tensor([])  shape [0]");
}

TEST_CASE("02 edge cases: a scalar broadcasts against anything") {
    Tensor s = tt::scalar(2);
    CHECK((s * iota({2, 2})).to_vector() == std::vector<float>{0, 2, 4, 6});
    CHECK((s + s).shape() == (Shape{}));
    CHECK(tt::sum(s).item() == 2.0f);
}

TEST_CASE("02 edge cases: mean of an empty tensor is an error") {
    TT_CHECK_ERROR(tt::mean(Tensor({0, 2})), "mean: the tensor of shape [0, 2] has no elements");
    TT_CHECK_ERROR(tt::mean(Tensor({0, 2}), 0), "mean: cannot reduce axis 0 of size 0 (shape [0, 2])");
}

TEST_CASE("02 copy_/add_: a source that cannot broadcast into the destination is an error naming both shapes") {
    tt::Tensor dst(tt::Shape{2, 2});
    TT_CHECK_ERROR(dst.copy_(tt::Tensor(tt::Shape{2, 3})), "copy_: shapes [2, 2] and [2, 3] cannot broadcast");
    TT_CHECK_ERROR(dst.add_(tt::Tensor(tt::Shape{3, 2, 2})), "add_: cannot add shape [3, 2, 2] into shape [2, 2]");
    // in place through a transposed view of itself: the source is read before anything is written
    tt::Tensor m(tt::Shape{2, 2}, {1, 2, 3, 4});
    m.add_(m.transpose(0, 1), 10.0f);
    CHECK(m.at({0, 1}) == doctest::Approx(2 + 10 * 3));
    CHECK(m.at({1, 0}) == doctest::Approx(3 + 10 * 2));
}
