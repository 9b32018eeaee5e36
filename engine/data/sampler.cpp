#include "sampler.h"

#include "error.h"

namespace tt {

int64_t randint(int64_t low, int64_t high, Generator& gen) {
    TT_CHECK(low < high, "randint: low " << low << " must be less than high " << high);
    const uint64_t range = static_cast<uint64_t>(high - low);
    TT_CHECK(range <= (uint64_t(1) << 32),
             "randint: the range [" << low << ", " << high << ") holds more than 2^32 values");
    if (range == (uint64_t(1) << 32)) return low + static_cast<int64_t>(gen.next_u32());
    const uint32_t bound = static_cast<uint32_t>(range);
    // 2^32 mod bound: the draws below it are the incomplete last round of remainders.
    const uint32_t threshold = static_cast<uint32_t>(-bound) % bound;
    for (;;) {
        const uint32_t r = gen.next_u32();
        if (r >= threshold) return low + static_cast<int64_t>(r % bound);
    }
}

}  // namespace tt
