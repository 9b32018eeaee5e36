// doctest's runner for the student build and for `tt grade`: doctest's main plus a listener that reports every test
// case as one line of JSON on stderr, so a page (or the grader) gets structured results even when the student's code
// traps halfway: the last "start" line names the check that was running.
//
//   [tt] {"event":"start","name":"01 format_bytes: binary prefixes","file":"tests/engine/test_01_setup.cpp","line":25}
//   [tt] {"event":"fail","kind":"CHECK","file":"…","line":27,"expr":"…","decomp":"1023.00 B == 1023 B"}
//   [tt] {"event":"end","name":"…","asserts":4,"failed":1,"ok":false}
//   [tt] {"event":"skip","name":"…","file":"…","line":33,"reason":"needs-exceptions"}
//   [tt] {"event":"done","cases":3,"failedCases":1,"asserts":7,"failedAsserts":1}
//
// Each line is written with one fputs and flushed at once, so nothing is lost when the program traps.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace {

std::string json_string(const char* text) {
    std::string out = "\"";
    for (const char* p = text ? text : ""; *p; ++p) {
        unsigned char c = static_cast<unsigned char>(*p);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

void emit(const std::string& json) {
    std::string line = "[tt] " + json + "\n";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

std::string case_fields(const doctest::TestCaseData& tc) {
    return "\"name\":" + json_string(tc.m_name) + ",\"file\":" + json_string(tc.m_file.c_str()) +
           ",\"line\":" + std::to_string(tc.m_line);
}

struct TTListener : doctest::IReporter {
    int cases = 0, failed_cases = 0;
    explicit TTListener(const doctest::ContextOptions&) {}

    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        emit("{\"event\":\"done\",\"cases\":" + std::to_string(cases) + ",\"failedCases\":" +
             std::to_string(failed_cases) + ",\"asserts\":" + std::to_string(stats.numAsserts) +
             ",\"failedAsserts\":" + std::to_string(stats.numAssertsFailed) + "}");
    }
    void test_case_start(const doctest::TestCaseData& tc) override {
        emit("{\"event\":\"start\"," + case_fields(tc) + "}");
    }
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats& s) override {
        ++cases;
        if (!s.testCaseSuccess) ++failed_cases;
        emit(std::string("{\"event\":\"end\",\"asserts\":") + std::to_string(s.numAssertsCurrentTest) +
             ",\"failed\":" + std::to_string(s.numAssertsFailedCurrentTest) +
             ",\"ok\":" + (s.testCaseSuccess ? "true" : "false") + "}");
    }
    void test_case_exception(const doctest::TestCaseException& e) override {
        emit("{\"event\":\"exception\",\"message\":" + json_string(e.error_string.c_str()) + "}");
    }
    void subcase_start(const doctest::SubcaseSignature& s) override {
        emit("{\"event\":\"subcase\",\"name\":" + json_string(s.m_name.c_str()) + ",\"line\":" +
             std::to_string(s.m_line) + "}");
    }
    void subcase_end() override {}
    void log_assert(const doctest::AssertData& a) override {
        if (!a.m_failed) return;
        std::string json = "{\"event\":\"fail\",\"kind\":" + json_string(doctest::assertString(a.m_at)) +
                           ",\"file\":" + json_string(a.m_file) + ",\"line\":" + std::to_string(a.m_line) +
                           ",\"expr\":" + json_string(a.m_expr) + ",\"decomp\":" + json_string(a.m_decomp.c_str());
        if (a.m_threw) json += ",\"exception\":" + json_string(a.m_exception.c_str());
        emit(json + "}");
    }
    void log_message(const doctest::MessageData& m) override {
        emit("{\"event\":\"message\",\"file\":" + json_string(m.m_file) + ",\"line\":" + std::to_string(m.m_line) +
             ",\"text\":" + json_string(m.m_string.c_str()) + "}");
    }
    void test_case_skipped(const doctest::TestCaseData& tc) override {
        // Cases filtered out by the command line are not part of this run; only decorator skips are reported.
        if (!tc.m_skip) return;
        emit("{\"event\":\"skip\"," + case_fields(tc) + ",\"reason\":\"needs-exceptions\"}");
    }
};

REGISTER_LISTENER("tt", 1, TTListener);

}  // namespace

#if defined(__wasi__) && !defined(_REENTRANT)
// wasm32-wasip1 without threads has no __cxa_thread_atexit, which a thread_local with a destructor (the engine's
// per-thread scratch buffers) needs. There is one thread and it ends with the program, so there is nothing to run.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
#endif
