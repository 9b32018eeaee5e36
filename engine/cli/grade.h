// `tt grade`: runs a lesson's checks natively on a student's file(s), for instructors grading in batch.
#pragma once

#include <string>
#include <vector>

namespace tt::cli {

// The source tree tt was built from: where `tt grade` finds the lessons unless told otherwise.
std::string source_root();

// What `tt grade` takes from the command line (tt.cpp).
struct GradeOptions {
    std::string module;                // lesson id or number: 01_setup, 01, 1
    std::vector<std::string> files;    // the student's files, each replacing the lesson file of the same name
    std::string root = source_root();  // the source tree holding lessons/, engine/ and tests/
    int timeout_seconds = 20;          // for running the checks
};

// Prints one JSON object; returns 0 when every check ran and passed, 1 when the student's code fails (or does not
// compile), 2 when the request cannot be graded (no such lesson, a file that matches none of the lesson's).
int grade(const GradeOptions& options);

}  // namespace tt::cli
