// `tt grade <module> <student-file.cpp>...`: the lesson's checks on a student's file(s), run the way the page runs
// them. tt checks the request (lesson, files), then execs node on scripts/grade.mjs, which compiles the student's
// file with the page's @yowasp/clang to wasm and runs the checks under the page's WASI shim (only the fixtures are
// visible, read-only): nothing of the student's runs natively, so no file of the machine can be read or written, no
// process started, no signal ignored. This file is the supervisor around that node process:
//   - its own process group, killed as a whole (SIGKILL) at the end and whenever a limit is hit, so nothing is left;
//   - a wall-clock limit over everything (startup + compile limit per file + two Runs + slack); the finer limits are
//     the node side's (per-file compile limit, per-Run time limit, wasm memory max 1 GiB, output caps);
//   - a resident-memory cap (/proc/<pid>/statm, polled every 50 ms), which bounds the compiler too; node's own heap
//     is capped by --max-old-space-size;
//   - a private working folder (mkdtemp, mode 0700; HOME and TMPDIR point there), removed afterwards; core dumps
//     off, files the process may write capped at 16 MiB;
//   - its stdout (the grader's one JSON object; the student's output never reaches it) read up to 8 MiB, parsed with
//     the JSON helper and written again with it, limits added: no text is ever pasted into the report.
// The report, one JSON object on stdout (scripts/grade.mjs says what each field means):
//   {"module":"01_setup","files":{"engine/core/profile.cpp":"alice/profile.cpp"},"sandbox":"wasm","compiled":true,
//    "ok":false,"reason":"check \"01 format_bytes: binary prefixes\" failed: …","passed":5,"failed":1,…,
//    "limits":{"timeout_seconds":20,…}}
#include "grade.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "error.h"
#include "json.h"

#ifndef TT_SOURCE_DIR
#define TT_SOURCE_DIR "."
#endif
#ifndef TT_NODE_EXE
#define TT_NODE_EXE "node"
#endif

namespace fs = std::filesystem;

