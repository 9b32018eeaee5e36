// Module 11 — Tokenization: BPE merges worked out by hand (ties included), the trainer against a plain recount,
// round trips on random bytes and random UTF-8 (seeded), special tokens, edge cases (empty text, one byte, no
// repeated pair), the character tokenizer's unknown-character policy, and batches with padding, truncation, masks.
#include <map>
#include <string>
#include <vector>

#include "fixtures.h"
#include "random.h"
#include "testing.h"
#include "tokenizer.h"

using tt::BPETokenizer;
using tt::CharTokenizer;
using tt::Tensor;
using Ids = std::vector<int64_t>;

namespace {

constexpr int64_t B0 = BPETokenizer::kFirstByteId;   // id of byte 0
constexpr int64_t M0 = BPETokenizer::kFirstMergeId;  // id of the first merge

int64_t byte_id(char c) { return B0 + static_cast<unsigned char>(c); }

// The textbook algorithm, slowly: recount every pair of every chunk before each merge, take the highest count, ties
// to the smaller (left, right). The engine's trainer keeps counts up to date instead; both must agree merge by merge.
std::vector<tt::Merge> reference_merges(const std::string& corpus, int64_t vocab_size) {
    std::vector<Ids> chunks;
    for (const std::string& s : BPETokenizer::split_chunks(corpus)) {
        Ids ids;
        for (char c : s) ids.push_back(byte_id(c));
        chunks.push_back(ids);
    }
    std::vector<tt::Merge> merges;
    while (M0 + static_cast<int64_t>(merges.size()) < vocab_size) {
        std::map<std::pair<int64_t, int64_t>, int64_t> counts;  // ordered: the first maximum is the smallest pair
        for (const Ids& c : chunks)
            for (size_t i = 0; i + 1 < c.size(); ++i) ++counts[{c[i], c[i + 1]}];
        std::pair<int64_t, int64_t> best{-1, -1};
        int64_t best_count = 1;
        for (const auto& kv : counts)
            if (kv.second > best_count) best = kv.first, best_count = kv.second;
        if (best.first < 0) break;
        const int64_t id = M0 + static_cast<int64_t>(merges.size());
        for (Ids& c : chunks) tt::merge_pair(c, best.first, best.second, id);
        merges.push_back({best.first, best.second});
    }
    return merges;
}

std::string random_bytes(tt::Generator& gen, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(gen.next_u32() & 0xFF);
    return s;
}

// Random code points from ASCII, Latin, Greek, CJK and emoji (every UTF-8 length), never a surrogate.
std::string random_utf8(tt::Generator& gen, size_t n) {
    static const uint32_t lo[] = {0x20, 0xC0, 0x391, 0x4E00, 0x1F600}, span[] = {95, 64, 48, 200, 80};
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        const uint32_t k = gen.next_u32() % 5;
        tt::utf8_append(s, lo[k] + gen.next_u32() % span[k]);
    }
    return s;
}

std::string sample_corpus() {
    std::string text;
    const char* words[] = {"the", "tensor", "tensors", "token", "tokens", "embedding", "gradient", "the", "of"};
    tt::Generator gen(11);
    for (int i = 0; i < 3000; ++i) text += std::string(i % 13 ? " " : "\n") + words[gen.next_u32() % 9];
    return text;
}

void check_merges(const std::vector<tt::Merge>& got, const std::vector<tt::Merge>& expected) {
    REQUIRE(got.size() == expected.size());
    for (size_t r = 0; r < got.size(); ++r) {
        INFO("merge " << r);
        CHECK(got[r].left == expected[r].left);
        CHECK(got[r].right == expected[r].right);
    }
}

}  // namespace

TEST_CASE("11 BPE by hand: 'aaabdaaabac' — aa, then the tie ab vs aa+a goes to the smaller pair, then aa+ab") {
    // Counts: aa 4 (two in each 'aaa'), ab 2, bd da ba ac 1 -> merge aa (id 260): "aa a b d aa a b a c".
    // Now (a, b) and (aa, a) both occur twice; the tie goes to the smaller (left, right): (a, b), since a = 101 and
    // aa = 260 -> merge ab (261): "aa ab d aa ab a c". Then (aa, ab) twice -> 262; every pair left occurs once: stop.
    const BPETokenizer bpe = BPETokenizer::train("aaabdaaabac", 1000);
    const int64_t a = byte_id('a'), b = byte_id('b'), c = byte_id('c'), d = byte_id('d');
    check_merges(bpe.merges(), {{a, a}, {a, b}, {M0, M0 + 1}});
    CHECK(bpe.vocab_size() == 263);
    CHECK(bpe.encode("aaabdaaabac") == Ids{M0 + 2, d, M0 + 2, a, c});
    CHECK(bpe.encode("aaaa") == Ids{M0, M0});  // left to right: (aa)(aa)
    CHECK(bpe.encode("aaa") == Ids{M0, a});
    CHECK(bpe.encode("ba") == Ids{b, a});
    CHECK(bpe.token_text(M0 + 2) == "aaab");
    // vocab_size caps the merges: 261 ids = exactly one merge.
    check_merges(BPETokenizer::train("aaabdaaabac", 261).merges(), {{a, a}});
}

