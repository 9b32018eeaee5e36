// `tt grade <module> <student-file.cpp>...`: the lesson's hidden checks, compiled natively with g++ against the
// student's file(s) and the reference engine minus the files they replace, the way the in-browser student build
// does it with clang-as-wasm. The result is one JSON object on stdout:
//
//   {"module":"01_setup","files":{"engine/core/profile.cpp":"alice/profile.cpp"},"compiled":true,"compiler_output":"",
//    "exit_code":0,"timed_out":false,"passed":2,"failed":0,"crashed":0,"skipped":1,"ok":true,
//    "events":[{"event":"start",...}, ...]}
//
// "events" are the per-case lines of the doctest listener in tests/engine/student_main.cpp (the same one the browser
// uses: web/js/student/results.mjs reads them). Natively exceptions exist, so error-path checks run here, and a
// TT_TODO or failed TT_CHECK fails only its own case.
//
// How: it shells out to g++ (override with $CXX) and `timeout`. Objects of the unchanged engine files, doctest's
// main and the check file are cached in $TT_GRADE_CACHE (default /tmp/tt-grade-cache-<uid>) by a hash of their
// source and every header, so grading a class recompiles only each student's file and links. The sources are found
// in --root (default: the source tree tt was built from).
#include "grade.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "error.h"
#include "json.h"

#ifndef TT_SOURCE_DIR
#define TT_SOURCE_DIR "."
#endif
#ifndef TT_XSIMD_DIR
#define TT_XSIMD_DIR "build/third_party/xsimd/include"
#endif
#ifndef TT_DOCTEST_INC
#define TT_DOCTEST_INC "/usr/include"
#endif

namespace fs = std::filesystem;

