// The pool behind parallel_for (see parallel.h): workers wait (spinning briefly, then asleep on a condition
// variable) until a new job's generation number appears, then race the caller for task indices through one atomic
// counter. Not reentrant: a task must not call parallel_for or set_num_threads.
#include "parallel.h"

#include <algorithm>

#if defined(__EMSCRIPTEN_PTHREADS__) || (!defined(__EMSCRIPTEN__) && !defined(__wasi__))
#define TT_THREADS 1
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace tt {

#if defined(TT_THREADS)

namespace {

// Two is what the course's machines have (and what a browser tab reasonably gets); more cores are not used.
constexpr int kMaxThreads = 2;
int g_threads = 1;

class Pool {
public:
    explicit Pool(int workers) {
        for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
    }

    ~Pool() {  // wakes every worker with the stop flag and waits for them to return
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            generation_.fetch_add(1);
        }
        wake_.notify_all();
        for (std::thread& t : threads_) t.join();
    }

    void run(int tasks, const std::function<void(int)>& fn) {
        std::unique_lock<std::mutex> lock(mutex_);
        job_ = &fn;
        tasks_ = tasks;
        next_.store(0);
        busy_ = static_cast<int>(threads_.size());
        generation_.fetch_add(1);
        lock.unlock();
        wake_.notify_all();
        take_tasks(fn);  // the caller works too
        lock.lock();
        done_.wait(lock, [this] { return busy_ == 0; });
        job_ = nullptr;
    }

private:
    void take_tasks(const std::function<void(int)>& fn) {
        for (int i = next_.fetch_add(1); i < tasks_; i = next_.fetch_add(1)) fn(i);
    }

    void work() {
        long seen = 0;
        for (;;) {
            // Spin a while before sleeping: a caller issuing products back to back (a forward pass, a training
            // step) then finds the worker awake. Waking a sleeping thread costs tens of microseconds in wasm,
            // as long as a small product takes.
            const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicroseconds);
            while (generation_.load() == seen && std::chrono::steady_clock::now() < until) {}
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load() != seen; });
            seen = generation_.load();
            if (stopping_) return;
            const std::function<void(int)>* fn = job_;
            lock.unlock();
            take_tasks(*fn);
            lock.lock();
            if (--busy_ == 0) done_.notify_one();
        }
    }

    static constexpr int kSpinMicroseconds = 1000;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(int)>* job_ = nullptr;
    int tasks_ = 0, busy_ = 0;
    bool stopping_ = false;
    std::atomic<long> generation_{0};
    std::atomic<int> next_{0};
};

// Exists while more than one thread is asked for: set_num_threads(1) stops its workers (a node process can then
// exit: a live worker thread keeps it running).
std::unique_ptr<Pool> g_pool;

}  // namespace

int max_threads() { return std::max(1, std::min<int>(kMaxThreads, std::thread::hardware_concurrency())); }
int num_threads() { return g_threads; }

void set_num_threads(int n) {
    g_threads = std::clamp(n, 1, max_threads());
    if (g_threads == 1) g_pool.reset();
}

void parallel_for(int tasks, const std::function<void(int)>& fn) {
    if (g_threads <= 1 || tasks <= 1) {
        for (int i = 0; i < tasks; ++i) fn(i);
        return;
    }
    if (!g_pool) g_pool = std::make_unique<Pool>(g_threads - 1);
    g_pool->run(tasks, fn);
}

#else  // no threads in this build

int max_threads() { return 1; }
int num_threads() { return 1; }
void set_num_threads(int) {}
void parallel_for(int tasks, const std::function<void(int)>& fn) {
    for (int i = 0; i < tasks; ++i) fn(i);
}

#endif

}  // namespace tt
