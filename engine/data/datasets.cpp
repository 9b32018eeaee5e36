// Module 06 — data set readers (see datasets.h for the formats).
#include "datasets.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "checked.h"
#include "error.h"

namespace tt {
namespace {

uint32_t read_be32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
uint32_t read_le32(const uint8_t* p) {
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
void append_le32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; i++) out.push_back(uint8_t(v >> (8 * i)));
}

// A gzip file starts with 1f 8b: say so instead of "bad magic", because that is the mistake people make.
void reject_gzip(const std::vector<uint8_t>& bytes, const std::string& path) {
    TT_CHECK(!(bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b),
             path << ": is gzip-compressed; unpack it first (gunzip -k, or datasets/pack.py)");
}

// Every label below num_classes, checked on the file's bytes before they are copied anywhere.
void check_labels(const uint8_t* labels, int64_t count, int num_classes, const std::string& what) {
    for (int64_t i = 0; i < count; i++) {
        TT_CHECK(labels[i] < num_classes,
                 what << ": label " << int(labels[i]) << " of image " << i << " is not below " << num_classes);
    }
}

constexpr size_t kPackedHeader = 32;  // "TTDS" + 7 x u32
constexpr uint32_t kPackedVersion = 1;
constexpr size_t kCifarImage = 3 * 32 * 32;

}  // namespace

const uint8_t* ImageDataset::image(int64_t i) const {
    TT_CHECK(i >= 0 && i < count, "ImageDataset::image: index " << i << " out of range for " << count << " images");
    return pixels.data() + i * image_size();
}

int ImageDataset::label(int64_t i) const {
    TT_CHECK(i >= 0 && i < count, "ImageDataset::label: index " << i << " out of range for " << count << " images");
    return labels[size_t(i)];
}

void ImageDataset::to_float(int64_t start, int64_t n, float* out) const {
    TT_CHECK(start >= 0 && n >= 0 && start + n <= count,
             "ImageDataset::to_float: images [" << start << ", " << start + n << ") out of range for " << count);
    const uint8_t* src = pixels.data() + start * image_size();
    for (int64_t k = 0; k < n * image_size(); k++) out[k] = float(src[k]) / 255.0f;
}

void ImageDataset::gather_float(const int64_t* indices, int64_t n, float* out) const {
    const int64_t size = image_size();
    for (int64_t b = 0; b < n; b++) {
        const uint8_t* src = image(indices[b]);
        for (int64_t k = 0; k < size; k++) out[b * size + k] = float(src[k]) / 255.0f;
    }
}

void ImageDataset::validate(const std::string& what) const {
    TT_CHECK(count >= 0 && channels > 0 && height > 0 && width > 0,
             what << ": bad image shape " << channels << "x" << height << "x" << width);
    TT_CHECK(num_classes > 0 && num_classes <= 256, what << ": bad number of classes " << num_classes);
    TT_CHECK(int64_t(labels.size()) == count, what << ": " << labels.size() << " labels for " << count << " images");
    TT_CHECK(int64_t(pixels.size()) == count * image_size(),
             what << ": " << pixels.size() << " pixel bytes, expected " << count * image_size());
    for (int64_t i = 0; i < count; i++) {
        TT_CHECK(labels[size_t(i)] < num_classes,
                 what << ": label " << int(labels[size_t(i)]) << " of image " << i << " is not below " << num_classes);
    }
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    TT_CHECK(f != nullptr, path << ": cannot open (" << std::strerror(errno) << ")");
    std::vector<uint8_t> bytes;
    uint8_t buffer[1 << 16];
    size_t got;
    while ((got = std::fread(buffer, 1, sizeof buffer, f)) > 0) bytes.insert(bytes.end(), buffer, buffer + got);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    TT_CHECK(!failed, path << ": read error");
    return bytes;
}

// ---- IDX ------------------------------------------------------------------------------------------------------

