#!/usr/bin/env python3
"""`tt grade` against a student who tries to fool or escape it (ctest native.grade_sandbox).

Each trick is a small edit of the reference engine/core/profile.cpp (lesson 01_setup) graded by the real `tt grade`
(the page's toolchain and WASI shim under node, scripts/grade.mjs). Every trick must be graded as a failure (exit 1,
"ok": false) with a reason that names it, within the limits, with the report a valid JSON object whose fields the
student's text did not change, with no secret in it, and with no process left behind. The reference must pass and
the starter must fail, as before.

usage: test_grade_sandbox.py TT_EXECUTABLE [TRICK …]   (run from the repository root; TT_STUDENT_DIR or build/student)
"""
import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TT = os.path.abspath(sys.argv[1])
ONLY = sys.argv[2:]
ROOT = os.getcwd()
REFERENCE = open(os.path.join(ROOT, "engine/core/profile.cpp")).read()
LESSON = os.path.join(ROOT, "lessons/01_setup/lesson.json")
SECRET = "s3cr3t-answer-key-7f1c"  # what the secret file next to the lesson holds
TIMEOUT = 15  # --timeout (seconds per Run): the reference's checks must finish in it on a loaded machine
LOOP_TIMEOUT = 3  # --timeout of the endless loop
ALLOC_TIMEOUT = 120  # --timeout of the 3 GB allocation
COMPILE_TIMEOUT = 300  # --compile-timeout (seconds per file): a normal file compiles in it on a loaded machine
BOMB_COMPILE_TIMEOUT = 20  # the template explosion's: it needs over 20 s of CPU even natively (clang 14: 24 s)
failures = []


def check(ok, what, detail=""):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
        if detail:
            print("      " + detail[:3000].replace("\n", "\n      "))


def edit(text, old, new):
    assert text.count(old) == 1, f"{old!r} must occur once in profile.cpp"
    return text.replace(old, new)


BODY = '    TT_CHECK(bytes >= 0, "format_bytes: bytes must be >= 0, got " << bytes);\n'
# A plausible wrong answer: the unit of plain bytes in lower case ("0 b"): fails "01 format_bytes: binary prefixes".
WRONG = edit(REFERENCE, 'std::snprintf(text, sizeof text, "%.0f B", bytes)', 'std::snprintf(text, sizeof text, "%.0f b", bytes)')


def in_format_bytes(code, base=REFERENCE):
    return edit(base, BODY, code + BODY)


def at_end(code, base=WRONG, includes=""):
    return includes + base + "\n" + code + "\n"


def c_string(text):
    """text as a C++ string literal"""
    return json.dumps(text)  # JSON's escapes (\\ \" \n \uXXXX for controls) are C++'s for ASCII text


def fake_case(name):
    return ('[tt] {"event":"start","name":"%s","file":"tests/engine/test_01_setup.cpp","line":1}\n'
            '[tt] {"event":"end","asserts":1,"failed":0,"ok":true}\n' % name)


def lesson_case_names():
    import re
    text = open(os.path.join(ROOT, "tests/engine/test_01_setup.cpp")).read()
    return re.findall(r'TEST_CASE\("([^"]+)"', text)


FAKE_LINES = c_string("".join(fake_case(n) for n in lesson_case_names()) + '[tt] {"event":"done","cases":9,"failedCases":0}\n')


