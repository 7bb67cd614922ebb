#pragma once
// A persistent pool of worker threads for the CPU kernels. parallelFor() hands out task indices
// through an atomic counter; the calling thread works too. Between dispatches the workers spin
// for a short while before sleeping, because a decode step dispatches a few hundred small jobs
// and waking a sleeping thread costs more than most of them take.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace engine::cpu {

class ThreadPool {
public:
    // nThreads includes the caller; 1 means no worker threads.
    explicit ThreadPool(int nThreads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return m_nThreads; }

    // Runs fn(task, thread) for task in [0, nTasks), thread in [0, size()); returns when all
    // tasks are done. fn must not throw. Not reentrant.
    using TaskFn = std::function<void(int task, int thread)>;
    void parallelFor(int nTasks, const TaskFn& fn);

private:
    void workerLoop(int thread);
    void runTasks(int thread);

    int m_nThreads = 1;
    std::vector<std::thread> m_workers;
    const TaskFn* m_fn = nullptr;
    int m_nTasks = 0;
    std::atomic<int> m_nextTask{0};
    std::atomic<int> m_busy{0};              // workers still inside the current job
    std::atomic<uint64_t> m_generation{0};   // bumped for each job
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::atomic<int> m_sleepers{0};
};

// Threads to use when the caller asks for 0: the hardware's, capped at 8.
int defaultThreadCount();

} // namespace engine::cpu
