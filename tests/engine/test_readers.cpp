// The readers of untrusted bytes (issue 19): every malformed input is a tt::Error naming the file and the field,
// checked before anything is allocated or copied. Not a lesson's checks; tests/fuzz drives the same readers with
// a million mutated inputs.
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "checked.h"
#include "classifier.h"
#include "dataloader.h"
#include "dataset.h"
#include "datasets.h"
#include "gpt.h"
#include "image_folder.h"
#include "safetensors.h"
#include "testing.h"
#include "tokenizer.h"

namespace {

void put_le32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; i++) out.push_back(uint8_t(v >> (8 * i)));
}
void put_be32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 3; i >= 0; i--) out.push_back(uint8_t(v >> (8 * i)));
}

// A .ttds header (32 bytes): "TTDS", version 1, N, C, H, W, classes, reserved.
std::vector<uint8_t> ttds_header(uint32_t n, uint32_t c, uint32_t h, uint32_t w, uint32_t classes,
                                 uint32_t reserved = 0) {
    std::vector<uint8_t> out = {'T', 'T', 'D', 'S'};
    for (uint32_t v : {1u, n, c, h, w, classes, reserved}) put_le32(out, v);
    return out;
}

tt::ImageDataset parse(const std::vector<uint8_t>& bytes) {
    return tt::parse_packed(bytes.data(), bytes.size(), "x.ttds");
}

std::vector<uint8_t> idx_images(uint32_t n, uint32_t h, uint32_t w, size_t pixels) {
    std::vector<uint8_t> out;
    for (uint32_t v : {0x803u, n, h, w}) put_be32(out, v);
    out.resize(out.size() + pixels, 7);
    return out;
}
std::vector<uint8_t> idx_labels(uint32_t n, std::vector<uint8_t> labels) {
    std::vector<uint8_t> out;
    for (uint32_t v : {0x801u, n}) put_be32(out, v);
    out.insert(out.end(), labels.begin(), labels.end());
    return out;
}
tt::ImageDataset parse_idx(const std::vector<uint8_t>& images, const std::vector<uint8_t>& labels) {
    return tt::parse_idx(images.data(), images.size(), "i.idx", labels.data(), labels.size(), "l.idx");
}

// A safetensors file from its header text and `data` bytes of data.
std::vector<uint8_t> safetensors(const std::string& header, size_t data) {
    std::vector<uint8_t> out(8);
    for (int i = 0; i < 8; i++) out[size_t(i)] = uint8_t(uint64_t(header.size()) >> (8 * i));
    out.insert(out.end(), header.begin(), header.end());
    out.resize(out.size() + data, 0);
    return out;
}
tt::StateDict load(const std::vector<uint8_t>& bytes) { return tt::load_safetensors(bytes, "s.st"); }

}  // namespace

TEST_CASE("readers: checked_mul, checked_add and checked_int name the field" * TT_NEEDS_EXCEPTIONS) {
    CHECK(tt::checked_mul(3037000499, 3037000499, "f") == 9223372030926249001);
    CHECK(tt::checked_add(INT64_MAX - 1, 1, "f") == INT64_MAX);
    TT_CHECK_ERROR(tt::checked_mul(3037000500, 3037000500, "x.ttds: header N"),
                   "x.ttds: header N: 3037000500 x 3037000500 does not fit in 64 bits");
    TT_CHECK_ERROR(tt::checked_add(INT64_MAX, 1, "f"), "f: 9223372036854775807 + 1 does not fit in 64 bits");
    TT_CHECK_ERROR(tt::checked_mul(-1, 2, "f"), "f: negative size (-1 x 2)");
    TT_CHECK_ERROR(tt::checked_int(int64_t(1) << 31, 1, 65536, "h"), "h is 2147483648, expected 1 .. 65536");
}

