// Modules 11 and 12 in the browser: the systems panels' measurements of tokenizers and embedding tables, each one
// call returning a JSON document (core/json.h), measured by this engine on the text JS passes in:
//
//     const report = JSON.parse(M.tokenizerReport(corpus));   // vocabularies 260 .. 8192 on `corpus`
//     const emb = JSON.parse(M.embeddingReport(corpus));       // table bytes, lookup time, gradient sparsity
//
// Merges are learned once, up to 8192 ids: the tokenizer of a smaller vocabulary is a prefix of those merges (the
// training is greedy, each merge chosen knowing only the earlier ones), so one training serves every row.
#include <emscripten/bind.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "elementwise.h"
#include "embedding_lookup.h"
#include "guard.h"
#include "json.h"
#include "matmul.h"
#include "profile.h"
#include "random.h"
#include "tokenizer.h"

namespace tt::web {
namespace {

constexpr int64_t kVocabs[] = {260, 512, 1024, 2048, 4096, 8192};
constexpr int64_t kTableDim = 256;  // the embedding width the tokenizer table's "table bytes" assume

// Milliseconds per call of `work`: repeated until one sample lasts >= 5 ms (a browser's clock may be coarse), then
// the median of 5 samples (profile.h Timer).
double per_call_ms(const std::function<void()>& work) {
    using clock = std::chrono::steady_clock;
    int reps = 1;
    for (;;) {
        const auto t0 = clock::now();
        for (int i = 0; i < reps; ++i) work();
        const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        if (ms >= 5.0 || reps >= (1 << 20)) break;
        reps *= ms < 0.5 ? 10 : 2;
    }
    const Timing t = Timer(0, 5).measure([&] {
        for (int i = 0; i < reps; ++i) work();
    });
    return t.median_ms / reps;
}

int64_t code_points(const std::string& text) {  // UTF-8 characters; a byte that does not start one counts as one
    int64_t n = 0;
    for (unsigned char b : text) n += (b & 0xC0) != 0x80;
    return n;
}

BPETokenizer prefix(const BPETokenizer& full, int64_t vocab) {
    const auto& m = full.merges();
    const size_t keep = static_cast<size_t>(std::min<int64_t>(vocab - BPETokenizer::kFirstMergeId, int64_t(m.size())));
    return BPETokenizer(std::vector<Merge>(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(keep)));
}

std::string tokenizer_report(const std::string& corpus) {
    TT_CHECK(!corpus.empty(), "tokenizerReport: the corpus is empty");
    const int64_t chars = code_points(corpus), bytes = static_cast<int64_t>(corpus.size());
    Json out = Json::object();
    out.set("corpus",
            Json::object()
                .set("bytes", bytes)
                .set("chars", chars)
                .set("chunks", static_cast<int64_t>(BPETokenizer::split_chunks(corpus).size())));
    out.set("dim", kTableDim);
    Json rows = Json::array();
    const auto row = [&](const std::string& name, const Tokenizer& tok) {
        std::vector<int64_t> ids;
        const double ms = per_call_ms([&] { ids = tok.encode(corpus); });
        const int64_t n = static_cast<int64_t>(ids.size()), V = tok.vocab_size();
        rows.push_back(Json::object()
                           .set("tokenizer", name)
                           .set("vocab", V)
                           .set("tokens", n)
                           .set("chars_per_token", double(chars) / double(n))
                           .set("encode_ms", ms)
                           .set("tokens_per_s", double(n) / ms * 1e3)
                           .set("mb_per_s", double(bytes) / ms / 1e3)
                           .set("id_bytes", n * (V <= 65536 ? 2 : 4))  // the smallest integer type that holds an id
                           .set("table_bytes", V * kTableDim * int64_t(sizeof(float))));
    };
    row("char", CharTokenizer(corpus, UnknownPolicy::Unk));
    const auto t0 = std::chrono::steady_clock::now();
    const BPETokenizer full = BPETokenizer::train(corpus, kVocabs[std::size(kVocabs) - 1]);
    const double train_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    for (int64_t V : kVocabs)
        if (V <= full.vocab_size()) row("bpe", prefix(full, V));
    if (full.vocab_size() < kVocabs[std::size(kVocabs) - 1]) row("bpe", full);  // the corpus ran out of pairs
    out.set("rows", rows);
    out.set("train",
            Json::object()
                .set("requested", kVocabs[std::size(kVocabs) - 1])
                .set("learned", full.vocab_size())
                .set("ms", train_ms));
    return out.dump();
}

Tensor random_ids(int64_t n, int64_t V, uint64_t seed, bool sorted) {
    Generator gen(seed);
    std::vector<float> ids(static_cast<size_t>(n));
    for (float& id : ids) id = static_cast<float>(gen.next_u32() % static_cast<uint32_t>(V));
    if (sorted) std::sort(ids.begin(), ids.end());
    return Tensor({n}, std::move(ids));
}

std::string embedding_report(const std::string& corpus) {
    Json out = Json::object();
    Json tables = Json::array();
    for (int64_t V : {260, 2048, 8192, 50257})
        for (int64_t C : {64, 256, 768})
            tables.push_back(Json::object().set("vocab", V).set("dim", C).set("bytes", V * C * int64_t(sizeof(float))));
    out.set("tables", tables);

    // Lookups of one batch of N = 8 x 128 ids: forward (a row copy per id), the dense backward (a [V, C] gradient,
    // zeroed, then N rows added), and for the smallest table the same forward as one_hot(ids) @ weight.
    const int64_t N = 8 * 128;
    Json lookups = Json::array();
    for (const auto& size : std::vector<std::pair<int64_t, int64_t>>{{2048, 64}, {8192, 256}, {32768, 256}}) {
        const int64_t V = size.first, C = size.second;  // not a structured binding: clang 14 cannot capture one
        const Tensor weight = randn({V, C}, 1), ids = random_ids(N, V, 2, false), sorted = random_ids(N, V, 2, true);
        const Tensor g = randn({N, C}, 3);
        const double fwd = per_call_ms([&] { embedding_forward(weight, ids); });
        const double fwd_sorted = per_call_ms([&] { embedding_forward(weight, sorted); });
        const double bwd = per_call_ms([&] { embedding_backward(g, ids, V); });
        Json row = Json::object()
                       .set("vocab", V)
                       .set("dim", C)
                       .set("ids", N)
                       .set("forward_ms", fwd)
                       .set("forward_sorted_ms", fwd_sorted)
                       .set("gb_per_s", double(N * C * 4 * 2) / fwd / 1e6)  // each float read once, written once
                       .set("backward_ms", bwd)
                       .set("backward_dense_bytes", V * C * int64_t(sizeof(float)));
        if (V == 2048) {
            Tensor onehot({N, V});
            for (int64_t n = 0; n < N; ++n) onehot.data()[n * V + static_cast<int64_t>(ids.data()[n])] = 1.0f;
            row.set("onehot_matmul_ms", per_call_ms([&] { matmul(onehot, weight); }));
        }
        lookups.push_back(row);
    }
    out.set("lookups", lookups);

    // Gradient sparsity on real text: batches of B = 8 windows of T = 64 tokens at seeded random offsets.
    Json sparsity = Json::array();
    if (!corpus.empty()) {
        const BPETokenizer full = BPETokenizer::train(corpus, 8192);
        int64_t previous = 0;
        for (int64_t wanted : {int64_t(512), int64_t(2048), int64_t(8192)}) {
            const int64_t V = std::min(wanted, full.vocab_size());  // a small corpus may run out of pairs first
            if (V == previous) break;
            previous = V;
            const std::vector<int64_t> ids = prefix(full, V).encode(corpus);
            const int64_t B = 8, T = 64, batches = 20;
            if (static_cast<int64_t>(ids.size()) <= T) break;
            Generator gen(4);
            double touched = 0;
            for (int64_t k = 0; k < batches; ++k) {
                std::vector<float> batch;
                for (int64_t b = 0; b < B; ++b) {
                    const size_t start = gen.next_u32() % static_cast<uint32_t>(ids.size() - static_cast<size_t>(T));
                    for (int64_t t = 0; t < T; ++t) batch.push_back(static_cast<float>(ids[start + size_t(t)]));
                }
                touched += static_cast<double>(embedding_rows_touched(Tensor({B, T}, std::move(batch)), V));
            }
            sparsity.push_back(Json::object()
                                   .set("vocab", V)
                                   .set("batch_tokens", B * T)
                                   .set("rows_touched", touched / batches)
                                   .set("fraction", touched / batches / double(V)));
        }
    }
    out.set("sparsity", sparsity);
    return out.dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_text) {
    using namespace emscripten;
    using namespace tt::web;
    function("tokenizerReport", guard<&tokenizer_report>);
    function("embeddingReport", guard<&embedding_report>);
}
