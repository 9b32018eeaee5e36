#include "tokenizer.h"

#include <algorithm>
#include <climits>

#include "error.h"

namespace tt {

const char* special_token_text(int64_t id) {
    static const char* const names[kNumSpecialTokens] = {"<pad>", "<bos>", "<eos>", "<unk>"};
    TT_CHECK(id >= 0 && id < kNumSpecialTokens, "special_token_text: " << id << " is not a special id (0 .. 3)");
    return names[id];
}

namespace {

// The code point starting at text[i] and its length in bytes (1..4); 0 when the bytes there are not valid UTF-8.
int utf8_next(const std::string& text, size_t i, uint32_t& cp) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return cp = b0, 1;
    int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (len == 0 || b0 > 0xF4 || i + static_cast<size_t>(len) > text.size()) return 0;
    cp = b0 & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    static const uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};  // below it: an overlong form
    if (cp < smallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

constexpr size_t kMaxTokenBytes = 1 << 16;  // far beyond any token a corpus of words teaches

void check_id(int64_t id, int64_t vocab, const char* who) {
    TT_CHECK(id >= 0 && id < vocab, who << ": id " << id << " is not in the vocabulary [0, " << vocab << ")");
}

}  // namespace

std::vector<uint32_t> utf8_decode(const std::string& text, const char* who) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < text.size();) {
        uint32_t cp = 0;
        const int len = utf8_next(text, i, cp);
        TT_CHECK(len > 0, who << ": invalid UTF-8 at byte offset " << i);
        out.push_back(cp);
        i += static_cast<size_t>(len);
    }
    return out;
}

void utf8_append(std::string& out, uint32_t cp) {
    TT_CHECK(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF),
             "utf8_append: U+" << std::hex << cp << " is not a character");
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// ---- CharTokenizer ------------------------------------------------------------------------------------------------

CharTokenizer::CharTokenizer(const std::string& corpus, UnknownPolicy unknown) : unknown_(unknown) {
    // BEGIN SOLUTION chars_ = the distinct code points of the corpus (utf8_decode), sorted ascending
    chars_ = utf8_decode(corpus, "CharTokenizer");
    std::sort(chars_.begin(), chars_.end());
    chars_.erase(std::unique(chars_.begin(), chars_.end()), chars_.end());
    // END SOLUTION
}

std::vector<int64_t> CharTokenizer::encode(const std::string& text) const {
    std::vector<int64_t> ids;
    // BEGIN SOLUTION walk the text one code point at a time (utf8_next; invalid UTF-8 is an error naming the offset); binary-search it in chars_: found at i -> kNumSpecialTokens + i; missing -> kUnkId, or an error naming the character and offset, by unknown_
    for (size_t i = 0; i < text.size();) {
        uint32_t cp = 0;
        const int len = utf8_next(text, i, cp);
        TT_CHECK(len > 0, "CharTokenizer::encode: invalid UTF-8 at byte offset " << i);
        auto it = std::lower_bound(chars_.begin(), chars_.end(), cp);
        if (it != chars_.end() && *it == cp) {
            ids.push_back(kNumSpecialTokens + (it - chars_.begin()));
        } else {
            TT_CHECK(unknown_ == UnknownPolicy::Unk,
                     "CharTokenizer::encode: the character '" << text.substr(i, static_cast<size_t>(len)) << "' (U+"
                                                              << std::hex << cp << std::dec << ") at byte offset " << i
                                                              << " is not in the vocabulary");
            ids.push_back(kUnkId);
        }
        i += static_cast<size_t>(len);
    }
    // END SOLUTION
    return ids;
}

std::string CharTokenizer::token_text(int64_t id) const {
    check_id(id, vocab_size(), "CharTokenizer");
    if (id < kNumSpecialTokens) return special_token_text(id);
    std::string s;
    utf8_append(s, chars_[static_cast<size_t>(id - kNumSpecialTokens)]);
    return s;
}

