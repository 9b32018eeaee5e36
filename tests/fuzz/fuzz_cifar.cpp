// Fuzz driver: the CIFAR-10 binary batch reader (data/datasets.h parse_cifar10).
#include "datasets.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tt::ImageDataset d;
    if (tt::fuzz::accepts([&] { d = tt::parse_cifar10(data, size, "fuzz.bin"); })) {
        tt::fuzz::require(d.count * 3073 == int64_t(size), "one image per 3073 bytes");
        for (int64_t i = 0; i < d.count; i++) tt::fuzz::require(d.label(i) == data[i * 3073], "labels in order");
    }
    return 0;
}