namespace tt::cli {
namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
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

// Runs a shell command, captures stdout+stderr; returns the exit status (-1 if it did not exit normally).
int run(const std::string& cmd, std::string* output) {
    std::string full = cmd + " 2>&1";
    FILE* p = popen(full.c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Grader {
    fs::path root;
    fs::path cache;
    std::string cxx;
    std::string flags;
    std::string header_hash;

    // Compiles src to a cached object named by a hash of (flags, source, headers); → object path, or "" on error.
    std::string object(const fs::path& src, std::string* output) {
        std::string key = flags + header_hash + read_file(src);
        char name[64];
        std::snprintf(name, sizeof name, "%016zx.o", std::hash<std::string>{}(key));
        fs::path obj = cache / (src.stem().string() + "-" + name);
        if (fs::exists(obj)) return obj.string();
        fs::path tmp = obj;
        tmp += ".tmp" + std::to_string(getpid());
        std::string cmd = cxx + " " + flags + " -c " + shell_quote(src.string()) + " -o " + shell_quote(tmp.string());
        if (run(cmd, output) != 0) return "";
        fs::rename(tmp, obj);
        return obj.string();
    }
};

std::string find_lesson(const fs::path& root, const std::string& module) {
    // "1", "01", "01_setup" all name lesson 01_setup
    std::string prefix = module;
    if (!module.empty() && std::isdigit(static_cast<unsigned char>(module[0]))) {
        int n = std::atoi(module.c_str());
        char b[8];
        std::snprintf(b, sizeof b, "%02d", n);
        prefix = b;
    }
    if (!fs::exists(root / "lessons")) return "";
    for (const auto& e : fs::directory_iterator(root / "lessons")) {
        std::string name = e.path().filename().string();
        if (name == module || name.rfind(prefix + "_", 0) == 0) return name;
    }
    return "";
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
    std::vector<std::string> checks = string_list(lesson_json, "checks", lesson_path.string());

    // student file → the lesson file it replaces
    std::map<std::string, std::string> replaced;
    const std::vector<std::string>& students = options.files;
    for (const auto& s : students) {
        if (!fs::exists(s)) {
            std::fprintf(stderr, "tt grade: %s does not exist\n", s.c_str());
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
        replaced[target] = s;
    }
    for (const auto& f : files) {
        if (!fs::exists(root / f)) {
            std::fprintf(stderr, "tt grade: lesson %s lists %s, which does not exist\n", lesson.c_str(), f.c_str());
            return 2;
        }
    }

    Grader g;
    g.root = root;
    const char* cache_env = std::getenv("TT_GRADE_CACHE");
    g.cache =
        cache_env ? fs::path(cache_env) : fs::temp_directory_path() / ("tt-grade-cache-" + std::to_string(getuid()));
    fs::create_directories(g.cache);
    const char* cxx_env = std::getenv("CXX");
    g.cxx = cxx_env ? cxx_env : "g++";
    // The engine library: every folder of engine/ but bindings/ and cli/, each on the include path (the rule of
    // CMakeLists.txt and scripts/prebuild-student.mjs).
    std::vector<fs::path> layers;
    for (const auto& e : fs::directory_iterator(root / "engine")) {
        std::string name = e.path().filename().string();
        if (e.is_directory() && name != "bindings" && name != "cli") layers.push_back(e.path());
    }
    std::sort(layers.begin(), layers.end());
    std::string includes;
    for (const auto& l : layers) includes += " -I" + shell_quote(l.string());
    g.flags = "-std=c++17 -O1 -DTT_USE_XSIMD=1" + includes + " -I" + shell_quote((root / "tests/engine").string()) +
        " -isystem " + shell_quote(TT_XSIMD_DIR) + " -isystem " + shell_quote(TT_DOCTEST_INC) +
        " -DTT_FIXTURES_DIR=" + shell_quote("\"" + (root / "tests/fixtures").string() + "\"");
    std::string headers;
    std::vector<fs::path> header_dirs = layers;
    header_dirs.push_back(root / "tests/engine");
    for (const auto& dir : header_dirs)
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".h") headers += e.path().filename().string() + read_file(e.path());
    g.header_hash = std::to_string(std::hash<std::string>{}(headers));

    std::string compiler_output;
    std::vector<std::string> objects;
    bool compiled = true;
    auto add = [&](const fs::path& src) {
        std::string o = g.object(src, &compiler_output);
        if (o.empty()) compiled = false;
        else objects.push_back(o);
    };
    add(root / "tests/engine/student_main.cpp");
    for (const auto& c : checks) add(root / c);
    for (const auto& [target, student] : replaced) add(fs::absolute(student));
    for (const auto& layer : layers) {
        for (const auto& e : fs::directory_iterator(layer)) {
            if (e.path().extension() != ".cpp") continue;
            std::string rel = "engine/" + layer.filename().string() + "/" + e.path().filename().string();
            if (!replaced.count(rel)) add(e.path());
        }
    }

    fs::path exe = g.cache / ("grade-" + std::to_string(getpid()));
    int exit_code = -1;
    bool timed_out = false;
    std::string run_output;
    if (compiled) {
        std::string link = g.cxx + " -o " + shell_quote(exe.string());
        for (const auto& o : objects) link += " " + shell_quote(o);
        link += " -pthread";
        compiled = run(link, &compiler_output) == 0;
    }
    if (compiled) {
        // stdout (doctest's console report) is dropped: the listener's lines on stderr carry the results
        std::string cmd = "timeout " + std::to_string(options.timeout_seconds) + " " + shell_quote(exe.string()) +
            " --no-colors 2>&1 >/dev/null";
        FILE* p = popen(cmd.c_str(), "r");
        char buf[4096];
        size_t n;
        while (p && (n = std::fread(buf, 1, sizeof buf, p)) > 0) run_output.append(buf, n);
        int status = p ? pclose(p) : -1;
        exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        timed_out = exit_code == 124;
        fs::remove(exe);
    }

    // The listener's lines (tests/engine/student_main.cpp); a line cut short by a crash is not an event.
    int started = 0, passed = 0, failed = 0, skipped = 0;
    Json events = Json::array();
    std::istringstream lines(run_output);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("[tt] {", 0) != 0) continue;
        Json ev;
        try {
            ev = parse_json(line.substr(5), "check output");
        } catch (const Error&) {
            continue;
        }
        const Json* kind = ev.find("event");
        const std::string name = kind && kind->is_string() ? kind->as_string() : "";
        const Json* ev_ok = ev.find("ok");
        if (name == "start") ++started;
        if (name == "end") (ev_ok && ev_ok->is_bool() && ev_ok->as_bool() ? passed : failed)++;
        if (name == "skip") ++skipped;
        events.push_back(std::move(ev));
    }
    int crashed = started - passed - failed;
    bool ok = compiled && !timed_out && exit_code == 0 && crashed == 0 && failed == 0 && passed > 0;

    Json files_json = Json::object();
    for (const auto& [target, student] : replaced) files_json.set(target, student);
    Json report = Json::object();
    report.set("module", lesson)
        .set("files", files_json)
        .set("compiled", compiled)
        .set("compiler_output", compiler_output)
        .set("exit_code", exit_code)
        .set("timed_out", timed_out)
        .set("passed", passed)
        .set("failed", failed)
        .set("crashed", crashed)
        .set("skipped", skipped)
        .set("ok", ok)
        .set("events", events);
    std::printf("%s\n", report.dump().c_str());
    return ok ? 0 : 1;
}

}  // namespace tt::cli