TEST_CASE("readers: .ttds headers are checked field by field before a byte is copied" * TT_NEEDS_EXCEPTIONS) {
    std::vector<uint8_t> ok = ttds_header(2, 1, 1, 2, 3);
    for (uint8_t b : {2, 0, 10, 11, 20, 21}) ok.push_back(b);
    const tt::ImageDataset d = parse(ok);
    CHECK(d.count == 2);
    CHECK(d.labels == std::vector<uint8_t>{2, 0});
    CHECK(d.pixels == std::vector<uint8_t>{10, 11, 20, 21});
    // truncated header
    const std::vector<uint8_t> short_header(ok.begin(), ok.begin() + 20);
    TT_CHECK_ERROR(parse(short_header), "x.ttds: not a packed data set (no \"TTDS\" header)");
    // the issue's 32-byte file: 2^32 - 1 images of 65536 x 65536 wrap a 64-bit size, now an error
    TT_CHECK_ERROR(parse(ttds_header(0xFFFFFFFFu, 1, 65536, 65536, 10)),
                   "x.ttds: header N x (1 + C x H x W): 4294967295 x 4294967297 does not fit in 64 bits");
    TT_CHECK_ERROR(parse(ttds_header(1u << 24, 1, 1, 1, 10)),
                   "x.ttds: 32 bytes, but its header (16777216 images 1x1x1) needs 33554464");
    // fields that do not fit the format: sizes that would be negative as an int, 0 images, too many classes
    TT_CHECK_ERROR(parse(ttds_header(1, 1, 0xFFFFFFFFu, 1, 10)),
                   "x.ttds: header field height is 4294967295, expected 1 .. 65536");
    TT_CHECK_ERROR(parse(ttds_header(1, 5, 1, 1, 10)), "x.ttds: header field channels is 5, expected 1 .. 4");
    TT_CHECK_ERROR(parse(ttds_header(1, 1, 1, 0, 10)), "x.ttds: header field width is 0, expected 1 .. 65536");
    TT_CHECK_ERROR(parse(ttds_header(1, 1, 1, 1, 257)), "x.ttds: header field classes is 257, expected 1 .. 256");
    TT_CHECK_ERROR(parse(ttds_header(1, 1, 1, 1, 10, 9)), "x.ttds: header field reserved is 9, not 0");
    TT_CHECK_ERROR(parse(ttds_header(0, 1, 28, 28, 10)),
                   "x.ttds: the header's image count is 0: a data set needs at least one image");
    // a label >= classes
    ok[33] = 3;
    TT_CHECK_ERROR(parse(ok), "x.ttds: label 3 of image 1 is not below 3");
}

TEST_CASE("readers: IDX headers, overflowing shapes and labels" * TT_NEEDS_EXCEPTIONS) {
    const tt::ImageDataset d = parse_idx(idx_images(2, 2, 2, 8), idx_labels(2, {9, 0}));
    CHECK(d.count == 2);
    CHECK(d.height == 2);
    CHECK(d.labels == std::vector<uint8_t>{9, 0});
    const std::vector<uint8_t> header_only(10, 0);
    TT_CHECK_ERROR(parse_idx(header_only, idx_labels(2, {9, 0})),
                   "i.idx: not an IDX image file (expected magic 0x00000803, 3-D uint8)");
    // a shape whose element count overflows, with 0 bytes of data behind it
    TT_CHECK_ERROR(parse_idx(idx_images(0xFFFFFFFFu, 65536, 65536, 0), idx_labels(0xFFFFFFFFu, {})),
                   "i.idx: header N x H x W: 4294967295 x 4294967296 does not fit in 64 bits");
    TT_CHECK_ERROR(parse_idx(idx_images(1, 0x80000000u, 1, 0), idx_labels(1, {0})),
                   "i.idx: header field height is 2147483648, expected 1 .. 65536");
    TT_CHECK_ERROR(parse_idx(idx_images(3, 2, 2, 8), idx_labels(3, {0, 1, 2})),
                   "i.idx: 8 pixel bytes, header says 3x2x2 = 12");
    TT_CHECK_ERROR(parse_idx(idx_images(0, 2, 2, 0), idx_labels(0, {})),
                   "i.idx: the header's image count is 0: a data set needs at least one image");
    TT_CHECK_ERROR(parse_idx(idx_images(2, 2, 2, 8), idx_labels(2, {9, 10})),
                   "l.idx: label 10 of image 1 is not below 10");
}

TEST_CASE("readers: CIFAR-10 labels are checked before the copy" * TT_NEEDS_EXCEPTIONS) {
    std::vector<uint8_t> two(2 * 3073, 1);
    two[3073] = 12;
    TT_CHECK_ERROR(tt::parse_cifar10(two.data(), two.size(), "b.bin"),
                   "b.bin: label 12 of image 1 is not below 10 (CIFAR-10 has 10 classes)");
    TT_CHECK_ERROR(tt::parse_cifar10(two.data(), 0, "b.bin"),
                   "b.bin: 0 bytes is not a whole number of CIFAR-10 records (1 label + 3072 pixels)");
}

TEST_CASE("readers: safetensors offsets, shapes and dtypes" * TT_NEEDS_EXCEPTIONS) {
    const std::string two = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
    CHECK(load(safetensors(two, 12)).size() == 2);
    // a header length that wraps past the end
    std::vector<uint8_t> wrapped = safetensors("{}", 0);
    for (int i = 0; i < 8; i++) wrapped[size_t(i)] = 0xFF;
    TT_CHECK_ERROR(load(wrapped),
                   "safetensors: s.st is truncated or not safetensors: the header claims "
                   "18446744073709551615 bytes but only 2 follow");
    // an element count that overflows 64 bits, with 0 bytes of data
    TT_CHECK_ERROR(
        load(safetensors(R"({"w":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,0]}})", 0)),
        "safetensors: s.st: shape of 'w': 4398046511104 x 1099511627776 does not fit in 64 bits");
    TT_CHECK_ERROR(load(safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4)),
                   "safetensors: s.st is truncated: tensor 'w' ends at byte 8 of the data, but only 4 bytes follow "
                   "the header");
    TT_CHECK_ERROR(load(safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                    12)),
                   "safetensors: bad header in s.st: tensor 'b' has data_offsets [4, 12] but the data before it ends "
                   "at 8 (overlap)");
    TT_CHECK_ERROR(load(safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)),
                   "safetensors: bad header in s.st: tensor 'a' has data_offsets [4, 8] but the data before it ends "
                   "at 0 (gap)");
    TT_CHECK_ERROR(load(safetensors(two, 16)),
                   "safetensors: s.st: 4 bytes after the last tensor's data (the tensors end at byte 12 of 16)");
    TT_CHECK_ERROR(load(safetensors(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4)),
                   "safetensors: tensor 'w' in s.st has dtype F16; only F32 is supported");
    TT_CHECK_ERROR(load(safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}})", 8)),
                   "safetensors: bad header in s.st: data_offsets of 'w' must be a non-negative integer");
}

