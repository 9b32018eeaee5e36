// Size arithmetic on numbers that came from outside: every reader (.ttds, IDX, CIFAR, safetensors, image folders,
// architecture strings, model configs) multiplies and adds header fields through these before it allocates or copies.
//
// A file is untrusted: its header can claim 4294967295 x 4294967295 x 4294967295 images, and a plain multiplication
// wraps to a small number that then "matches" the file's size, so the reader copies gigabytes from past its buffer.
// Here an overflow, or a negative operand, is a tt::Error that names the field the caller passes in:
//
//     const int64_t image = checked_mul(checked_mul(C, H, field), W, field);  // field = "x.ttds: header C x H x W"
//     → "x.ttds: header C x H x W: 4294967295 x 4294967295 does not fit in 64 bits"
//
// The result is then compared with the bytes actually there, before anything is allocated or copied.
#pragma once

#include <cstdint>
#include <string_view>

#include "error.h"

namespace tt {

inline int64_t checked_mul(int64_t a, int64_t b, std::string_view field) {
    TT_CHECK(a >= 0 && b >= 0, field << ": negative size (" << a << " x " << b << ")");
    int64_t out = 0;
    TT_CHECK(!__builtin_mul_overflow(a, b, &out), field << ": " << a << " x " << b << " does not fit in 64 bits");
    return out;
}

inline int64_t checked_add(int64_t a, int64_t b, std::string_view field) {
    TT_CHECK(a >= 0 && b >= 0, field << ": negative size (" << a << " + " << b << ")");
    int64_t out = 0;
    TT_CHECK(!__builtin_add_overflow(a, b, &out), field << ": " << a << " + " << b << " does not fit in 64 bits");
    return out;
}

// A count from a file that must fit an int field (a size, a number of classes) and lie in [lo, hi].
inline int checked_int(int64_t value, int64_t lo, int64_t hi, std::string_view field) {
    TT_CHECK(value >= lo && value <= hi, field << " is " << value << ", expected " << lo << " .. " << hi);
    return static_cast<int>(value);
}

}  // namespace tt
