// `tt grade`: runs a lesson's checks natively on a student's file(s), for instructors grading in batch.
#pragma once

namespace tt::cli {

// argv: <module> <student-file.cpp>... [--root DIR] [--timeout SECONDS]. Prints one JSON object; returns 0 when
// every check ran and passed, 1 when the student's code fails (or does not compile), 2 on a usage error.
int grade(int argc, char** argv);

}  // namespace tt::cli
