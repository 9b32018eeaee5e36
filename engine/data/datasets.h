// Module 06 — the image data sets of the course, read into memory as bytes.
//
// Three on-disk formats, one in-memory form (ImageDataset: uint8 pixels laid out N x C x H x W, uint8 labels):
//   IDX      MNIST / Fashion-MNIST as their authors publish them (big-endian header, then raw bytes). The readers
//            take the *uncompressed* files; the .gz originals are unpacked by datasets/pack.py.
//   .ttds    the course's packed shard (datasets/pack.py writes it): "TTDS", seven little-endian u32 (version,
//            N, C, H, W, classes, 0), N labels, then the pixels. One file per split, gzip twin for the web.
//   CIFAR-10 the official binary batches: 10,000 records of 1 label byte + 3072 pixel bytes (R, G, B planes 32x32).
// Pixels stay bytes until a batch is needed: 4x less memory than floats, and the conversion is one line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tt {

struct ImageDataset {
    int64_t count = 0;            // N
    int channels = 0;             // C
    int height = 0;               // H
    int width = 0;                // W
    int num_classes = 0;          // labels are in [0, num_classes)
    std::vector<uint8_t> labels;  // N
    std::vector<uint8_t> pixels;  // N * C * H * W

    int64_t image_size() const { return int64_t(channels) * height * width; }
    const uint8_t* image(int64_t i) const;  // C * H * W bytes of image i (bounds-checked)
    int label(int64_t i) const;

    // Writes images [start, start + n) as floats pixel / 255 into out (n * C * H * W floats): a batch (B, C, H, W).
    void to_float(int64_t start, int64_t n, float* out) const;
    // The same for an arbitrary list of image indices (a shuffled batch).
    void gather_float(const int64_t* indices, int64_t n, float* out) const;

    // Checks sizes and labels; `what` (a file name) goes into the error message.
    void validate(const std::string& what) const;
};

// IDX (uncompressed): an images file (magic 0x00000803, N x H x W) and a labels file (0x00000801, N).
ImageDataset read_idx(const std::string& images_path, const std::string& labels_path, int num_classes = 10);
// The same for bytes already in memory (the paths name them in errors).
ImageDataset parse_idx(const uint8_t* images, size_t images_size, const std::string& images_path, const uint8_t* labels,
                       size_t labels_size, const std::string& labels_path, int num_classes = 10);

// The packed .ttds shard, from a file or from bytes already in memory (the web fetches them).
ImageDataset read_packed(const std::string& path);
ImageDataset parse_packed(const uint8_t* bytes, size_t size, const std::string& what);
std::vector<uint8_t> pack(const ImageDataset& data);
void write_packed(const ImageDataset& data, const std::string& path);

// CIFAR-10 binary batches (data_batch_1.bin ... or test_batch.bin), concatenated in the order given.
ImageDataset read_cifar10(const std::vector<std::string>& batch_paths);
ImageDataset parse_cifar10(const uint8_t* bytes, size_t size, const std::string& what);

// A whole file as bytes; a clear error names the file when it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace tt
