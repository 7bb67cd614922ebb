#pragma once
// A persistent pool of worker threads for the CPU kernels. parallelFor() hands out task indices
// through an atomic counter; the calling thread works too, and it waits only for tasks that were
// claimed, never for a worker to show up: on an oversubscribed machine a descheduled worker does
// not hold up a job (the caller runs every task itself). Between dispatches the workers spin for
// a short while before sleeping, because a decode step dispatches a few hundred small jobs and
// waking a sleeping thread costs more than most of them take.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <type_traits>
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
    // A non-owning reference to the callable (no std::function: that allocated per dispatch,
    // a few hundred times per generated token).
    class TaskFn {
    public:
        template <typename F>
            requires(!std::is_same_v<std::remove_cvref_t<F>, TaskFn>)
        TaskFn(const F& f)
            : m_obj(&f), m_call([](const void* o, int task, int thread) { (*static_cast<const F*>(o))(task, thread); })
        {
        }
        void operator()(int task, int thread) const { m_call(m_obj, task, thread); }

    private:
        const void* m_obj;
        void (*m_call)(const void*, int, int);
    };
    void parallelFor(int nTasks, const TaskFn& fn);

private:
    void workerLoop(int thread);
    // Claims and runs tasks of job `generation` until none is left (or a newer job started).
    void runTasks(uint32_t generation, int thread);

    int m_nThreads = 1;
    std::vector<std::thread> m_workers;
    // The job of generation g lives in slot g % 2: a worker that wakes late may still read the
    // previous job's slot, never one being written (a slot is reused two jobs later, after its
    // job and the next one completed).
    std::atomic<const TaskFn*> m_fnSlot[2] = {nullptr, nullptr};
    std::atomic<int> m_nTasksSlot[2] = {0, 0};
    // (generation << 32) | next task index: a task is claimed by a compare-exchange that also
    // checks the generation, so a late worker never takes a task of a newer job.
    std::atomic<uint64_t> m_work{0};
    std::atomic<int> m_done{0};              // tasks of the current job finished
    std::atomic<uint64_t> m_generation{0};   // bumped for each job
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::atomic<int> m_sleepers{0};
};

// Threads to use when the caller asks for 0: the hardware's, capped at 8.
int defaultThreadCount();

} // namespace engine::cpu