ImageDataset read_idx(const std::string& images_path, const std::string& labels_path, int num_classes) {
    const std::vector<uint8_t> images = read_file_bytes(images_path);
    const std::vector<uint8_t> labels = read_file_bytes(labels_path);
    reject_gzip(images, images_path);
    reject_gzip(labels, labels_path);
    return parse_idx(images.data(), images.size(), images_path, labels.data(), labels.size(), labels_path, num_classes);
}

ImageDataset parse_idx(const uint8_t* images, size_t images_size, const std::string& images_path, const uint8_t* labels,
                       size_t labels_size, const std::string& labels_path, int num_classes) {
    // Header: 0x00 0x00 <type 0x08 = uint8> <number of dimensions>, then one big-endian u32 per dimension.
    TT_CHECK(images_size >= 16 && read_be32(images) == 0x803,
             images_path << ": not an IDX image file (expected magic 0x00000803, 3-D uint8)");
    TT_CHECK(labels_size >= 8 && read_be32(labels) == 0x801,
             labels_path << ": not an IDX label file (expected magic 0x00000801, 1-D uint8)");
    // Every header field is range-checked and every size overflow-checked before a byte is copied.
    ImageDataset d;
    d.count = read_be32(images + 4);
    TT_CHECK(d.count > 0, images_path << ": the header's image count is 0: a data set needs at least one image");
    d.channels = 1;
    d.height = checked_int(read_be32(images + 8), 1, 1 << 16, images_path + ": header field height");
    d.width = checked_int(read_be32(images + 12), 1, 1 << 16, images_path + ": header field width");
    d.num_classes = checked_int(num_classes, 1, 256, "read_idx: num_classes");
    const int64_t n_labels = read_be32(labels + 4);
    TT_CHECK(n_labels == d.count,
             images_path << " has " << d.count << " images but " << labels_path << " has " << n_labels << " labels");
    const int64_t pixels = checked_mul(d.count, d.image_size(), images_path + ": header N x H x W");
    TT_CHECK(uint64_t(images_size) - 16 == uint64_t(pixels),
             images_path << ": " << images_size - 16 << " pixel bytes, header says " << d.count << "x" << d.height
                         << "x" << d.width << " = " << pixels);
    TT_CHECK(uint64_t(labels_size) - 8 == uint64_t(d.count),
             labels_path << ": " << labels_size - 8 << " label bytes, header says " << d.count);
    check_labels(labels + 8, d.count, d.num_classes, labels_path);
    d.pixels.assign(images + 16, images + images_size);
    d.labels.assign(labels + 8, labels + labels_size);
    d.validate(images_path);
    return d;
}

// ---- packed .ttds ---------------------------------------------------------------------------------------------

ImageDataset parse_packed(const uint8_t* bytes, size_t size, const std::string& what) {
    TT_CHECK(!(size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b),
             what << ": is gzip-compressed; read the uncompressed .ttds (or decompress it first)");
    TT_CHECK(size >= kPackedHeader && std::memcmp(bytes, "TTDS", 4) == 0,
             what << ": not a packed data set (no \"TTDS\" header)");
    const uint32_t version = read_le32(bytes + 4);
    TT_CHECK(version == kPackedVersion,
             what << ": .ttds version " << version << ", this engine reads version " << kPackedVersion);
    // Every header field is range-checked and the size overflow-checked before a byte is copied: a 32-byte file
    // whose header claims 2^32 - 1 images must not be read as if they were there.
    ImageDataset d;
    d.count = read_le32(bytes + 8);
    TT_CHECK(d.count > 0, what << ": the header's image count is 0: a data set needs at least one image");
    d.channels = checked_int(read_le32(bytes + 12), 1, 4, what + ": header field channels");
    d.height = checked_int(read_le32(bytes + 16), 1, 1 << 16, what + ": header field height");
    d.width = checked_int(read_le32(bytes + 20), 1, 1 << 16, what + ": header field width");
    d.num_classes = checked_int(read_le32(bytes + 24), 1, 256, what + ": header field classes");
    TT_CHECK(read_le32(bytes + 28) == 0, what << ": header field reserved is " << read_le32(bytes + 28) << ", not 0");
    const std::string field = what + ": header N x (1 + C x H x W)";
    const int64_t body = checked_mul(d.count, checked_add(1, d.image_size(), field), field);
    const int64_t expected = checked_add(int64_t(kPackedHeader), body, field);
    TT_CHECK(uint64_t(size) == uint64_t(expected),
             what << ": " << size << " bytes, but its header (" << d.count << " images " << d.channels << "x"
                  << d.height << "x" << d.width << ") needs " << expected);
    check_labels(bytes + kPackedHeader, d.count, d.num_classes, what);
    d.labels.assign(bytes + kPackedHeader, bytes + kPackedHeader + d.count);
    d.pixels.assign(bytes + kPackedHeader + d.count, bytes + size);
    d.validate(what);
    return d;
}