std::string CharTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
    std::string out;
    for (int64_t id : ids) {
        check_id(id, vocab_size(), "CharTokenizer::decode");
        if (id >= kNumSpecialTokens || !skip_special) out += token_text(id);
    }
    return out;
}

// ---- BPETokenizer: the vocabulary, encode and decode (training is in bpe_train.cpp) ------------------------------

BPETokenizer::BPETokenizer(std::vector<Merge> merges) : merges_(std::move(merges)) {
    bytes_.reserve(256 + merges_.size());
    for (int b = 0; b < 256; ++b) bytes_.emplace_back(1, static_cast<char>(b));
    for (size_t r = 0; r < merges_.size(); ++r) {
        const Merge m = merges_[r];
        const int64_t id = kFirstMergeId + static_cast<int64_t>(r);
        TT_CHECK(m.left >= kFirstByteId && m.left < id && m.right >= kFirstByteId && m.right < id,
                 "BPETokenizer: merge " << r << " (" << m.left << ", " << m.right
                                        << ") must join two byte or earlier merge ids in [" << kFirstByteId << ", "
                                        << id << ")");
        TT_CHECK(rank_.emplace(pair_key(m.left, m.right), static_cast<int64_t>(r)).second,
                 "BPETokenizer: merge " << r << " (" << m.left << ", " << m.right << ") repeats an earlier merge");
        // Merges of merges double a token's length each time: a saved list of 60 could ask for 2^60 bytes.
        const size_t length = bytes_[static_cast<size_t>(m.left - kFirstByteId)].size() +
            bytes_[static_cast<size_t>(m.right - kFirstByteId)].size();
        TT_CHECK(length <= kMaxTokenBytes,
                 "BPETokenizer: merge " << r << " (" << m.left << ", " << m.right << ") makes a token of " << length
                                        << " bytes, more than " << kMaxTokenBytes);
        bytes_.push_back(bytes_[static_cast<size_t>(m.left - kFirstByteId)] +
                         bytes_[static_cast<size_t>(m.right - kFirstByteId)]);
    }
}

bool merge_pair(std::vector<int64_t>& ids, int64_t left, int64_t right, int64_t id) {
    size_t w = 0;
    // BEGIN SOLUTION one pass with a read index i and a write index w: at i, if (ids[i], ids[i+1]) == (left, right) write id and step i by 2, else copy ids[i] and step by 1
    for (size_t i = 0; i < ids.size(); ++w) {
        if (i + 1 < ids.size() && ids[i] == left && ids[i + 1] == right) {
            ids[w] = id, i += 2;
        } else {
            ids[w] = ids[i], i += 1;
        }
    }
    // END SOLUTION
    const bool changed = w != ids.size();
    ids.resize(w);
    return changed;
}

std::vector<std::string> BPETokenizer::split_chunks(const std::string& text) {
    std::vector<std::string> chunks;
    size_t start = 0;
    for (size_t i = 1; i <= text.size(); ++i) {
        const bool boundary =
            i == text.size() || text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r';
        if (boundary) chunks.push_back(text.substr(start, i - start)), start = i;
    }
    return chunks;
}

std::vector<int64_t> BPETokenizer::encode_chunk(const std::string& chunk) const {
    std::vector<int64_t> ids;
    ids.reserve(chunk.size());
    for (unsigned char b : chunk) ids.push_back(kFirstByteId + b);
    // BEGIN SOLUTION repeat: find the adjacent pair (ids[i], ids[i+1]) with the lowest rank in rank_ (none: stop); merge_pair it into its id kFirstMergeId + rank
    for (;;) {
        int64_t best = INT64_MAX;
        for (size_t i = 0; i + 1 < ids.size(); ++i) {
            auto it = rank_.find(pair_key(ids[i], ids[i + 1]));
            if (it != rank_.end()) best = std::min(best, it->second);
        }
        if (best == INT64_MAX) break;
        const Merge m = merges_[static_cast<size_t>(best)];
        merge_pair(ids, m.left, m.right, kFirstMergeId + best);
    }
    // END SOLUTION
    return ids;
}

