// Fuzz driver: the IDX reader (data/datasets.h parse_idx). The input is one file after the other: a 2-byte
// little-endian length of the images file, the images file, then the labels file.
#include "datasets.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const size_t split = std::min<size_t>(size - 2, size_t(data[0]) | size_t(data[1]) << 8);
    const uint8_t* images = data + 2;
    const uint8_t* labels = images + split;
    tt::ImageDataset d;
    if (tt::fuzz::accepts([&] {
            d = tt::parse_idx(images, split, "fuzz-images.idx", labels, size - 2 - split, "fuzz-labels.idx");
        })) {
        tt::fuzz::require(d.count * d.image_size() == int64_t(split) - 16, "pixels are the file's bytes");
        d.validate("accepted IDX");
    }
    return 0;
}