namespace tt::cli {
namespace {

constexpr size_t kMaxReportBytes = 8 << 20;  // the grader's JSON (events capped at 2000 by grade.mjs)
constexpr size_t kStderrTail = 16 << 10;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The list of paths `key` of a lesson.json (its schema: lessons/README.md); `where` names the file in errors.
std::vector<std::string> string_list(const Json& lesson, const std::string& key, const std::string& where) {
    const Json* list = lesson.find(key);
    TT_CHECK(list && list->is_array(), where << ": \"" << key << "\" must be a list of paths");
    std::vector<std::string> out;
    for (const Json& item : list->items()) {
        TT_CHECK(item.is_string(), where << ": \"" << key << "\" must be a list of paths, it holds " << item.dump());
        out.push_back(item.as_string());
    }
    return out;
}

std::string find_lesson(const fs::path& root, const std::string& module) {
    // "1", "01", "01_setup" all name lesson 01_setup
    std::string prefix = module;
    if (!module.empty() && std::isdigit(static_cast<unsigned char>(module[0]))) {
        int n = std::atoi(module.c_str());
        char b[16];
        std::snprintf(b, sizeof b, "%02d", n);
        prefix = b;
    }
    if (!fs::is_directory(root / "lessons")) return "";
    for (const auto& e : fs::directory_iterator(root / "lessons")) {
        std::string name = e.path().filename().string();
        if (name == module || name.rfind(prefix + "_", 0) == 0) return name;
    }
    return "";
}

// What became of the node process.
struct Supervised {
    std::string out;          // its stdout (up to kMaxReportBytes)
    std::string err;          // the tail of its stderr
    std::string stage;        // the last "[grade] <stage>" it announced
    int exit_code = -1;       // -1: killed or died by a signal
    std::string killed;       // why the supervisor killed it, or ""
    double seconds = 0;       // wall time
    int64_t peak_rss_mb = 0;  // the largest resident set seen
};

int64_t rss_mb(pid_t pid) {
    std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
    long long size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

// Runs argv (argv[0] a path) in its own process group with env added; enforces the wall and memory limits.
Supervised supervise(const std::vector<std::string>& argv, const std::vector<std::string>& env, const fs::path& cwd,
                     double wall_seconds, int64_t memory_mb) {
    Supervised s;
    int out_pipe[2], err_pipe[2];
    TT_CHECK(pipe(out_pipe) == 0 && pipe(err_pipe) == 0, "tt grade: cannot create a pipe: " << std::strerror(errno));
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    TT_CHECK(pid >= 0, "tt grade: cannot fork: " << std::strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]), close(out_pipe[1]), close(err_pipe[0]), close(err_pipe[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        struct rlimit none = {0, 0}, files = {16 << 20, 16 << 20};
        setrlimit(RLIMIT_CORE, &none);
        setrlimit(RLIMIT_FSIZE, &files);
        if (chdir(cwd.c_str()) != 0) _exit(127);
        for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        std::fprintf(stderr, "tt grade: cannot run %s: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);  // also here: whichever of the two runs first, the group exists before any kill
    close(out_pipe[1]), close(err_pipe[1]);
    auto kill_group = [&](const std::string& why) {
        if (s.killed.empty()) s.killed = why;
        kill(-pid, SIGKILL);
    };
    std::string err_line;
    bool out_open = true, err_open = true, exited = false;
    int status = 0;
    char buf[65536];
    while (out_open || err_open || !exited) {
        struct pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
        poll(fds, 2, 50);
        for (int i = 0; i < 2; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                (i == 0 ? out_open : err_open) = false;
                continue;
            }
            if (i == 0) {
                s.out.append(buf, static_cast<size_t>(n));
                if (s.out.size() > kMaxReportBytes) kill_group("its report grew past 8 MiB");
                continue;
            }
            s.err.append(buf, static_cast<size_t>(n));
            for (err_line.append(buf, static_cast<size_t>(n)); err_line.find('\n') != std::string::npos;) {
                const size_t nl = err_line.find('\n');
                if (err_line.rfind("[grade] ", 0) == 0) s.stage = err_line.substr(8, nl - 8);
                err_line.erase(0, nl + 1);
            }
            if (err_line.size() > kStderrTail) err_line.clear();
            if (s.err.size() > 2 * kStderrTail) s.err.erase(0, s.err.size() - kStderrTail);
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (!exited) {
            const int64_t rss = rss_mb(pid);
            if (rss > s.peak_rss_mb) s.peak_rss_mb = rss;
            if (rss > memory_mb) kill_group("it went over the memory limit of " + std::to_string(memory_mb) + " MiB");
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (elapsed > wall_seconds)
            kill_group("it ran past the grader's overall limit of " + std::to_string(static_cast<int>(wall_seconds)) +
                       " s");
        if (exited && (out_open || err_open) && elapsed > wall_seconds + 5) break;  // a pipe held open by nothing
    }
    kill(-pid, SIGKILL);  // whatever of the group is left (nothing, normally)
    close(out_pipe[0]), close(err_pipe[0]);
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.killed.empty()) s.exit_code = -1;
    return s;
}

}  // namespace

std::string source_root() { return TT_SOURCE_DIR; }

int grade(const GradeOptions& options) {
    const fs::path root = options.root;
    const std::string& module = options.module;
    std::string lesson = find_lesson(root, module);
    if (lesson.empty()) {
        std::fprintf(stderr, "tt grade: no lesson '%s' in %s/lessons\n", module.c_str(), root.c_str());
        return 2;
    }
    const fs::path lesson_path = root / "lessons" / lesson / "lesson.json";
    const Json lesson_json = parse_json(read_file(lesson_path), lesson_path.string());
    TT_CHECK(lesson_json.is_object(), lesson_path.string() << ": not a JSON object");
    std::vector<std::string> files = string_list(lesson_json, "files", lesson_path.string());
    string_list(lesson_json, "checks", lesson_path.string());

    // student file → the lesson file it replaces
    std::map<std::string, std::string> replaced;
    const std::vector<std::string>& students = options.files;
    for (const auto& s : students) {
        std::error_code ec;
        if (!fs::is_regular_file(s, ec)) {
            std::fprintf(stderr, "tt grade: %s is not a file\n", s.c_str());
            return 2;
        }
        const auto size = fs::file_size(s, ec);
        if (ec || size > static_cast<uintmax_t>(kMaxStudentFileBytes)) {
            std::fprintf(stderr, "tt grade: %s is %llu bytes; a lesson file may have at most %lld\n", s.c_str(),
                         static_cast<unsigned long long>(size), static_cast<long long>(kMaxStudentFileBytes));
            return 2;
        }
        std::string target;
        if (files.size() == 1 && students.size() == 1) target = files[0];
        for (const auto& f : files)
            if (fs::path(f).filename() == fs::path(s).filename()) target = f;
        if (target.empty()) {
            std::fprintf(stderr, "tt grade: %s matches none of lesson %s's files\n", s.c_str(), lesson.c_str());
            return 2;
        }
        if (replaced.count(target)) {
            std::fprintf(stderr, "tt grade: two files for %s\n", target.c_str());
            return 2;
        }
        replaced[target] = fs::absolute(s).string();
    }

    const char* student_env = std::getenv("TT_STUDENT_DIR");
    const fs::path student_dir = fs::absolute(!options.student_dir.empty() ? fs::path(options.student_dir)
                                                  : student_env            ? fs::path(student_env)
                                                                           : root / "build/student");
    if (!fs::exists(student_dir / "manifest.json")) {
        std::fprintf(stderr,
                     "tt grade: no student build in %s (manifest.json is missing): build it with `make wasm`, or "
                     "`node scripts/prebuild-student.mjs --out build/student --xsimd "
                     "build/third_party/xsimd/include`\n",
                     student_dir.c_str());
        return 2;
    }
    fs::path script = root / "scripts/grade.mjs";
    if (!fs::exists(script)) script = fs::path(source_root()) / "scripts/grade.mjs";

    char dir_template[] = "/tmp/tt-grade-XXXXXX";
    TT_CHECK(mkdtemp(dir_template), "tt grade: cannot create a private folder in /tmp: " << std::strerror(errno));
    const fs::path work = dir_template;

    const char* node_env = std::getenv("TT_NODE");
    std::vector<std::string> argv = {node_env ? node_env : TT_NODE_EXE, "--max-old-space-size=1024", script.string(),
                                     "--lesson", lesson};
    for (const auto& [target, student] : replaced) argv.insert(argv.end(), {"--file", target + "=" + student});
    argv.insert(argv.end(),
                {"--time-limit-ms", std::to_string(options.timeout_seconds * 1000), "--compile-time-limit-ms",
                 std::to_string(options.compile_timeout_seconds * 1000), "--max-output-bytes",
                 std::to_string(options.max_output_kib * 1024)});
    const std::vector<std::string> env = {"TT_STUDENT_DIR=" + student_dir.string(), "HOME=" + work.string(),
                                          "TMPDIR=" + work.string()};
    // a backstop over the node side's own limits: startup and the compiler's warm-up (generous: loading clang is
    // slow on a loaded machine), each student file's compile limit, the reference Run and the student's
    const double wall = 180.0 + options.compile_timeout_seconds * static_cast<double>(replaced.size()) +
        2.0 * options.timeout_seconds + 60.0;
    Supervised run = supervise(argv, env, work, wall, options.memory_mb);
    std::error_code ec;
    fs::remove_all(work, ec);

    Json limits = Json::object();
    limits.set("timeout_seconds", options.timeout_seconds)
        .set("compile_timeout_seconds", options.compile_timeout_seconds)
        .set("memory_mb", options.memory_mb)
        .set("max_output_kib", options.max_output_kib)
        .set("wall_seconds", static_cast<int>(wall));
    Json files_json = Json::object();
    for (const auto& [target, student] : replaced) files_json.set(target, student);

    Json report;
    if (!run.killed.empty()) {
        // the node process was stopped from outside: the student's file made it too big or too slow
        report = Json::object();
        report.set("module", lesson)
            .set("files", files_json)
            .set("sandbox", "wasm")
            .set("compiled", Json())
            .set("ok", false)
            .set("reason",
                 "the grader was stopped while " + (run.stage.empty() ? "starting" : run.stage) + ": " + run.killed);
    } else if (run.exit_code == 2 || run.exit_code < 0 || run.exit_code > 2) {
        std::string err = run.err;
        while (!err.empty() && err.back() == '\n') err.pop_back();
        std::fprintf(stderr, "tt grade: %s%s\n", run.exit_code == 2 ? "" : "the grader failed: ", err.c_str());
        return 2;
    } else {
        try {
            report = parse_json(run.out, "the grader's report (scripts/grade.mjs)");
        } catch (const Error& e) {
            std::fprintf(stderr, "tt grade: %s\n%s", e.what(), run.err.c_str());
            return 2;
        }
        const Json* ok = report.is_object() ? report.find("ok") : nullptr;
        if (!ok || !ok->is_bool() || ok->as_bool() != (run.exit_code == 0)) {
            std::fprintf(stderr, "tt grade: the grader's report and exit code %d disagree\n", run.exit_code);
            return 2;
        }
    }
    limits.set("seconds", static_cast<int>(run.seconds + 0.5)).set("peak_memory_mb", run.peak_rss_mb);
    report.set("limits", limits);
    std::printf("%s\n", report.dump().c_str());
    const Json* ok = report.find("ok");
    return ok && ok->is_bool() && ok->as_bool() ? 0 : 1;
}

}  // namespace tt::cli
