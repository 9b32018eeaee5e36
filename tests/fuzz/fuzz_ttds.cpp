// Fuzz driver: the packed .ttds reader (data/datasets.h parse_packed). An accepted file packs back to its bytes.
#include "datasets.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tt::ImageDataset d;
    if (tt::fuzz::accepts([&] { d = tt::parse_packed(data, size, "fuzz.ttds"); })) {
        const std::vector<uint8_t> again = tt::pack(d);
        tt::fuzz::require(again == std::vector<uint8_t>(data, data + size), "parse_packed then pack gives the bytes");
    }
    return 0;
}
