#include "random.h"

#include <cmath>
#include <vector>

#include "error.h"

namespace tt {

namespace {

// splitmix64 (Steele, Lea, Flood 2014): spreads any seed, even 0 or 1, into well-mixed 64-bit words.
uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

constexpr double kPi = 3.14159265358979323846;

}  // namespace

void Generator::manual_seed(uint64_t seed) {
    uint64_t s = seed;
    state_ = splitmix64(s);
    inc_ = splitmix64(s) | 1u;  // the LCG increment must be odd
    has_spare_ = false;
}

void Generator::set_state(const GeneratorState& s) {
    TT_CHECK(s.inc % 2 == 1, "Generator::set_state: inc must be odd (a PCG stream increment), got " << s.inc);
    state_ = s.state;
    inc_ = s.inc;
    has_spare_ = s.has_spare;
    spare_ = s.spare;
}

uint32_t Generator::next_u32() {
    uint64_t old = state_;
    state_ = old * 6364136223846793005ull + inc_;
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

float Generator::uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

double Generator::uniform_double() {
    uint64_t hi = next_u32() >> 5, lo = next_u32() >> 6;  // 27 + 26 = 53 bits
    return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

float Generator::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return static_cast<float>(spare_);
    }
    // BEGIN SOLUTION Box-Muller: u1 in (0, 1] (so log(u1) is finite), u2 in [0, 1); r = sqrt(-2 log u1), angle 2*pi*u2; return r*cos(angle), keep r*sin(angle) in spare_
    double u1 = 1.0 - uniform_double();
    double u2 = uniform_double();
    double r = std::sqrt(-2.0 * std::log(u1));
    double angle = 2.0 * kPi * u2;
    spare_ = r * std::sin(angle);
    has_spare_ = true;
    return static_cast<float>(r * std::cos(angle));
    // END SOLUTION
}

Generator& default_generator() {
    static Generator gen(0);
    return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

Tensor& uniform_(Tensor& t, float lo, float hi, Generator& gen) {
    TT_CHECK(lo <= hi, "uniform_: lo " << lo << " is greater than hi " << hi);
    std::vector<float> values(static_cast<size_t>(t.numel()));
    for (float& v : values) v = lo + (hi - lo) * gen.uniform();
    return t.copy_(Tensor(t.shape(), std::move(values)));
}

Tensor& normal_(Tensor& t, float mean, float std, Generator& gen) {
    TT_CHECK(std >= 0, "normal_: std must be >= 0, got " << std);
    std::vector<float> values(static_cast<size_t>(t.numel()));
    for (float& v : values) v = mean + std * gen.normal();
    return t.copy_(Tensor(t.shape(), std::move(values)));
}

Tensor uniform(const Shape& shape, float lo, float hi, Generator& gen) {
    Tensor t(shape);
    return uniform_(t, lo, hi, gen);
}

Tensor normal(const Shape& shape, float mean, float std, Generator& gen) {
    Tensor t(shape);
    return normal_(t, mean, std, gen);
}

Tensor rand(const Shape& shape, Generator& gen) { return uniform(shape, 0.0f, 1.0f, gen); }
Tensor randn(const Shape& shape, Generator& gen) { return normal(shape, 0.0f, 1.0f, gen); }

Tensor rand(const Shape& shape, uint64_t seed) {
    Generator gen(seed);
    return rand(shape, gen);
}

Tensor randn(const Shape& shape, uint64_t seed) {
    Generator gen(seed);
    return randn(shape, gen);
}

}  // namespace tt