TEST_CASE("11 BPE by hand: 'the cat the hat' — chunks start at spaces, ties go to byte order") {
    // Chunks "the", " cat", " the", " hat". Twice each: th, he, at. Byte order a < h < t: (a, t) first -> 260.
    // Then th and he tie again: (h, e) has the smaller left -> 261; now (t, he) occurs twice -> 262 = "the".
    // " the" holds (' ', t) only once, and no merge joins chunks: ("e", " ") is never counted.
    const BPETokenizer bpe = BPETokenizer::train("the cat the hat", 1000);
    check_merges(bpe.merges(), {{byte_id('a'), byte_id('t')}, {byte_id('h'), byte_id('e')}, {byte_id('t'), M0 + 1}});
    CHECK(bpe.encode("the hat") == Ids{M0 + 2, byte_id(' '), byte_id('h'), M0});
    CHECK(BPETokenizer::split_chunks("a b\n\nc") == std::vector<std::string>{"a", " b", "\n", "\nc"});
}

TEST_CASE("11 BPE: the trainer agrees with a plain recount, merge by merge, and is deterministic") {
    const std::string corpus = sample_corpus();
    const BPETokenizer bpe = BPETokenizer::train(corpus, 400);
    check_merges(bpe.merges(), reference_merges(corpus, 400));
    check_merges(BPETokenizer::train(corpus, 400).merges(), bpe.merges());
    // Nine distinct words: training stops early (no pair left twice) with every word one token, 3000 in all.
    CHECK(bpe.vocab_size() < 400);
    CHECK(bpe.encode(corpus).size() == 3000);
    // Fewer merges, more tokens for the same text.
    const size_t few = BPETokenizer::train(corpus, 270).encode(corpus).size();
    CHECK(few > 3000);
    CHECK(few < corpus.size());
    // Random letters from a small alphabet: hundreds of merges, many of them ties.
    tt::Generator gen(3);
    std::string letters;
    for (int i = 0; i < 6000; ++i) letters += "abcd  e"[gen.next_u32() % 7];
    const BPETokenizer many = BPETokenizer::train(letters, 700);
    CHECK(many.merges().size() > 100);
    check_merges(many.merges(), reference_merges(letters, 700));
    CHECK(many.decode(many.encode(letters)) == letters);
    // Rebuilt from its merges (a saved tokenizer), it encodes the same.
    CHECK(BPETokenizer(bpe.merges()).encode(corpus) == bpe.encode(corpus));
}

TEST_CASE("11 BPE: decode(encode(s)) == s for random bytes (invalid UTF-8 included) and random UTF-8") {
    tt::Generator gen(2024);
    const BPETokenizer bpe = BPETokenizer::train(sample_corpus() + random_utf8(gen, 2000), 600);
    const BPETokenizer bytes_only;
    for (int trial = 0; trial < 20; ++trial) {
        const std::string raw = random_bytes(gen, gen.next_u32() % 300), text = random_utf8(gen, 1 + trial * 10);
        for (const BPETokenizer* tok : {&bpe, &bytes_only}) {
            CHECK(tok->decode(tok->encode(raw)) == raw);
            CHECK(tok->decode(tok->encode(text)) == text);
        }
        CHECK(bytes_only.encode(raw).size() == raw.size());  // no merges: one id per byte
        Ids ids = bpe.encode(raw + text);
        for (int64_t id : ids) CHECK(id >= B0);  // merges never make a special id
    }
}

TEST_CASE("11 BPE: special tokens are never produced from text; empty text, one byte, no repeated pair") {
    tt::Generator gen(5);
    const BPETokenizer bpe = BPETokenizer::train("<eos><pad> <eos><pad> " + sample_corpus(), 500);
    const std::string text = "<bos>hello<eos><pad><unk>";
    for (int64_t id : bpe.encode(text)) CHECK(id >= B0);
    CHECK(bpe.decode(bpe.encode(text)) == text);
    CHECK(bpe.decode({tt::kBosId, byte_id('x'), tt::kEosId, tt::kPadId}) == "x");
    CHECK(bpe.decode({tt::kBosId, byte_id('x'), tt::kEosId}, /*skip_special=*/false) == "<bos>x<eos>");
    CHECK(bpe.encode("").empty());
    CHECK(bpe.decode({}).empty());
    CHECK(bpe.encode("x") == Ids{byte_id('x')});
    CHECK(bpe.encode(std::string(1, '\0')) == Ids{B0});
    CHECK(BPETokenizer::train("", 1000).merges().empty());
    CHECK(BPETokenizer::train("x", 1000).merges().empty());
    const BPETokenizer none = BPETokenizer::train("abcdefghij", 1000);  // every pair occurs once
    CHECK(none.merges().empty());
    CHECK(none.vocab_size() == 260);
    CHECK(none.encode("abc") == Ids{byte_id('a'), byte_id('b'), byte_id('c')});
}

