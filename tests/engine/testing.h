// Shared helpers for the engine's checks (these files are also the lessons' hidden checks).
#pragma once

#include <doctest/doctest.h>

#include "error.h"

namespace tt_testing {
// Hands one result event (a JSON object) to the runner on the results channel, never on stdout/stderr
// (student_main.cpp).
void report(const std::string& json);
}  // namespace tt_testing

// Error-path cases need exceptions, which the in-browser student build does not have: there they are reported as
// skipped (never as passed), and they run in the native and web-reference builds.
#define TT_NEEDS_EXCEPTIONS doctest::skip(!TT_HAS_EXCEPTIONS)

// TT_CHECK_ERROR(expr, message): evaluating expr must fail with a tt::Error whose message is exactly `message`;
// TT_CHECK_ERROR_CONTAINS(expr, part): ... whose message contains `part`. With exceptions this is doctest's
// CHECK_THROWS_WITH_AS. Without them (the in-browser student build) a failing tt::fail traps, so the check is
// played out with the runner (web/js/student/runner-worker.mjs): the program announces the expectation as an
// "expect-error" event on the results channel (student_main.cpp), then evaluates expr. If it traps with the expected message, the runner records the
// check as passed and starts the same test case again with TT_EXPECT_DONE = its index + 1, so that this and the
// earlier expectations of the case are skipped and the case goes on; if expr returns, the check fails here. Not for
// use inside a SUBCASE (its expectations would be counted once per pass).
#if TT_HAS_EXCEPTIONS
#define TT_CHECK_ERROR(expr, message) CHECK_THROWS_WITH_AS(expr, message, tt::Error)
#define TT_CHECK_ERROR_CONTAINS(expr, part) CHECK_THROWS_WITH_AS(expr, doctest::Contains(part), tt::Error)
#else
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tt_testing {
inline int expect_index = 0;  // expectations reached so far in the current test case
inline int expect_done = 0;   // expectations of this case already verified by an earlier round (TT_EXPECT_DONE)

std::string json_quote(const char* text);  // student_main.cpp (the engine's JSON writer)

template <class F>
void expect_error(const char* file, int line, const char* expr, const std::string& message, bool contains, F&& run) {
    if (expect_index++ < expect_done) return;
    std::string event = std::string("{\"event\":\"expect-error\",\"index\":") + std::to_string(expect_index - 1) +
        ",\"file\":" + json_quote(file) + ",\"line\":" + std::to_string(line) + ",\"expr\":" + json_quote(expr) +
        ",\"message\":" + json_quote(message.c_str()) + ",\"contains\":" + (contains ? "true" : "false") + "}";
    report(event);
    run();
    // doctest's message builder prints a const char* as a pointer: hand it one std::string
    const std::string what = std::string("expected an error ") + (contains ? "containing \"" : "\"") + message +
        "\", but " + expr + " returned normally";
    ADD_FAIL_CHECK_AT(file, line, what);
}
}  // namespace tt_testing

#define TT_CHECK_ERROR(expr, message) \
    ::tt_testing::expect_error(__FILE__, __LINE__, #expr, message, false, [&] { (void)(expr); })
#define TT_CHECK_ERROR_CONTAINS(expr, part) \
    ::tt_testing::expect_error(__FILE__, __LINE__, #expr, part, true, [&] { (void)(expr); })
#endif
