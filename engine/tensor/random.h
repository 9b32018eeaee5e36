// Seeded random numbers that are the same in every build.
//
// std::mt19937 is portable, but std::uniform_real_distribution and std::normal_distribution are not: each standard
// library (libstdc++ natively, libc++ under Emscripten and in the browser) may turn the same bits into different
// numbers. So the engine has its own small generator: PCG32 (O'Neill, 2014: a 64-bit LCG whose output is permuted
// by a xorshift and a data-dependent rotation), seeded through splitmix64, with uniform floats built from the top 24
// bits and normal floats from the Box-Muller transform computed in double. The same seed gives the same tensor
// natively and in wasm.
#pragma once

#include <cstdint>

#include "tensor.h"

namespace tt {

// Everything a Generator's future output depends on: saved in a training checkpoint (io/checkpoint.h) so that a
// resumed run draws the very numbers (shuffles, dropout masks) the uninterrupted run would have drawn.
struct GeneratorState {
    uint64_t state = 0;
    uint64_t inc = 1;
    bool has_spare = false;  // normal() keeps the second value of each Box-Muller pair
    double spare = 0.0;
};

class Generator {
public:
    explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
    void manual_seed(uint64_t seed);

    uint32_t next_u32();      // PCG32 (XSH-RR)
    float uniform();          // [0, 1), a multiple of 2^-24
    double uniform_double();  // [0, 1), a multiple of 2^-53
    float normal();           // mean 0, std 1 (Box-Muller; the second value of each pair is kept for the next call)

    GeneratorState get_state() const { return {state_, inc_, has_spare_, spare_}; }
    void set_state(const GeneratorState& s);  // inc must be odd (a PCG stream increment), else an error

private:
    uint64_t state_ = 0;
    uint64_t inc_ = 1;
    bool has_spare_ = false;
    double spare_ = 0.0;
};

// The generator used when none is passed, like torch's default generator.
Generator& default_generator();
void manual_seed(uint64_t seed);

Tensor rand(const Shape& shape, Generator& gen);  // uniform [0, 1)
Tensor rand(const Shape& shape, uint64_t seed);
Tensor randn(const Shape& shape, Generator& gen);  // standard normal
Tensor randn(const Shape& shape, uint64_t seed);
Tensor uniform(const Shape& shape, float lo, float hi, Generator& gen);
Tensor normal(const Shape& shape, float mean, float std, Generator& gen);

// In place, over a tensor's elements in row-major order (what the initialisations of module 05 use).
Tensor& uniform_(Tensor& t, float lo, float hi, Generator& gen);
Tensor& normal_(Tensor& t, float mean, float std, Generator& gen);

}  // namespace tt