TEST_CASE("11 CharTokenizer: sorted vocabulary after the special ids, round trip, unknown characters") {
    const CharTokenizer tok("hello wörld 🙂");
    CHECK(tok.vocab_size() == 4 + 10);  // h e l o ' ' w ö r d 🙂
    CHECK(tok.chars().front() == U' ');
    CHECK(tok.chars().back() == 0x1F642u);
    // Sorted by code point: ' ' 4, d 5, e 6, h 7, l 8, o 9, r 10, w 11, ö 12, 🙂 13.
    CHECK(tok.encode("hello") == Ids{7, 6, 8, 8, 9});
    CHECK(tok.decode(tok.encode("world 🙂 hello wörld")) == "world 🙂 hello wörld");
    CHECK(tok.token_text(tok.vocab_size() - 1) == "🙂");
    CHECK(tok.encode("").empty());
    const CharTokenizer lenient("abc", tt::UnknownPolicy::Unk);
    CHECK(lenient.encode("abz") == Ids{4, 5, tt::kUnkId});
    CHECK(lenient.decode(lenient.encode("abz")) == "ab");
    CHECK(lenient.decode(lenient.encode("abz"), false) == "ab<unk>");
    tt::Generator gen(8);
    const std::string text = random_utf8(gen, 500);
    const CharTokenizer random(text);
    CHECK(random.decode(random.encode(text)) == text);
}

TEST_CASE("11 encode_batch: bos/eos, truncation keeps the special tokens, padding, attention mask") {
    const CharTokenizer tok("abcdef");  // a 4, b 5, ..., f 9
    tt::BatchOptions o;
    o.add_bos = o.add_eos = true;
    o.max_length = 5;
    tt::BatchEncoding enc = tt::encode_batch(tok, {"ab", "", "abcdef"}, o);
    CHECK_TENSOR_EQ(enc.input_ids, Tensor({3, 5}, {1, 4, 5, 2, 0, 1, 2, 0, 0, 0, 1, 4, 5, 6, 2}));
    CHECK_TENSOR_EQ(enc.attention_mask, Tensor({3, 5}, {1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1}));
    CHECK(enc.lengths == Ids{4, 2, 5});
    CHECK(enc.truncated == 1);
    o.max_length = 6;
    o.pad_to_max_length = true;
    enc = tt::encode_batch(tok, {"a"}, o);
    CHECK_TENSOR_EQ(enc.input_ids, Tensor({1, 6}, {1, 4, 2, 0, 0, 0}));
    // No options: T is the longest text, nothing added.
    enc = tt::encode_batch(tok, {"fed", "c"});
    CHECK_TENSOR_EQ(enc.input_ids, Tensor({2, 3}, {9, 8, 7, 6, 0, 0}));
    CHECK_TENSOR_EQ(enc.attention_mask, Tensor({2, 3}, {1, 1, 1, 1, 0, 0}));
    CHECK(tt::encode_batch(tok, {}).input_ids.shape() == tt::Shape{0, 0});
}

TEST_CASE("11 errors: unknown characters, invalid UTF-8, bad ids, merges, sizes name what was wrong") {
    const CharTokenizer tok("abc");
    TT_CHECK_ERROR_CONTAINS(tok.encode("abz"), "the character 'z' (U+7a) at byte offset 2");
    TT_CHECK_ERROR_CONTAINS(CharTokenizer("ab\xff"), "invalid UTF-8 at byte offset 2");
    TT_CHECK_ERROR_CONTAINS(CharTokenizer("\xC0\xAF"), "invalid UTF-8 at byte offset 0");  // overlong
    TT_CHECK_ERROR_CONTAINS(CharTokenizer("x\xED\xA0\x80"), "byte offset 1");              // surrogate
    TT_CHECK_ERROR_CONTAINS(tok.encode("a\xE2\x82"), "invalid UTF-8 at byte offset 1");    // cut short
    TT_CHECK_ERROR_CONTAINS(tok.decode({4, 7}), "id 7 is not in the vocabulary [0, 7)");
    const BPETokenizer bpe;
    TT_CHECK_ERROR_CONTAINS(bpe.decode({260}), "id 260 is not in the vocabulary [0, 260)");
    TT_CHECK_ERROR_CONTAINS(bpe.decode({-1}), "id -1");
    TT_CHECK_ERROR_CONTAINS(BPETokenizer({{4, 260}}), "merge 0 (4, 260)");
    TT_CHECK_ERROR_CONTAINS(BPETokenizer({{4, 5}, {4, 5}}), "repeats an earlier merge");
    TT_CHECK_ERROR_CONTAINS(BPETokenizer::train("abc", 100), "vocab_size = 100 is below the 260");
    tt::BatchOptions o;
    o.add_bos = o.add_eos = true;
    o.max_length = 1;
    TT_CHECK_ERROR_CONTAINS(tt::encode_batch(tok, {"a"}, o), "max_length = 1 leaves no room");
    o.max_length = 0;
    o.pad_to_max_length = true;
    TT_CHECK_ERROR_CONTAINS(tt::encode_batch(tok, {"a"}, o), "pad_to_max_length needs max_length");
}
