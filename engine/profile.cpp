#include "profile.h"

#include <cstdio>
#include <thread>

#include "error.h"
#include "simd.h"

namespace tt {

Environment environment() {
    Environment env;
#if defined(TT_STUDENT_BUILD)
    env.build = "student";
#elif defined(__EMSCRIPTEN__)
    env.build = "web-reference";
#else
    env.build = "native";
#endif
    // BEGIN SOLUTION fill simd_arch, simd_width (see simd.h) and threads (std::thread::hardware_concurrency, at least 1)
    env.simd_arch = simd_arch_name();
    env.simd_width = kSimdWidth;
    unsigned hw = std::thread::hardware_concurrency();
    env.threads = hw == 0 ? 1 : static_cast<int>(hw);
    // END SOLUTION
    return env;
}

std::string format_bytes(double bytes) {
    // BEGIN SOLUTION check bytes >= 0, then divide by 1024 until it fits a unit; "%.0f B" for bytes, "%.2f KiB" above
    TT_CHECK(bytes >= 0, "format_bytes: bytes must be >= 0, got " << bytes);
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        ++u;
    }
    char text[32];
    if (u == 0)
        std::snprintf(text, sizeof text, "%.0f B", bytes);
    else
        std::snprintf(text, sizeof text, "%.2f %s", bytes, units[u]);
    return text;
    // END SOLUTION
}

}  // namespace tt
