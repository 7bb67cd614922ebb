#include "cpu/ThreadPool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define INKSTONE_PAUSE() _mm_pause()
#else
#define INKSTONE_PAUSE() ((void)0)
#endif

namespace engine::cpu {

namespace {
// How long a worker spins for the next job before it sleeps: a decode step's jobs come a few
// microseconds apart, a user's next message seconds apart.
constexpr auto kSpinTime = std::chrono::microseconds(2000);
} // namespace

ThreadPool::ThreadPool(int nThreads) : m_nThreads(std::max(1, nThreads))
{
    for (int t = 1; t < m_nThreads; ++t)
        m_workers.emplace_back([this, t] { workerLoop(t); });
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop.store(true);
        m_generation.fetch_add(1);
    }
    m_wake.notify_all();
    for (std::thread& w : m_workers)
        w.join();
}

void ThreadPool::runTasks(int thread)
{
    for (;;) {
        const int task = m_nextTask.fetch_add(1, std::memory_order_relaxed);
        if (task >= m_nTasks)
            break;
        (*m_fn)(task, thread);
    }
}

void ThreadPool::parallelFor(int nTasks, const TaskFn& fn)
{
    if (nTasks <= 0)
        return;
    if (m_nThreads == 1 || nTasks == 1) {
        for (int i = 0; i < nTasks; ++i)
            fn(i, 0);
        return;
    }
    m_fn = &fn;
    m_nTasks = nTasks;
    m_nextTask.store(0, std::memory_order_relaxed);
    m_busy.store(m_nThreads - 1, std::memory_order_relaxed);
    {
        // The generation bump publishes m_fn/m_nTasks (release); sleepers are woken under the lock
        // so none misses it.
        std::lock_guard lock(m_mutex);
        m_generation.fetch_add(1, std::memory_order_release);
    }
    if (m_sleepers.load(std::memory_order_acquire) > 0)
        m_wake.notify_all();
    runTasks(0);
    // Yield now and then: on an oversubscribed machine the worker we wait for may need this core.
    for (int spins = 1; m_busy.load(std::memory_order_acquire) > 0; ++spins) {
        INKSTONE_PAUSE();
        if (spins % 1024 == 0)
            std::this_thread::yield();
    }
    m_fn = nullptr;
}

void ThreadPool::workerLoop(int thread)
{
    uint64_t seen = 0;
    for (;;) {
        uint64_t gen = m_generation.load(std::memory_order_acquire);
        if (gen == seen) {
            const auto spinUntil = std::chrono::steady_clock::now() + kSpinTime;
            int spins = 0;
            while ((gen = m_generation.load(std::memory_order_acquire)) == seen) {
                INKSTONE_PAUSE();
                if (++spins % 256 == 0) {
                    if (std::chrono::steady_clock::now() > spinUntil)
                        break;
                    std::this_thread::yield();
                }
            }
            if (gen == seen) {
                std::unique_lock lock(m_mutex);
                m_sleepers.fetch_add(1, std::memory_order_acq_rel);
                m_wake.wait(lock, [&] { return m_generation.load(std::memory_order_acquire) != seen; });
                m_sleepers.fetch_sub(1, std::memory_order_acq_rel);
                gen = m_generation.load(std::memory_order_acquire);
            }
        }
        seen = gen;
        if (m_stop.load())
            return;
        runTasks(thread);
        m_busy.fetch_sub(1, std::memory_order_acq_rel);
    }
}

int defaultThreadCount()
{
    const unsigned hw = std::thread::hardware_concurrency();
    return std::clamp(static_cast<int>(hw == 0 ? 4 : hw), 1, 8);
}

} // namespace engine::cpu
