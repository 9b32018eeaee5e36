// The engine's one error mechanism.
//
// TT_CHECK(cond, message) states what must be true and, when it is not, says what was wrong in words a student can
// act on: the message is streamed, so it can name the shapes, dtypes or indices involved:
//
//     TT_CHECK(a.shape(1) == b.shape(0), "matmul: inner sizes differ, " << a.shape() << " @ " << b.shape());
//
// Where C++ exceptions exist (native build, web reference build) a failed check throws tt::Error; the Embind layer
// turns it into a JS Error with the same message. The student build is compiled with -fno-exceptions (the
// in-browser toolchain has no unwinder), so there the message is printed to stderr and the program traps; the
// runner reports the message and the check that was running.
#pragma once

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define TT_HAS_EXCEPTIONS 1
#else
#define TT_HAS_EXCEPTIONS 0
#endif

namespace tt {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reports a failed check. Never returns.
[[noreturn]] inline void fail(const char* file, int line, const std::string& message) {
#if TT_HAS_EXCEPTIONS
    (void)file;
    (void)line;
    throw Error(message);
#else
    std::fprintf(stderr, "tt::Error: %s\n    at %s:%d\n", message.c_str(), file, line);
    std::fflush(stderr);
    __builtin_trap();
#endif
}

}  // namespace tt

#define TT_CHECK(cond, message)                                \
    do {                                                       \
        if (!(cond)) {                                         \
            std::ostringstream tt_message_;                    \
            tt_message_ << message;                            \
            ::tt::fail(__FILE__, __LINE__, tt_message_.str()); \
        }                                                      \
    } while (0)

// What a lesson's starter puts where the student's code goes: it compiles, and every check that reaches it fails
// with "not implemented: <hint>".
#define TT_TODO(hint) ::tt::fail(__FILE__, __LINE__, std::string("not implemented: ") + (hint))