std::vector<int64_t> BPETokenizer::encode(const std::string& text) const {
    // A text repeats its words: each distinct chunk is encoded once per call.
    std::unordered_map<std::string, std::vector<int64_t>> cache;
    std::vector<int64_t> ids;
    ids.reserve(text.size() / 2);
    for (const std::string& chunk : split_chunks(text)) {
        auto it = cache.find(chunk);
        if (it == cache.end()) it = cache.emplace(chunk, encode_chunk(chunk)).first;
        ids.insert(ids.end(), it->second.begin(), it->second.end());
    }
    return ids;
}

std::string BPETokenizer::token_text(int64_t id) const {
    check_id(id, vocab_size(), "BPETokenizer");
    return id < kFirstByteId ? std::string(special_token_text(id)) : bytes_[static_cast<size_t>(id - kFirstByteId)];
}

std::string BPETokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
    std::string out;
    // BEGIN SOLUTION append each id's bytes (token_text; it checks the id); special ids only when !skip_special
    for (int64_t id : ids) {
        check_id(id, vocab_size(), "BPETokenizer::decode");
        if (id >= kFirstByteId || !skip_special) out += token_text(id);
    }
    // END SOLUTION
    return out;
}

// ---- batches --------------------------------------------------------------------------------------------------------

BatchEncoding encode_batch(const Tokenizer& tokenizer, const std::vector<std::string>& texts, const BatchOptions& o) {
    const int64_t specials = (o.add_bos ? 1 : 0) + (o.add_eos ? 1 : 0);
    TT_CHECK(o.max_length >= 0 && (o.max_length == 0 || o.max_length >= specials),
             "encode_batch: max_length = " << o.max_length << " leaves no room for the " << specials
                                           << " special tokens (bos/eos) asked for");
    TT_CHECK(!o.pad_to_max_length || o.max_length > 0, "encode_batch: pad_to_max_length needs max_length > 0");
    BatchEncoding out;
    std::vector<std::vector<int64_t>> rows;
    int64_t T = 0;
    // BEGIN SOLUTION per text: ids = [bos] + encode(text) cut to max_length - specials (count the row in out.truncated when cut) + [eos]; T = the longest row, or max_length when pad_to_max_length
    for (const std::string& text : texts) {
        std::vector<int64_t> body = tokenizer.encode(text);
        if (o.max_length > 0 && static_cast<int64_t>(body.size()) > o.max_length - specials) {
            body.resize(static_cast<size_t>(o.max_length - specials));
            ++out.truncated;
        }
        std::vector<int64_t> row;
        if (o.add_bos) row.push_back(kBosId);
        row.insert(row.end(), body.begin(), body.end());
        if (o.add_eos) row.push_back(kEosId);
        T = std::max(T, static_cast<int64_t>(row.size()));
        rows.push_back(std::move(row));
    }
    if (o.pad_to_max_length) T = o.max_length;
    // END SOLUTION
    const int64_t B = static_cast<int64_t>(texts.size());
    out.input_ids = full({B, T}, static_cast<float>(kPadId));
    out.attention_mask = zeros({B, T});
    // BEGIN SOLUTION row b: input_ids[b, t] = rows[b][t] and attention_mask[b, t] = 1 for t < its length; lengths[b] = that length
    for (int64_t b = 0; b < B; ++b) {
        const std::vector<int64_t>& row = rows[static_cast<size_t>(b)];
        for (size_t t = 0; t < row.size(); ++t) {
            out.input_ids.data()[b * T + static_cast<int64_t>(t)] = static_cast<float>(row[t]);
            out.attention_mask.data()[b * T + static_cast<int64_t>(t)] = 1.0f;
        }
        out.lengths.push_back(static_cast<int64_t>(row.size()));
    }
    // END SOLUTION
    return out;
}

}  // namespace tt
