// Fuzz driver: the TinyGPT asset's metadata (models/gpt_asset.h read_gpt_asset_header), a safetensors header with a
// GPT config and a vocabulary, as an upload or a saved checkpoint brings it. An accepted header's metadata,
// written again, reads back to the same config and vocabulary.
#include "fuzz_common.h"
#include "gpt_asset.h"
#include "safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tt::GPTAssetHeader h;
    if (tt::fuzz::accepts([&] { h = tt::read_gpt_asset_header(data, size, "fuzz.safetensors"); })) {
        const std::vector<uint8_t> again = tt::save_safetensors({}, tt::gpt_asset_metadata(h.config, h.vocab));
        const tt::GPTAssetHeader back = tt::read_gpt_asset_header(again.data(), again.size(), "written again");
        tt::fuzz::require(back.vocab == h.vocab, "the vocabulary round-trips");
        tt::fuzz::require(tt::gpt_config_json(back.config).dump() == tt::gpt_config_json(h.config).dump(),
                          "the config round-trips");
    }
    return 0;
}
