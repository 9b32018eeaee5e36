#include "checkpoint.h"

#include <cmath>
#include <cstring>

#include "error.h"
#include "safetensors.h"

namespace tt {

namespace {

// A 64-bit integer as 4 exact floats of 16 bits each, lowest first (see checkpoint.h).
void put_u64(std::vector<float>& out, uint64_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<float>((v >> (16 * i)) & 0xFFFFu));
}

uint64_t get_u64(const std::vector<float>& in, size_t at, const std::string& key) {
    uint64_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
        float w = in[at + i];
        TT_CHECK(w >= 0 && w <= 65535 && std::floor(w) == w,
                 "load_checkpoint: '" << key << "' holds " << w << ", not a 16-bit word");
        v |= static_cast<uint64_t>(w) << (16 * i);
    }
    return v;
}

Tensor words(const std::vector<float>& w) { return Tensor({static_cast<int64_t>(w.size())}, w); }

std::vector<float> read_words(const StateDict& state, const std::string& key, int64_t count) {
    auto it = state.find(key);
    TT_CHECK(it != state.end(), "load_checkpoint: missing key '" << key << "'");
    TT_CHECK(it->second.dim() == 1 && it->second.shape(0) == count,
             "load_checkpoint: '" << key << "' must be [" << count << "] 16-bit words, got " << it->second.shape());
    return it->second.to_vector();
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

StateDict checkpoint_state_dict(nn::Module& model, const optim::Optimizer& optimizer, const Generator& generator,
                                const TrainingProgress& progress) {
    StateDict out;
    // BEGIN SOLUTION every model state_dict entry as "model.<name>" (a clone: the module's tensors change as it trains), every optimizer state_dict entry as "optim.<key>", then meta.epoch and meta.step (put_u64 into a vector, words() makes the tensor) and meta.rng: state, inc, has_spare as one word (0 or 1), and spare's 8 bytes (memcpy into a uint64_t)
    for (const auto& [name, value] : model.state_dict()) out["model." + name] = value.clone();
    for (const auto& [key, value] : optimizer.state_dict()) out["optim." + key] = value;
    std::vector<float> epoch, step, rng;
    put_u64(epoch, static_cast<uint64_t>(progress.epoch));
    put_u64(step, static_cast<uint64_t>(progress.step));
    GeneratorState s = generator.get_state();
    put_u64(rng, s.state);
    put_u64(rng, s.inc);
    rng.push_back(s.has_spare ? 1.0f : 0.0f);
    uint64_t spare_bits = 0;
    std::memcpy(&spare_bits, &s.spare, sizeof spare_bits);
    put_u64(rng, spare_bits);
    out["meta.epoch"] = words(epoch);
    out["meta.step"] = words(step);
    out["meta.rng"] = words(rng);
    // END SOLUTION
    return out;
}

TrainingProgress load_checkpoint_state_dict(const StateDict& state, nn::Module& model, optim::Optimizer& optimizer,
                                            Generator& generator) {
    StateDict model_part, optim_part;
    for (const auto& [key, value] : state) {
        if (starts_with(key, "model.")) model_part[key.substr(6)] = value;
        else if (starts_with(key, "optim.")) optim_part[key.substr(6)] = value;
        else
            TT_CHECK(key == "meta.epoch" || key == "meta.step" || key == "meta.rng",
                     "load_checkpoint: unexpected key '" << key << "' (keys start with model., optim. or meta.)");
    }
    // The meta part is decoded and checked before anything is changed.
    std::vector<float> e = read_words(state, "meta.epoch", 4), st = read_words(state, "meta.step", 4);
    std::vector<float> r = read_words(state, "meta.rng", 13);
    TrainingProgress progress;
    progress.epoch = static_cast<int64_t>(get_u64(e, 0, "meta.epoch"));
    progress.step = static_cast<int64_t>(get_u64(st, 0, "meta.step"));
    GeneratorState g;
    g.state = get_u64(r, 0, "meta.rng");
    g.inc = get_u64(r, 4, "meta.rng");
    TT_CHECK(r[8] == 0.0f || r[8] == 1.0f, "load_checkpoint: 'meta.rng' has_spare must be 0 or 1, got " << r[8]);
    g.has_spare = r[8] == 1.0f;
    uint64_t spare_bits = get_u64(r, 9, "meta.rng");
    std::memcpy(&g.spare, &spare_bits, sizeof g.spare);
    TT_CHECK(g.inc % 2 == 1, "load_checkpoint: 'meta.rng' is not a generator state (even stream increment)");

    model.load_state_dict(model_part, true);
    optimizer.load_state_dict(optim_part);
    generator.set_state(g);
    return progress;
}

std::vector<uint8_t> save_checkpoint(nn::Module& model, const optim::Optimizer& optimizer, const Generator& generator,
                                     const TrainingProgress& progress) {
    return save_safetensors(checkpoint_state_dict(model, optimizer, generator, progress));
}

TrainingProgress load_checkpoint(const std::vector<uint8_t>& bytes, nn::Module& model, optim::Optimizer& optimizer,
                                 Generator& generator, const std::string& source) {
    return load_checkpoint_state_dict(load_safetensors(bytes, source), model, optimizer, generator);
}

void save_checkpoint_file(const std::string& path, nn::Module& model, const optim::Optimizer& optimizer,
                          const Generator& generator, const TrainingProgress& progress) {
    save_safetensors_file(checkpoint_state_dict(model, optimizer, generator, progress), path);
}

TrainingProgress load_checkpoint_file(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                                      Generator& generator) {
    return load_checkpoint_state_dict(load_safetensors_file(path), model, optimizer, generator);
}

}  // namespace tt
