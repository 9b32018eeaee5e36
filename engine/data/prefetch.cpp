#include "prefetch.h"

#include <exception>
#include <utility>

#include "error.h"

#if defined(__EMSCRIPTEN_PTHREADS__) || (!defined(__EMSCRIPTEN__) && !defined(__wasi__))
#define TT_PREFETCH_THREADS 1
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace tt {

#if defined(TT_PREFETCH_THREADS)

// One long-lived thread: starting a thread per batch costs tens of microseconds natively and needs a free pool
// worker in the browser, where the main thread must never block waiting for one to start.
struct Prefetcher::Worker {
    std::mutex mutex;
    std::condition_variable changed;
    std::function<void()> job;  // set: waiting to run or running
    bool running = false;
    bool stop = false;
    std::exception_ptr error;
    std::thread thread;

    Worker() : thread([this] { loop(); }) {}
    ~Worker() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stop = true;
        }
        changed.notify_all();
        thread.join();
    }

    void loop() {
        std::unique_lock<std::mutex> lock(mutex);
        for (;;) {
            changed.wait(lock, [this] { return stop || job; });
            if (!job) return;  // stop, and nothing left to run
            running = true;
            std::function<void()> work = job;
            lock.unlock();
            std::exception_ptr failed;
#if TT_HAS_EXCEPTIONS
            try {
                work();
            } catch (...) {
                failed = std::current_exception();
            }
#else
            work();
#endif
            lock.lock();
            error = failed;
            job = nullptr;
            running = false;
            changed.notify_all();
        }
    }

    std::exception_ptr wait() {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this] { return !job; });
        return std::exchange(error, nullptr);
    }
};

bool Prefetcher::threaded() { return true; }

void Prefetcher::submit(std::function<void()> job) {
    wait();
    if (!worker_) worker_ = std::make_unique<Worker>();
    {
        std::lock_guard<std::mutex> lock(worker_->mutex);
        worker_->job = std::move(job);
    }
    worker_->changed.notify_all();
}

void Prefetcher::wait() {
    if (!worker_) return;
    std::exception_ptr failed = worker_->wait();
    if (failed) std::rethrow_exception(failed);
}

void Prefetcher::discard() {
    if (worker_) worker_->wait();  // a running job cannot be stopped; its error is nobody's
}

#else  // no threads in this build: wait() runs the job on the caller

struct Prefetcher::Worker {
    std::function<void()> job;
};

bool Prefetcher::threaded() { return false; }

void Prefetcher::submit(std::function<void()> job) {
    wait();
    if (!worker_) worker_ = std::make_unique<Worker>();
    worker_->job = std::move(job);
}

void Prefetcher::wait() {
    if (!worker_ || !worker_->job) return;
    std::function<void()> job = std::move(worker_->job);
    worker_->job = nullptr;
    job();
}

void Prefetcher::discard() {
    if (worker_) worker_->job = nullptr;
}

#endif

Prefetcher::Prefetcher() = default;

Prefetcher::~Prefetcher() { discard(); }

}  // namespace tt
