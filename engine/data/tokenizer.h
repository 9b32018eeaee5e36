// Module 11 — Tokenization: text in, integer ids out (and back), the way every language model starts.
//
// Two tokenizers behind one interface:
//  - CharTokenizer: one id per Unicode character (code point) seen in a corpus. Small vocabulary, long sequences.
//  - BPETokenizer: byte-level byte-pair encoding (Sennrich et al. 2016; byte-level as in GPT-2). It starts from the
//    256 byte values, so EVERY byte string has an encoding — no unknown token, and decode(encode(s)) == s for any
//    input, even invalid UTF-8 — and learns merges: the most frequent adjacent pair of tokens becomes a new token,
//    again and again, until the vocabulary has the requested size. Larger vocabulary, shorter sequences.
//
// Special tokens have the same fixed ids in both: pad 0, bos 1 (begin of sequence), eos 2 (end), unk 3 (unknown,
// CharTokenizer only). encode() never produces them from text — a text containing "<eos>" is encoded as those five
// characters — they are added by encode_batch (bos, eos, pad) or by the unknown-character policy (unk).
//
// encode_batch turns a list of texts into the [B, T] tensors a model eats: ids padded with pad to a common length T
// (the longest sequence, or max_length), truncated to max_length, and an attention mask (1 = real token, 0 = pad) so
// that attention (module 13) and the loss can ignore the padding. Ids are stored as float: the engine's only dtype.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor.h"

namespace tt {

enum SpecialToken : int64_t { kPadId = 0, kBosId = 1, kEosId = 2, kUnkId = 3 };
constexpr int64_t kNumSpecialTokens = 4;
const char* special_token_text(int64_t id);  // "<pad>", "<bos>", "<eos>", "<unk>"

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // Text -> ids, without bos/eos (encode_batch adds them).
    virtual std::vector<int64_t> encode(const std::string& text) const = 0;
    // Ids -> text. Special ids are dropped (skip_special) or written as their text "<eos>". An id outside
    // [0, vocab_size) is an error naming it.
    virtual std::string decode(const std::vector<int64_t>& ids, bool skip_special = true) const = 0;
    virtual int64_t vocab_size() const = 0;
    // The bytes one id stands for ("<eos>" for a special id), for printing a tokenization.
    virtual std::string token_text(int64_t id) const = 0;
};

// What CharTokenizer does with a character its vocabulary lacks.
enum class UnknownPolicy {
    Error,  // encode fails, naming the character and its byte offset
    Unk,    // the character becomes kUnkId (and decodes to "<unk>", or to nothing with skip_special)
};

class CharTokenizer : public Tokenizer {
public:
    // Vocabulary: the special ids, then the distinct code points of `corpus` sorted by code point (so the same
    // corpus gives the same ids on every machine). The corpus must be valid UTF-8 (else an error naming the offset).
    explicit CharTokenizer(const std::string& corpus, UnknownPolicy unknown = UnknownPolicy::Error);

    std::vector<int64_t> encode(const std::string& text) const override;
    std::string decode(const std::vector<int64_t>& ids, bool skip_special = true) const override;
    int64_t vocab_size() const override { return kNumSpecialTokens + static_cast<int64_t>(chars_.size()); }
    std::string token_text(int64_t id) const override;
    const std::vector<uint32_t>& chars() const { return chars_; }  // code point of id kNumSpecialTokens + i

private:
    std::vector<uint32_t> chars_;  // sorted, distinct
    UnknownPolicy unknown_;
};

// One learned merge: the tokens `left` and `right`, adjacent, become one new token.
struct Merge {
    int64_t left;
    int64_t right;
};

class BPETokenizer : public Tokenizer {
public:
    static constexpr int64_t kFirstByteId = kNumSpecialTokens;    // byte b has id kFirstByteId + b
    static constexpr int64_t kFirstMergeId = kFirstByteId + 256;  // merge r (rank r) has id kFirstMergeId + r

    BPETokenizer() : BPETokenizer(std::vector<Merge>{}) {}  // bytes only: vocab_size 260
    // From merges in rank order (a saved tokenizer). Each merge may only use ids defined before it.
    explicit BPETokenizer(std::vector<Merge> merges);

    // Learns merges on `corpus` until vocab_size ids exist, or until no pair occurs twice (a merge that saves one
    // token of the corpus only memorises it) — vocab_size() says how many were learned. Merges stay within chunks
    // (split_chunks). Each round merges the pair with the highest count; a tie goes to the pair with the smaller
    // (left id, right id), compared left first: older tokens win, and bytes in byte order. bpe_train.cpp.
    static BPETokenizer train(const std::string& corpus, int64_t vocab_size);

    // Applies the merges in rank order inside each chunk: repeatedly the adjacent pair of lowest rank is merged
    // (every occurrence, left to right), until no adjacent pair has a merge — the order training created them in.
    std::vector<int64_t> encode(const std::string& text) const override;
    std::string decode(const std::vector<int64_t>& ids, bool skip_special = true) const override;
    int64_t vocab_size() const override { return kFirstMergeId + static_cast<int64_t>(merges_.size()); }
    std::string token_text(int64_t id) const override;
    const std::vector<Merge>& merges() const { return merges_; }

    // The pieces merges never cross: a new chunk starts at every space, tab, CR or LF byte, so " the" is one chunk
    // and a word's tokens do not swallow the space after it (GPT-2 splits similarly, with a regular expression).
    // Concatenating the chunks gives the text back.
    static std::vector<std::string> split_chunks(const std::string& text);

private:
    std::vector<int64_t> encode_chunk(const std::string& chunk) const;

    std::vector<Merge> merges_;
    std::vector<std::string> bytes_;              // the bytes of every non-special id, indexed by id - kFirstByteId
    std::unordered_map<uint64_t, int64_t> rank_;  // pair_key(left, right) -> rank of its merge
};

// (left, right) as one 64-bit key: left in the high half, so keys order like (left, right) pairs.
inline uint64_t pair_key(int64_t left, int64_t right) {
    return (static_cast<uint64_t>(left) << 32) | static_cast<uint64_t>(right);
}

// Replaces every occurrence of the pair (left, right) in ids, left to right, by `id` ("a a a" -> "aa a"). Returns
// whether there was one. The one merge step of both training and encoding.
bool merge_pair(std::vector<int64_t>& ids, int64_t left, int64_t right, int64_t id);

struct BatchOptions {
    bool add_bos = false;
    bool add_eos = false;
    // 0: no truncation. > 0: each sequence is cut to max_length ids, bos and eos included (the text's tail is cut,
    // the special tokens are kept).
    int64_t max_length = 0;
    bool pad_to_max_length = false;  // T = max_length (needs max_length > 0), else T = the longest sequence
};

struct BatchEncoding {
    Tensor input_ids;              // [B, T], pad id after each sequence's end
    Tensor attention_mask;         // [B, T], 1 for a real token (bos, eos included), 0 for padding
    std::vector<int64_t> lengths;  // real tokens per row (the mask's row sums)
    int64_t truncated = 0;         // rows that lost tokens to max_length
};

BatchEncoding encode_batch(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                           const BatchOptions& options = {});

// UTF-8 <-> code points, strict (no overlong forms, no surrogates, nothing above U+10FFFF): a byte sequence that is
// not valid UTF-8 is an error "<who>: invalid UTF-8 at byte offset n".
std::vector<uint32_t> utf8_decode(const std::string& text, const char* who);
void utf8_append(std::string& out, uint32_t code_point);

}  // namespace tt
