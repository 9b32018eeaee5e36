// BPETokenizer::train (tokenizer.h): byte-pair merges learned on a corpus.
//
// The corpus is first reduced to its distinct chunks with their counts (a word that occurs 500 times is stored once,
// weighing 500): the work then grows with the vocabulary of the text, not its length. Recounting every pair after
// every merge would cost (merges x chunk bytes); instead the pair counts are kept up to date — a merge changes only
// the chunks that contain its pair, found through an index pair -> chunks — and the next pair to merge comes from a
// max-heap whose stale entries (a count that has changed since it was pushed) are skipped when popped.
#include <algorithm>
#include <queue>

#include "error.h"
#include "tokenizer.h"

namespace tt {

namespace {

struct Chunk {
    std::vector<int64_t> ids;
    int64_t count;
};

struct Candidate {
    int64_t count;
    uint64_t key;
};
// The heap's order: the highest count first; among equal counts the smaller key, i.e. the smaller (left, right).
struct Lower {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.count != b.count ? a.count < b.count : a.key > b.key;
    }
};

class PairCounts {
public:
    // count(pair) += sign * chunk.count for every adjacent pair of the chunk; `touched` collects the pairs changed.
    void add(const Chunk& chunk, int64_t sign, int32_t chunk_index, std::vector<uint64_t>& touched) {
        for (size_t i = 0; i + 1 < chunk.ids.size(); ++i) {
            const uint64_t key = pair_key(chunk.ids[i], chunk.ids[i + 1]);
            counts[key] += sign * chunk.count;
            if (sign > 0) where[key].push_back(chunk_index);  // may repeat: the merge step skips chunks it saw
            touched.push_back(key);
        }
    }
    std::unordered_map<uint64_t, int64_t> counts;
    std::unordered_map<uint64_t, std::vector<int32_t>> where;  // pair -> chunks that contain (or contained) it
};

}  // namespace

BPETokenizer BPETokenizer::train(const std::string& corpus, int64_t vocab_size) {
    TT_CHECK(vocab_size >= kFirstMergeId,
             "BPETokenizer::train: vocab_size = " << vocab_size << " is below the " << kFirstMergeId
                                                  << " ids every byte-level BPE has (4 special + 256 bytes)");
    std::vector<Chunk> chunks;
    {
        std::unordered_map<std::string, size_t> index;
        for (const std::string& s : split_chunks(corpus)) {
            auto [it, fresh] = index.emplace(s, chunks.size());
            if (fresh) {
                Chunk c{{}, 0};
                for (unsigned char b : s) c.ids.push_back(kFirstByteId + b);
                chunks.push_back(std::move(c));
            }
            ++chunks[it->second].count;
        }
    }
    PairCounts pairs;
    std::vector<uint64_t> touched;
    for (size_t c = 0; c < chunks.size(); ++c) pairs.add(chunks[c], +1, static_cast<int32_t>(c), touched);
    std::priority_queue<Candidate, std::vector<Candidate>, Lower> heap;
    for (const auto& [key, count] : pairs.counts) heap.push({count, key});

    std::vector<Merge> merges;
    std::vector<int64_t> seen(chunks.size(), -1);  // the merge that last visited each chunk
    while (kFirstMergeId + static_cast<int64_t>(merges.size()) < vocab_size && !heap.empty()) {
        const Candidate top = heap.top();
        heap.pop();
        if (pairs.counts[top.key] != top.count) continue;  // stale: the pair's count changed after this push
        if (top.count < 2) break;                          // the best pair occurs once: nothing worth learning
        const int64_t left = static_cast<int64_t>(top.key >> 32), right = static_cast<int64_t>(top.key & 0xFFFFFFFFu);
        const int64_t id = kFirstMergeId + static_cast<int64_t>(merges.size());
        merges.push_back({left, right});
        touched.clear();
        const std::vector<int32_t> holders = pairs.where[top.key];  // a copy: add() appends to `where`
        for (int32_t c : holders) {
            if (seen[static_cast<size_t>(c)] == id) continue;
            seen[static_cast<size_t>(c)] = id;
            Chunk& chunk = chunks[static_cast<size_t>(c)];
            std::vector<int64_t> merged = chunk.ids;
            if (!merge_pair(merged, left, right, id)) continue;  // it contained the pair once, not any more
            pairs.add(chunk, -1, c, touched);
            chunk.ids = std::move(merged);
            pairs.add(chunk, +1, c, touched);
        }
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        for (uint64_t key : touched)
            if (pairs.counts[key] > 0) heap.push({pairs.counts[key], key});
    }
    return BPETokenizer(std::move(merges));
}

}  // namespace tt
