// `tt grade`: a lesson's checks on a student's file(s), in the page's sandbox (wasm under node), for instructors
// grading in batch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tt::cli {

// The source tree tt was built from: where `tt grade` finds the lessons unless told otherwise.
std::string source_root();

// What `tt grade` takes from the command line (tt.cpp).
struct GradeOptions {
    std::string module;                // lesson id or number: 01_setup, 01, 1
    std::vector<std::string> files;    // the student's files, each replacing the lesson file of the same name
    std::string root = source_root();  // the source tree holding lessons/ and scripts/grade.mjs
    std::string student_dir;           // the prebuilt student build; "" → $TT_STUDENT_DIR, else <root>/build/student
    int timeout_seconds = 20;          // for running the checks (each Run: the reference's and the student's)
    int compile_timeout_seconds = 60;  // for compiling one student file
    int memory_mb = 3072;              // resident memory of the whole grader (compiler + program) before it is killed
    int max_output_kib = 64;           // what the student's program may print per stream; more fails the file
};

// The largest student file `tt grade` takes (tt.cpp checks it on the command line).
constexpr std::int64_t kMaxStudentFileBytes = 1 << 20;

// Prints one JSON object; returns 0 when every check ran and passed, 1 when the student's code fails (or does not
// compile, or runs past a limit), 2 when the request cannot be graded (no such lesson, a file that matches none of
// the lesson's, no student build).
int grade(const GradeOptions& options);

}  // namespace tt::cli