TEST_CASE("readers: huge shapes and model sizes are errors, not std::length_error" * TT_NEEDS_EXCEPTIONS) {
    TT_CHECK_ERROR(tt::Tensor({int64_t(1) << 40, int64_t(1) << 40}),
                   "numel: shape [1099511627776, 1099511627776] has more than 2^63 elements");
    TT_CHECK_ERROR(tt::Tensor({int64_t(1) << 30}),
                   "Storage: 1073741824 floats is more than the engine allocates (at most 536870912, 2 GiB)");
    TT_CHECK_ERROR(tt::parse_architecture("flatten linear:99999999:99999999"),
                   "architecture: the layers up to 'linear:99999999:99999999' hold 9999999900000000 parameters, more "
                   "than the 67108864 a model may have");
    TT_CHECK_ERROR(tt::parse_architecture("maxpool:0 flatten"), "architecture: 'maxpool:0' needs a kernel >= 1");
    TT_CHECK_ERROR(tt::parse_architecture("flatten linear:0:10"),
                   "architecture: 'linear:0:10' needs sizes of at least 1");
    std::string wide;  // each conv:1:1:1:99999999 grows H and W by 199999998
    for (int i = 0; i < 16; i++) wide += "conv:1:1:1:99999999 ";
    TT_CHECK_ERROR(tt::check_architecture(wide + "flatten", 1, 1, 1),
                   "architecture: flatten: 3199999969 x 3199999969 does not fit in 64 bits");
    TT_CHECK_ERROR(tt::check_architecture("conv:1:1:1:99999999 flatten", 1, 1, 1),
                   "architecture: the number of class scores is 39999999600000001, expected 1 .. 16777216");
    tt::GPTConfig c;
    c.n_embd = int64_t(1) << 40;
    c.n_head = 1;
    TT_CHECK_ERROR(tt::GPT{c},
                   "GPT: the config's parameter count: 13194139533312 x 1099511627776 does not fit in 64 bits");
    c.n_embd = 4096, c.n_layer = 1000;
    TT_CHECK_ERROR(tt::GPT{c},
                   "GPT: the config (vocab_size 65, block_size 64, n_layer 1000, n_embd 4096) has "
                   "201380368384 parameters, more than the 67108864 a model may have");
    std::vector<tt::Merge> doubling = {{4 + 'a', 4 + 'a'}};
    for (int64_t r = 1; r < 20; r++)
        doubling.push_back({tt::BPETokenizer::kFirstMergeId + r - 1, tt::BPETokenizer::kFirstMergeId + r - 1});
    TT_CHECK_ERROR(tt::BPETokenizer{doubling},
                   "BPETokenizer: merge 16 (275, 275) makes a token of 131072 bytes, more than 65536");
    tt::DecodedImage image;
    image.width = image.height = INT_MAX, image.channels = 4;
    TT_CHECK_ERROR(tt::image_to_chw(image, 3, 0, 0, "x.png"),
                   "x.png: pixel bytes: 4611686014132420609 x 4 does not fit in 64 bits");
}

TEST_CASE("readers: empty data sets and zero batch sizes are clear errors" * TT_NEEDS_EXCEPTIONS) {
    tt::ImageDataset one;
    one.count = 1, one.channels = 1, one.height = 1, one.width = 1, one.num_classes = 2;
    one.labels = {1};
    one.pixels = {5};
    auto view = std::make_shared<tt::ImageDatasetView>(std::make_shared<tt::ImageDataset>(one));
    tt::DataLoaderOptions zero;
    zero.batch_size = 0;
    TT_CHECK_ERROR(tt::DataLoader(view, zero), "DataLoader: batch_size must be >= 1, got 0");
    tt::ImageDataset empty = one;
    empty.count = 0, empty.labels.clear(), empty.pixels.clear();
    auto none = std::make_shared<tt::ImageDatasetView>(std::make_shared<tt::ImageDataset>(empty));
    TT_CHECK_ERROR_CONTAINS(tt::DataLoader(none, {}), "is empty: no batches to make");
}
