// Module 15 (Kernels) — one loop, several threads.
//
// parallel_for(tasks, fn) runs fn(0) ... fn(tasks - 1) and returns when every call has finished. With more than
// one thread, a small pool of workers (started on first use, kept for the life of the program) takes tasks from a
// shared counter while the calling thread takes them too, so a task is the unit of balance: cut work into a few
// tasks per thread, each big enough (tens of microseconds) to pay for the hand-off.
//
// Builds without threads (the in-browser student build, the single-threaded web build) always run on the
// caller, and num_threads() stays 1. The threaded builds (native, the web build for cross-origin-isolated pages)
// also start at 1 thread: more is something a caller asks for (set_num_threads), so results and timings never
// change behind anyone's back.
#pragma once

#include <functional>

namespace tt {

int max_threads();            // what this build can use: 1 without threads
int num_threads();            // what parallel_for uses now (default 1)
void set_num_threads(int n);  // clamped to [1, max_threads()]; 1 also stops the pool's workers

// fn must not throw (check arguments before splitting the work).
void parallel_for(int tasks, const std::function<void(int)>& fn);

}  // namespace tt