def tricks(secret_path):
    """name → (source, extra tt arguments, words one of which the reason must hold, report must not contain)."""
    return {
        "reference": (REFERENCE, [], None, None),
        "starter": (None, [], ["not written yet", "not implemented"], None),
        # a static initializer prints fake result lines for every check, then exits 0 before main
        "fake-result-lines": (at_end('static const int fake = [] { std::fputs(%s, stderr); std::fputs(%s, stdout);'
                                     ' std::fflush(nullptr); std::exit(0); return 0; }();' % (FAKE_LINES, FAKE_LINES),
                                     includes="#include <cstdlib>\n"), [], ["never ran"], None),
        # stderr lines that would have been pasted into the report
        "stderr-json": (at_end('static const int fake = [] { std::fputs(%s, stderr); return 0; }();'
                               % c_string('", "ok": true, "passed": 99, "x": "\n{"ok":true,"passed":99}\n')), [], ["failed"], None),
        # a loop that ignores SIGTERM
        "sigterm-loop": (in_format_bytes('    std::signal(SIGTERM, SIG_IGN);\n    for (volatile int i = 0;; i = i + 1) {}\n',
                                         "#include <csignal>\n" + REFERENCE), ["--timeout", str(LOOP_TIMEOUT)], ["time limit"], None),
        # a detached child holding the pipe: there is no fork in wasm, so it does not build
        "fork-child": (in_format_bytes('    if (fork() == 0) { setsid(); sleep(1000); }\n', "#include <unistd.h>\n" + REFERENCE),
                       [], ["fork"], None),
        # read /etc/passwd and the secret file next to the lesson, and return what was read as the answer
        "read-files": (in_format_bytes(
            '    for (const char* p : {"/etc/passwd", "%s", "../lessons/01_setup/secret.txt", "secret.txt"}) {\n'
            '        if (std::FILE* f = std::fopen(p, "r")) { char b[64] = {0}; std::fread(b, 1, 63, f); return b; }\n'
            '        std::printf("cannot open %%s\\n", p);\n'
            '    }\n' % secret_path, "#include <cstdio>\n" + WRONG), [], ["failed"], ["root:", SECRET]),
        # write a file outside the lesson
        "write-file": (in_format_bytes('    if (std::FILE* f = std::fopen("/tmp/tt-grade-escape.txt", "w")) { std::fputs("x", f); std::fclose(f); }\n',
                                       "#include <cstdio>\n" + WRONG), [], ["failed"], None),
        # #include of a file of the machine: the compiler sees only the header pack
        "include-passwd": (at_end("", includes='#include "/etc/passwd"\n'), [], ["not found"], ["root:"]),
        "include-secret": (at_end("", includes='#include "%s"\n#include "../../../../../../../etc/passwd"\n' % secret_path),
                           [], ["not found"], [SECRET, "root:"]),
        # 3 GB: 30 chunks of 100 MiB, every page of each written to
        "alloc-3gb": (in_format_bytes('    static std::vector<char*> keep;\n'
                                      '    for (int i = 0; i < 30; ++i) { char* p = new char[100 << 20];'
                                      ' for (int j = 0; j < (100 << 20); j += 4096) p[j] = 1; keep.push_back(p); }\n',
                                      "#include <cstring>\n#include <vector>\n" + REFERENCE),
                      # a long time limit: the memory cap, not the clock, must stop it (growing to 1 GiB takes a
                      # while on a loaded machine)
                      ["--timeout", str(ALLOC_TIMEOUT)], ["out of memory"], None),
        # a template explosion: ~500,000 instantiations
        "template-explosion": (at_end('template <int N, int M> struct Boom { static constexpr unsigned long v = Boom<N - 1, M>::v + Boom<N - 1, M + 1>::v; };\n'
                                      'template <int M> struct Boom<0, M> { static constexpr unsigned long v = M; };\n'
                                      'unsigned long boom() { return Boom<1000, 0>::v; }'),
                               ["--compile-timeout", str(BOMB_COMPILE_TIMEOUT)], ["compile time limit", "memory limit"], None),
        # an output flood from correct code
        "output-flood": (in_format_bytes('    for (int i = 0; i < 2000; ++i) std::printf("%0100d\\n", i);\n', "#include <cstdio>\n" + REFERENCE),
                         [], ["printed more than"], None),
        # calling the results channel itself, or the harness's reporting function, or adding checks of its own
        "forge-import": (at_end('extern "C" __attribute__((import_module("tt_results"), import_name("event"))) void forge(const char*, unsigned long);\n'
                                'static const int fake = [] { const char e[] = "{\\"event\\":\\"done\\"}"; forge(e, sizeof e - 1); return 0; }();'),
                         [], ["tt_results"], None),
        "forge-report": (at_end('namespace tt_testing { void report(const std::string&); }\n'
                                'static const int fake = [] { tt_testing::report("{\\"event\\":\\"done\\"}"); return 0; }();'),
                         [], ["tt_testing"], None),
        "own-test-case": (at_end('TEST_CASE("01 format_bytes: binary prefixes") {}', includes="#include <doctest/doctest.h>\n"),
                          [], ["doctest"], None),
    }


def processes_mentioning(text):
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if text in line and "ps -eo" not in line]


