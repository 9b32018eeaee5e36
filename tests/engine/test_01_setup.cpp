#include <string>

#include "profile.h"
#include "simd.h"
#include "testing.h"

TEST_CASE("01 environment: reports the build's SIMD arch and width") {
    tt::Environment env = tt::environment();
    CHECK(env.simd_arch == std::string(tt::simd_arch_name()));
    CHECK(env.simd_width == tt::kSimdWidth);
    CHECK(env.threads >= 1);
#if defined(__EMSCRIPTEN__)
    CHECK(env.build == "web-reference");
    CHECK(env.simd_arch == "wasm");
    CHECK(env.simd_width == 4);
#elif !defined(TT_STUDENT_BUILD)
    CHECK(env.build == "native");
#endif
}

TEST_CASE("01 format_bytes: binary prefixes") {
    CHECK(tt::format_bytes(0) == "0 B");
    CHECK(tt::format_bytes(1023) == "1023 B");
    CHECK(tt::format_bytes(1536) == "1.50 KiB");
    CHECK(tt::format_bytes(3.0 * 1024 * 1024) == "3.00 MiB");
}

TEST_CASE("01 format_bytes: negative input is an error naming the value" * TT_NEEDS_EXCEPTIONS) {
#if TT_HAS_EXCEPTIONS
    CHECK_THROWS_WITH_AS(tt::format_bytes(-5), "format_bytes: bytes must be >= 0, got -5", tt::Error);
#endif
}
