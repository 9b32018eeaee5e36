// Module 06 checks: the IDX, packed (.ttds) and CIFAR-10 readers, on small synthetic files written here.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets.h"
#include "testing.h"

namespace {

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("tt_test_06_" + name)).string();
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    std::fclose(f);
}

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 3; i >= 0; i--) out.push_back(uint8_t(v >> (8 * i)));
}

// Three 2x3 images whose pixel k of image i is 10*i + k, labels 2, 0, 1.
tt::ImageDataset tiny_set() {
    tt::ImageDataset d;
    d.count = 3;
    d.channels = 1;
    d.height = 2;
    d.width = 3;
    d.num_classes = 3;
    d.labels = {2, 0, 1};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 6; k++) d.pixels.push_back(uint8_t(10 * i + k));
    return d;
}

// A CIFAR-10 record: label, then the R, G and B planes filled with (label, 100 + label, 200 + label + pixel % 7).
std::vector<uint8_t> cifar_records(const std::vector<uint8_t>& labels) {
    std::vector<uint8_t> out;
    for (uint8_t y : labels) {
        out.push_back(y);
        for (int p = 0; p < 1024; p++) out.push_back(y);
        for (int p = 0; p < 1024; p++) out.push_back(uint8_t(100 + y));
        for (int p = 0; p < 1024; p++) out.push_back(uint8_t(200 + y + p % 7));
    }
    return out;
}

}  // namespace

TEST_CASE("06 packed: pack then parse gives the same images and labels") {
    const tt::ImageDataset d = tiny_set();
    const std::vector<uint8_t> bytes = tt::pack(d);
    CHECK(bytes.size() == 32 + 3 + 18);
    CHECK(std::string(bytes.begin(), bytes.begin() + 4) == "TTDS");
    const tt::ImageDataset e = tt::parse_packed(bytes.data(), bytes.size(), "tiny");
    CHECK(e.count == 3);
    CHECK(e.channels == 1);
    CHECK(e.height == 2);
    CHECK(e.width == 3);
    CHECK(e.num_classes == 3);
    CHECK(e.labels == d.labels);
    CHECK(e.pixels == d.pixels);
    CHECK(e.label(0) == 2);
    CHECK(e.image(2)[5] == 25);
}

TEST_CASE("06 packed: write_packed and read_packed round-trip through a file") {
    const std::string path = temp_path("tiny.ttds");
    tt::write_packed(tiny_set(), path);
    const tt::ImageDataset e = tt::read_packed(path);
    CHECK(e.pixels == tiny_set().pixels);
    CHECK(e.labels == tiny_set().labels);
    std::remove(path.c_str());
}

TEST_CASE("06 batches: to_float and gather_float scale bytes to [0, 1]") {
    const tt::ImageDataset d = tiny_set();
    std::vector<float> batch(2 * 6);
    d.to_float(1, 2, batch.data());
    CHECK(batch[0] == doctest::Approx(10 / 255.0f));
    CHECK(batch[11] == doctest::Approx(25 / 255.0f));
    const int64_t order[2] = {2, 0};
    d.gather_float(order, 2, batch.data());
    CHECK(batch[0] == doctest::Approx(20 / 255.0f));
    CHECK(batch[6] == 0.0f);
    CHECK(batch[7] == doctest::Approx(1 / 255.0f));
}

TEST_CASE("06 IDX: reads an uncompressed images/labels pair") {
    std::vector<uint8_t> images, labels;
    put_be32(images, 0x803);
    put_be32(images, 2);
    put_be32(images, 2);
    put_be32(images, 2);
    for (int k = 0; k < 8; k++) images.push_back(uint8_t(30 * k));
    put_be32(labels, 0x801);
    put_be32(labels, 2);
    labels.push_back(7);
    labels.push_back(3);
    const std::string ip = temp_path("images.idx"), lp = temp_path("labels.idx");
    write_bytes(ip, images);
    write_bytes(lp, labels);
    const tt::ImageDataset d = tt::read_idx(ip, lp);
    CHECK(d.count == 2);
    CHECK(d.height == 2);
    CHECK(d.width == 2);
    CHECK(d.channels == 1);
    CHECK(d.labels == std::vector<uint8_t>{7, 3});
    CHECK(d.image(1)[3] == 210);
    std::remove(ip.c_str());
    std::remove(lp.c_str());
}

TEST_CASE("06 CIFAR-10: records split into labels and R, G, B planes, batches concatenate") {
    const std::string a = temp_path("cifar_a.bin"), b = temp_path("cifar_b.bin");
    write_bytes(a, cifar_records({3, 9}));
    write_bytes(b, cifar_records({0}));
    const tt::ImageDataset d = tt::read_cifar10({a, b});
    CHECK(d.count == 3);
    CHECK(d.channels == 3);
    CHECK(d.height == 32);
    CHECK(d.width == 32);
    CHECK(d.labels == std::vector<uint8_t>{3, 9, 0});
    CHECK(d.image(1)[0] == 9);            // R plane
    CHECK(d.image(1)[1024] == 109);       // G plane
    CHECK(d.image(1)[2048 + 10] == 212);  // B plane, pixel 10: 200 + 9 + 10 % 7
    CHECK(d.image(2)[3071] == 200 + 1023 % 7);
    std::remove(a.c_str());
    std::remove(b.c_str());
}

TEST_CASE("06 readers: bad input is an error naming the file and the problem") {
    std::vector<uint8_t> bytes = tt::pack(tiny_set());
    std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 1);
    TT_CHECK_ERROR_CONTAINS(tt::parse_packed(truncated.data(), truncated.size(), "t.ttds"),
                            "t.ttds: 52 bytes, but its header (3 images 1x2x3) needs 53");
    bytes[32] = 5;  // a label >= num_classes
    TT_CHECK_ERROR(tt::parse_packed(bytes.data(), bytes.size(), "t.ttds"), "t.ttds: label 5 of image 0 is not below 3");
    const std::vector<uint8_t> gz = {0x1f, 0x8b, 8, 0};
    TT_CHECK_ERROR_CONTAINS(tt::parse_packed(gz.data(), gz.size(), "x.ttds.gz"), "x.ttds.gz: is gzip-compressed");
    const std::vector<uint8_t> odd(3073 + 5, 0);
    TT_CHECK_ERROR_CONTAINS(tt::parse_cifar10(odd.data(), odd.size(), "batch.bin"),
                            "batch.bin: 3078 bytes is not a whole number of CIFAR-10 records");
    TT_CHECK_ERROR_CONTAINS(tt::read_packed(temp_path("does-not-exist.ttds")), "does-not-exist.ttds: cannot open");
    const std::string ip = temp_path("bad.idx");
    write_bytes(ip, {0, 0, 8, 1, 0, 0, 0, 0});
    TT_CHECK_ERROR_CONTAINS(tt::read_idx(ip, ip), "not an IDX image file");
    std::remove(ip.c_str());
}
