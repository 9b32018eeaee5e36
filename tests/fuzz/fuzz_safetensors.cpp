// Fuzz driver: the safetensors reader (io/safetensors.h), tensors and metadata. An accepted file saves back to a
// file that loads to the same tensors.
#include <cstring>

#include "fuzz_common.h"
#include "safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tt::fuzz::accepts([&] { tt::load_safetensors_metadata(data, size, "fuzz.safetensors"); });
    tt::StateDict state;
    if (tt::fuzz::accepts([&] { state = tt::load_safetensors(data, size, "fuzz.safetensors"); })) {
        const tt::StateDict again = tt::load_safetensors(tt::save_safetensors(state), "saved again");
        tt::fuzz::require(again.size() == state.size(), "same tensor count after a save");
        for (const auto& [name, t] : state) {
            const tt::Tensor& u = again.at(name);
            tt::fuzz::require(u.shape() == t.shape(), "same shapes after a save");
            tt::fuzz::require(t.nbytes() == 0 || std::memcmp(u.data(), t.data(), size_t(t.nbytes())) == 0,
                              "same bytes after a save");
        }
    }
    return 0;
}
