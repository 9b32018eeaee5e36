// Module 06 — prefetch: one job run ahead on a second thread, so the next batch is put together while the current
// one computes (what PyTorch's DataLoader does with worker processes and prefetch_factor).
//
// Threads exist natively and in the threaded web build (__EMSCRIPTEN_PTHREADS__, cross-origin-isolated pages).
// In the single-threaded web build and the in-browser student build there is no second thread: submit() only
// keeps the job and wait() runs it, on the caller — the loader's output and even the call that reports an error
// are the same, only nothing overlaps. threaded() says which one this build does.
//
// A job must not make or drop Tensors (the memory accounting of module 01 is not thread-safe): the loader hands it
// buffers it allocated itself.
#pragma once

#include <exception>
#include <functional>
#include <memory>

namespace tt {

class Prefetcher {
public:
    Prefetcher();
    ~Prefetcher();  // waits for a running job, then stops the thread
    Prefetcher(const Prefetcher&) = delete;
    Prefetcher& operator=(const Prefetcher&) = delete;

    static bool threaded();

    // Starts job on the second thread (after waiting for the previous one to finish).
    void submit(std::function<void()> job);
    // Waits until the submitted job has finished; an error the job threw is thrown here, on the caller.
    void wait();
    // Waits for (with threads) or drops (without) the submitted job, ignoring its result and any error: for a
    // batch nobody will take.
    void discard();

private:
    struct Worker;
    std::unique_ptr<Worker> worker_;  // started on the first submit; null without threads
};

}  // namespace tt
