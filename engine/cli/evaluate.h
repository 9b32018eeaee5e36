// Issue 17 — `tt evaluate`: one submitted model scored on a hidden set, one JSON line out (evaluate.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace tt::cli {

struct EvaluateOptions {
    std::string task;              // mnist, fashion-mnist, cifar10, tinygpt
    std::string model;             // the submitted .safetensors
    std::string data;              // the hidden set: a .ttds shard, or UTF-8 text for tinygpt
    int64_t public_count = -1;     // images (tinygpt: windows) of the public part; the rest is private; -1: all
    int64_t windows = 256;         // tinygpt: windows of block_size + 1 characters spread over the text
    int64_t max_bytes = 10485760;  // larger files are refused before parsing
    double sample_seconds = 0.02;  // latency: time_forward's sample length
    bool check_only = false;       // validate (header, architecture, shapes) without the data
};

// Prints {"ok": true, "task", "arch", "parameters", "public", "private", "latencyMs", "bytes", "peakBytes"} or
// {"ok": false, "error": message}; returns 0 or 1.
int evaluate(const EvaluateOptions& o);

}  // namespace tt::cli
