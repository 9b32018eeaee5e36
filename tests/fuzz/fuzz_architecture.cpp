// Fuzz driver: the one-line architecture reader (models/classifier.h), as an upload's model card gives it. The
// first 3 bytes are an input shape C, H, W (1-255); an accepted text formats back to text that parses the same.
#include "classifier.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const std::string text = tt::fuzz::text(data + 3, size - 3);
    std::vector<tt::LayerSpec> layers;
    if (tt::fuzz::accepts([&] { layers = tt::parse_architecture(text); })) {
        const std::string again = tt::format_architecture(layers);
        tt::fuzz::require(tt::format_architecture(tt::parse_architecture(again)) == again, "format round-trips");
        tt::fuzz::accepts([&] { tt::check_architecture(text, data[0] | 1, data[1] | 1, data[2] | 1); });
    }
    return 0;
}
