// doctest's runner for the student build (the page and `tt grade`): doctest's main plus a listener that reports every
// test case as one JSON event, so a page (or the grader) gets structured results even when the student's code traps
// halfway: the last "start" event names the check that was running.
//
// The channel: in the wasm student build each event goes to the import tt_results.event(pointer, size), which only
// the runner provides (web/js/student/runner-worker.mjs) — never to stdout or stderr, which the student's code
// writes too: a line printed by a static initializer is output, not a result. The student's own objects may not
// reference this import, doctest or tt_testing (toolchain.mjs rejects such an object), so only this file and the
// checks can report. Outside wasm (a native doctest run) each event is a "[tt] {json}" line on stderr:
//
//   [tt] {"event":"start","name":"01 format_bytes: binary prefixes","file":"tests/engine/test_01_setup.cpp","line":25}
//   [tt] {"event":"fail","kind":"CHECK","file":"…","line":27,"expr":"…","decomp":"1023.00 B == 1023 B"}
//   [tt] {"event":"end","name":"…","asserts":4,"failed":1,"ok":false}
//   [tt] {"event":"skip","name":"…","file":"…","line":33,"reason":"needs-exceptions"}
//   [tt] {"event":"done","cases":3,"failedCases":1,"asserts":7,"failedAsserts":1}
//   [tt] {"event":"expect-error","index":0,"file":"…","line":40,"expr":"…","message":"…","contains":false}
//        (TT_CHECK_ERROR without exceptions, testing.h: the runner checks the trap that should follow)
//
// Each event is written by the engine's JSON writer (json.h) and handed over at once (natively: one fputs, flushed),
// so nothing is lost when the program traps.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "json.h"
#include "testing.h"

#if defined(__wasi__)
extern "C" __attribute__((import_module("tt_results"), import_name("event"))) void tt_results_event(const char* json,
                                                                                                    size_t size);
#endif

void tt_testing::report(const std::string& json) {
#if defined(__wasi__)
    tt_results_event(json.data(), json.size());
#else
    std::string line = "[tt] " + json + "\n";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
#endif
}

#if !TT_HAS_EXCEPTIONS
std::string tt_testing::json_quote(const char* text) { return tt::Json(text ? text : "").dump(); }

// The expectations of the first test case of this round that an earlier round already saw fail as expected.
static const bool tt_expect_done_read = [] {
    if (const char* done = std::getenv("TT_EXPECT_DONE")) tt_testing::expect_done = std::atoi(done);
    return true;
}();
#endif

namespace {

using tt::Json;

Json str(const char* text) { return Json(text ? text : ""); }

Json event(const char* name) {
    Json e = Json::object();
    e.set("event", name);
    return e;
}

void emit(const Json& e) { tt_testing::report(e.dump()); }

Json case_event(const char* name, const doctest::TestCaseData& tc) {
    Json e = event(name);
    return e.set("name", str(tc.m_name)).set("file", str(tc.m_file.c_str())).set("line", tc.m_line);
}

struct TTListener : doctest::IReporter {
    int cases = 0, failed_cases = 0;
    explicit TTListener(const doctest::ContextOptions&) {}

    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        emit(event("done")
                 .set("cases", cases)
                 .set("failedCases", failed_cases)
                 .set("asserts", stats.numAsserts)
                 .set("failedAsserts", stats.numAssertsFailed));
    }
    void test_case_start(const doctest::TestCaseData& tc) override {
#if !TT_HAS_EXCEPTIONS
        tt_testing::expect_index = 0;
#endif
        emit(case_event("start", tc));
    }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats& s) override {
        ++cases;
        if (!s.testCaseSuccess) ++failed_cases;
#if !TT_HAS_EXCEPTIONS
        tt_testing::expect_done = 0;  // TT_EXPECT_DONE was about the round's first case only
#endif
        emit(event("end")
                 .set("asserts", s.numAssertsCurrentTest)
                 .set("failed", s.numAssertsFailedCurrentTest)
                 .set("ok", s.testCaseSuccess));
    }
    void test_case_exception(const doctest::TestCaseException& e) override {
        emit(event("exception").set("message", str(e.error_string.c_str())));
    }
    void subcase_start(const doctest::SubcaseSignature& s) override {
        emit(event("subcase").set("name", str(s.m_name.c_str())).set("line", s.m_line));
    }
    void subcase_end() override {}
    void log_assert(const doctest::AssertData& a) override {
        if (!a.m_failed) return;
        Json e = event("fail");
        e.set("kind", str(doctest::assertString(a.m_at)))
            .set("file", str(a.m_file))
            .set("line", a.m_line)
            .set("expr", str(a.m_expr))
            .set("decomp", str(a.m_decomp.c_str()));
        if (a.m_threw) e.set("exception", str(a.m_exception.c_str()));
        emit(e);
    }
    void log_message(const doctest::MessageData& m) override {
        emit(event("message").set("file", str(m.m_file)).set("line", m.m_line).set("text", str(m.m_string.c_str())));
    }
    void test_case_skipped(const doctest::TestCaseData& tc) override {
        // Cases filtered out by the command line are not part of this run; only decorator skips are reported.
        if (!tc.m_skip) return;
        emit(case_event("skip", tc).set("reason", "needs-exceptions"));
    }
};

REGISTER_LISTENER("tt", 1, TTListener);

}  // namespace

#if defined(__wasi__) && !defined(_REENTRANT)
// wasm32-wasip1 without threads has no __cxa_thread_atexit, which a thread_local with a destructor (the engine's
// per-thread scratch buffers) needs. There is one thread and it ends with the program, so there is nothing to run.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
#endif