ImageDataset read_packed(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    return parse_packed(bytes.data(), bytes.size(), path);
}

std::vector<uint8_t> pack(const ImageDataset& data) {
    data.validate("pack");
    std::vector<uint8_t> out = {'T', 'T', 'D', 'S'};
    for (uint32_t v : {kPackedVersion, uint32_t(data.count), uint32_t(data.channels), uint32_t(data.height),
                       uint32_t(data.width), uint32_t(data.num_classes), 0u}) {
        append_le32(out, v);
    }
    out.insert(out.end(), data.labels.begin(), data.labels.end());
    out.insert(out.end(), data.pixels.begin(), data.pixels.end());
    return out;
}

void write_packed(const ImageDataset& data, const std::string& path) {
    const std::vector<uint8_t> bytes = pack(data);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    TT_CHECK(f != nullptr, path << ": cannot create (" << std::strerror(errno) << ")");
    const size_t wrote = std::fwrite(bytes.data(), 1, bytes.size(), f);
    const bool closed = std::fclose(f) == 0;
    TT_CHECK(wrote == bytes.size() && closed, path << ": write failed");
}

// ---- CIFAR-10 -------------------------------------------------------------------------------------------------

ImageDataset parse_cifar10(const uint8_t* bytes, size_t size, const std::string& what) {
    const size_t record = 1 + kCifarImage;
    TT_CHECK(size > 0 && size % record == 0,
             what << ": " << size << " bytes is not a whole number of CIFAR-10 records (1 label + 3072 pixels)");
    for (size_t at = 0; at < size; at += record) {
        TT_CHECK(bytes[at] < 10,
                 what << ": label " << int(bytes[at]) << " of image " << at / record
                      << " is not below 10 (CIFAR-10 has 10 classes)");
    }
    ImageDataset d;
    d.count = int64_t(size / record);
    d.channels = 3;
    d.height = 32;
    d.width = 32;
    d.num_classes = 10;
    d.labels.resize(size_t(d.count));
    d.pixels.resize(size_t(d.count) * kCifarImage);
    for (int64_t i = 0; i < d.count; i++) {
        const uint8_t* r = bytes + i * record;
        d.labels[size_t(i)] = r[0];
        std::memcpy(d.pixels.data() + i * kCifarImage, r + 1, kCifarImage);  // already R, G, B planes
    }
    d.validate(what);
    return d;
}

ImageDataset read_cifar10(const std::vector<std::string>& batch_paths) {
    TT_CHECK(!batch_paths.empty(), "read_cifar10: no batch files given");
    ImageDataset all;
    for (const std::string& path : batch_paths) {
        const std::vector<uint8_t> bytes = read_file_bytes(path);
        reject_gzip(bytes, path);
        ImageDataset part = parse_cifar10(bytes.data(), bytes.size(), path);
        if (all.count == 0) {
            all = std::move(part);
            continue;
        }
        all.count += part.count;
        all.labels.insert(all.labels.end(), part.labels.begin(), part.labels.end());
        all.pixels.insert(all.pixels.end(), part.pixels.begin(), part.pixels.end());
    }
    return all;
}

}  // namespace tt
