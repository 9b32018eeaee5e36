// Tensor's live count (Tensor::live_count(), the leak check of code that owns tensors by hand, as the JS side does)
// and the copies it rides on: Tensor's copy and move are the compiler's, member by member, with the count in a
// member (LiveCount). Not a lesson's check: no student region touches it, and a tensor.cpp saved before the count
// moved into LiveCount (with hand-written copies) must still pass lesson 02.
#include <utility>
#include <vector>

#include "tensor.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;

TEST_CASE("Tensor: copies and moves copy every field; the live-tensor count follows every object exactly") {
    const int64_t base = Tensor::live_count();
    {
        Tensor a = tt::arange(12).reshape({3, 4});
        CHECK(Tensor::live_count() == base + 1);
        Tensor s = a.slice(1, 1, 3);  // a view: an object of its own, offset 1, strides [4, 1]
        Tensor copy = s;              // copy: a second object on the same storage, same window
        CHECK(Tensor::live_count() == base + 3);
        CHECK(copy.shares_storage(a));
        CHECK((copy.shape() == s.shape() && copy.strides() == s.strides() && copy.offset() == s.offset()));
        Tensor moved = std::move(copy);  // move: a new object; the moved-from one is undefined but alive
        CHECK(Tensor::live_count() == base + 4);
        CHECK(moved.offset() == 1);
        CHECK(moved.to_vector() == s.to_vector());
        CHECK_FALSE(copy.defined());
        Tensor d;  // undefined, still an object
        CHECK(Tensor::live_count() == base + 5);
        d = a;               // assignment: no new object
        d = tt::zeros({2});  // the temporary is gone at the end of the statement
        d = std::move(moved);
        CHECK(Tensor::live_count() == base + 5);
        CHECK(d.offset() == 1);
        std::vector<Tensor> many(3, a);
        CHECK(Tensor::live_count() == base + 8);
        many.push_back(a);  // growing moves the elements to a new buffer and destroys the old ones
        many.push_back(a);
        CHECK(Tensor::live_count() == base + 10);
        many.clear();
        CHECK(Tensor::live_count() == base + 5);
    }
    CHECK(Tensor::live_count() == base);
}

TEST_CASE("Tensor: a constructor that fails leaves the live-tensor count as it was") {
    const int64_t base = Tensor::live_count();
    TT_CHECK_ERROR_CONTAINS(static_cast<void>(Tensor(Shape{2}, {1.0f})), "");
    TT_CHECK_ERROR_CONTAINS(static_cast<void>(Tensor(tt::zeros({4}).storage(), Shape{2, 2}, Shape{1}, 0)), "");
    CHECK(Tensor::live_count() == base);
}
