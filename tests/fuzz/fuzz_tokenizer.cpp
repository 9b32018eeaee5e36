// Fuzz driver: the tokenizers (data/tokenizer.h) on what a saved tokenizer and a text can hold. The first byte
// says how many merges follow (3 bytes each: left and right id as offsets below the new id, little-endian 12 bits);
// the rest is the text. Decoding the encoding must give the text back, for BPE (any bytes) and for CharTokenizer
// (valid UTF-8).
#include "fuzz_common.h"
#include "tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const size_t merges = std::min<size_t>(data[0], (size - 1) / 3);
    std::vector<tt::Merge> list;
    for (size_t r = 0; r < merges; r++) {
        const uint8_t* m = data + 1 + 3 * r;
        const int64_t id = tt::BPETokenizer::kFirstMergeId + int64_t(r);
        list.push_back({id - 1 - (m[0] | (m[1] & 15) << 8), id - 1 - (m[2] | (m[1] >> 4) << 8)});
    }
    const std::string text = tt::fuzz::text(data + 1 + 3 * merges, size - 1 - 3 * merges);
    tt::fuzz::accepts([&] {
        const tt::BPETokenizer bpe(list);
        tt::fuzz::require(bpe.decode(bpe.encode(text)) == text, "BPE decode(encode(text)) == text");
    });
    tt::fuzz::accepts([&] {
        const tt::CharTokenizer chars(text);
        tt::fuzz::require(chars.decode(chars.encode(text)) == text, "CharTokenizer decode(encode(text)) == text");
    });
    return 0;
}
