// Module 05 — checkpoints: state dicts to and from safetensors (bytes and files), including a file PyTorch's side
// wrote (tests/fixtures/05_mlp.safetensors) and every way a file can be wrong.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "activation_layers.h"
#include "fixtures.h"
#include "linear.h"
#include "random.h"
#include "safetensors.h"
#include "sequential.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
using namespace tt::nn;

// The in-browser student build reads the fixtures from a read-only file system (/fixtures): writing a file is a case
// for the native and web-reference builds only.
#if defined(TT_STUDENT_BUILD)
#define TT_NEEDS_WRITABLE_FILES doctest::skip(true)
#else
#define TT_NEEDS_WRITABLE_FILES doctest::skip(false)
#endif

namespace {

tt::StateDict sample_state() {
    tt::StateDict sd;
    sd["fc.weight"] = tt::randn({2, 3}, 1);
    sd["fc.bias"] = tt::randn({2}, 2);
    sd["scalar"] = tt::scalar(4.5f);
    return sd;
}

// Bytes with the given JSON header (padded) and `data_bytes` bytes of data.
std::vector<uint8_t> with_header(const std::string& json, size_t data_bytes) {
    std::string h = json;
    h.append((8 - h.size() % 8) % 8, ' ');
    std::vector<uint8_t> out(8 + h.size() + data_bytes, 0);
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(static_cast<uint64_t>(h.size()) >> (8 * i));
    std::memcpy(out.data() + 8, h.data(), h.size());
    return out;
}

std::string header_of(const std::vector<uint8_t>& bytes) {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    return std::string(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
}

std::shared_ptr<Sequential> make_mlp() {
    return std::make_shared<Sequential>(
        std::vector<std::shared_ptr<Module>>{std::make_shared<Flatten>(), std::make_shared<Linear>(6, 8),
                                             std::make_shared<ReLU>(), std::make_shared<Linear>(8, 5),
                                             std::make_shared<Tanh>(), std::make_shared<Linear>(5, 4),
                                             std::make_shared<GELU>(), std::make_shared<Linear>(4, 3),
                                             std::make_shared<Sigmoid>()});
}

}  // namespace

TEST_CASE("05 safetensors: bytes round trip keeps names, shapes and values exactly") {
    tt::StateDict sd = sample_state();
    tt::StateDict back = tt::load_safetensors(tt::save_safetensors(sd));
    REQUIRE(back.size() == 3);
    for (auto& entry : sd) {
        const std::string& name = entry.first;
        INFO("tensor " << name);
        REQUIRE(back.count(name) == 1);
        CHECK_TENSOR_EQ(back[name], entry.second);
    }
}

TEST_CASE("05 safetensors: the layout is u64 header length + JSON + 8-byte aligned F32 data") {
    tt::StateDict sd;
    sd["w"] = Tensor({2, 2}, {1, 2, 3, 4});
    std::vector<uint8_t> bytes = tt::save_safetensors(sd);
    std::string header = header_of(bytes);
    INFO("header: " << header);
    CHECK(header.size() % 8 == 0);
    CHECK(header.find("\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}") != std::string::npos);
    CHECK(bytes.size() == 8 + header.size() + 16);
    float third;
    std::memcpy(&third, bytes.data() + 8 + header.size() + 8, 4);
    CHECK(third == 3.0f);
}

TEST_CASE("05 safetensors: non-contiguous tensors are saved in row-major order") {
    tt::StateDict sd;
    sd["t"] = tt::arange(6).reshape({2, 3}).t();
    tt::StateDict back = tt::load_safetensors(tt::save_safetensors(sd));
    CHECK(back["t"].to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
}

TEST_CASE("05 safetensors: a module's state dict survives save and load") {
    tt::Generator g1(1), g2(2);
    Linear a(4, 3, true, g1), b(4, 3, true, g2);
    b.load_state_dict(tt::load_safetensors(tt::save_safetensors(a.state_dict())));
    Tensor x = tt::randn({2, 4}, 3);
    CHECK_TENSOR_EQ(b.forward(x), a.forward(x));
}

TEST_CASE("05 safetensors: loads the file PyTorch's side wrote; the MLP then matches PyTorch") {
    tt_test::Fixtures fx("05_networks.txt");
    tt::StateDict sd = tt::load_safetensors_file(std::string(TT_FIXTURES_DIR) + "/05_mlp.safetensors");
    CHECK(sd.size() == 8);
    CHECK_TENSOR_EQ(sd["1.weight"], fx["mlp.param.1.weight"]);
    auto net = make_mlp();
    net->load_state_dict(sd);
    CHECK_TENSOR(net->forward(fx["mlp.x"]), fx["mlp.y"], 1e-6f, 1e-5f);
}

TEST_CASE("05 safetensors: file round trip" * TT_NEEDS_WRITABLE_FILES) {
    std::string path = "tt_test_roundtrip.safetensors";
    tt::StateDict sd = sample_state();
    tt::save_safetensors_file(sd, path);
    tt::StateDict back = tt::load_safetensors_file(path);
    std::remove(path.c_str());
    CHECK_TENSOR_EQ(back["fc.weight"], sd["fc.weight"]);
    CHECK_TENSOR_EQ(back["scalar"], sd["scalar"]);
}

TEST_CASE("05 safetensors: __metadata__ is skipped; an empty state dict is valid") {
    auto bytes = with_header(
        "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
        "\"data_offsets\":[0,4]}}",
        4);
    CHECK(tt::load_safetensors(bytes).size() == 1);
    CHECK(tt::load_safetensors(tt::save_safetensors({})).empty());
}

TEST_CASE("05 safetensors: a header that is not JSON is an error naming the source and byte") {
    TT_CHECK_ERROR(tt::load_safetensors(with_header("{\"a\" 1}", 0), "bad.safetensors"),
                   "safetensors: bad header in bad.safetensors: expected ':' at byte 5");
    TT_CHECK_ERROR(tt::load_safetensors(with_header("[1, 2]", 0), "x"),
                   "safetensors: bad header in x: not a JSON object");
    TT_CHECK_ERROR(tt::load_safetensors(with_header("{\"a\":{\"dtype\":\"F32\"}}", 0), "x"),
                   "safetensors: bad header in x: 'a' needs dtype, shape and data_offsets [begin, end]");
}

TEST_CASE("05 safetensors: an unknown dtype is an error naming tensor and dtype") {
    auto bytes = with_header("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    TT_CHECK_ERROR(tt::load_safetensors(bytes, "half.safetensors"),
                   "safetensors: tensor 'h' in half.safetensors has dtype F16; only F32 is supported");
}

TEST_CASE("05 safetensors: a truncated file is an error saying how much is missing") {
    std::vector<uint8_t> bytes = tt::save_safetensors(sample_state());
    std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 4);
    size_t header = header_of(bytes).size();
    std::string cut_message =
        "safetensors: cut.safetensors is truncated: tensor 'scalar' ends at byte 36 of the "
        "data, but only " +
        std::to_string(cut.size() - 8 - header) + " bytes follow the header";
    TT_CHECK_ERROR(tt::load_safetensors(cut, "cut.safetensors"), cut_message.c_str());
    std::vector<uint8_t> tiny(bytes.begin(), bytes.begin() + 20);
    std::string tiny_message = "safetensors: tiny is truncated or not safetensors: the header claims " +
        std::to_string(header) + " bytes but only 12 follow";
    TT_CHECK_ERROR(tt::load_safetensors(tiny, "tiny"), tiny_message.c_str());
    TT_CHECK_ERROR(tt::load_safetensors(std::vector<uint8_t>(5), "empty"),
                   "safetensors: empty is truncated: 5 bytes, not even the 8-byte header length");
}

TEST_CASE("05 safetensors: data_offsets that disagree with the shape are an error") {
    auto bytes = with_header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 24);
    TT_CHECK_ERROR(tt::load_safetensors(bytes, "x"),
                   "safetensors: tensor 'w' in x has shape [2, 3] (24 bytes) but data_offsets [0, 20]");
}

TEST_CASE("05 safetensors: loading into a module names a missing key or a shape mismatch") {
    Linear lin(3, 2);
    tt::StateDict sd;
    sd["weight"] = tt::zeros({2, 3});
    TT_CHECK_ERROR(lin.load_state_dict(tt::load_safetensors(tt::save_safetensors(sd))),
                   "load_state_dict: missing key 'bias' (Linear expects it)");
    sd["bias"] = tt::zeros({3});
    TT_CHECK_ERROR(lin.load_state_dict(tt::load_safetensors(tt::save_safetensors(sd))),
                   "load_state_dict: 'bias' has shape [3] in the state dict, the module expects [2]");
}

TEST_CASE("05 safetensors: a missing file is an error naming the path") {
    TT_CHECK_ERROR(tt::load_safetensors_file("no/such/file.safetensors"),
                   "load_safetensors_file: cannot open 'no/such/file.safetensors'");
}