def grade(name, source, extra, tmp):
    folder = os.path.join(tmp, name)
    os.makedirs(folder)
    student = os.path.join(folder, "profile.cpp")
    if source is None:  # the lesson's starter, as the page hands it out
        student_dir = os.environ.get("TT_STUDENT_DIR", os.path.join(ROOT, "build/student"))
        shutil.copy(os.path.join(student_dir, "lessons/01_setup/starter/engine/core/profile.cpp"), student)
    else:
        with open(student, "w") as f:
            f.write(source)
    args = [TT, "grade", "01", student, "--root", os.path.join(tmp, "root")]
    if "--timeout" not in extra:
        args += ["--timeout", str(TIMEOUT)]
    if "--compile-timeout" not in extra:
        args += ["--compile-timeout", str(COMPILE_TIMEOUT)]
    if "TT_STUDENT_DIR" not in os.environ:
        args += ["--student", os.path.join(ROOT, "build/student")]
    t0 = time.monotonic()
    out = subprocess.run(args + extra, capture_output=True, text=True, timeout=600)
    return out, time.monotonic() - t0, folder


def main():
    tmp = tempfile.mkdtemp(prefix="tt-grade-test-")
    try:
        # a lesson folder of our own (--root) with a secret file next to lesson.json
        lesson_dir = os.path.join(tmp, "root", "lessons", "01_setup")
        os.makedirs(lesson_dir)
        shutil.copy(LESSON, lesson_dir)
        secret_path = os.path.join(lesson_dir, "secret.txt")
        with open(secret_path, "w") as f:
            f.write(SECRET + "\n")
        if os.path.exists("/tmp/tt-grade-escape.txt"):
            os.remove("/tmp/tt-grade-escape.txt")
        before = set(glob.glob("/tmp/tt-grade-??????"))  # the grader's mkdtemp folders
        cases = {k: v for k, v in tricks(secret_path).items() if not ONLY or k in ONLY}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            futures = {name: pool.submit(grade, name, src, extra, tmp) for name, (src, extra, _, _) in cases.items()}
            for name, (src, extra, words, secrets) in cases.items():
                out, seconds, folder = futures[name].result()
                detail = f"exit {out.returncode} after {seconds:.1f} s\nstdout: {out.stdout[:2000]}\nstderr: {out.stderr[-1500:]}"
                try:
                    report = json.loads(out.stdout)
                except ValueError:
                    check(False, f"{name}: the report is one JSON object", detail)
                    continue
                limits = report.get("limits", {})
                within = seconds < limits.get("wall_seconds", 0) + 10
                keys = {"module", "files", "sandbox", "ok", "reason", "limits"}
                if words is None:
                    check(out.returncode == 0 and report["ok"] is True and report["passed"] >= 5 and report["failed"] == 0,
                          f"{name}: passes ({report.get('passed')} checks, {seconds:.1f} s)", detail)
                else:
                    reason = report.get("reason") or ""
                    reasons = " | ".join([reason, *report.get("reasons", [])])
                    check(out.returncode == 1 and report["ok"] is False and any(w in reasons for w in words),
                          f"{name}: fails, reason: {reason[:160]!r}", detail)
                check(keys <= set(report) and report["sandbox"] == "wasm" and report["module"] == "01_setup"
                      and isinstance(report.get("passed", 0), int) and report.get("passed", 0) < 99,
                      f"{name}: the report's fields are the grader's", detail)
                check(within, f"{name}: within the limit ({seconds:.1f} s of {limits.get('wall_seconds')} s; "
                      f"peak {limits.get('peak_memory_mb')} MiB of {limits.get('memory_mb')})", detail)
                for s in secrets or []:
                    check(s not in out.stdout and s not in out.stderr, f"{name}: the report holds no {s!r}", detail)
                left = processes_mentioning(folder)
                check(not left, f"{name}: no process left behind", "\n".join(left))
                if name == "sigterm-loop":
                    check(report.get("timed_out") is True, f"{name}: stopped at the time limit of {LOOP_TIMEOUT} s", detail)
                if name == "read-files":
                    check("cannot open /etc/passwd" in report.get("stdout", ""), f"{name}: the program could not open /etc/passwd", detail)
                if name == "alloc-3gb":
                    check(limits.get("peak_memory_mb", 1 << 30) < limits.get("memory_mb", 0),
                          f"{name}: the grader stayed under its memory cap ({limits.get('peak_memory_mb')} MiB)", detail)
        check(not os.path.exists("/tmp/tt-grade-escape.txt"), "write-file: nothing was written outside the sandbox")
        left_dirs = set(glob.glob("/tmp/tt-grade-??????")) - before
        check(not left_dirs, "every private folder of the grader was removed", " ".join(sorted(left_dirs)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all good")
    sys.exit(1 if failures else 0)


main()
