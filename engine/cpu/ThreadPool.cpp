#include "cpu/ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

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

namespace {

// Physical cores from /proc/cpuinfo ("physical id" + "core id" pairs); 0 when unknown. SMT
// siblings share one core's execution units, and the kernels saturate them with one thread.
int physicalCoreCount()
{
    std::ifstream in("/proc/cpuinfo");
    if (!in)
        return 0;
    std::set<std::pair<int, int>> cores;
    int physical = 0;
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        const int value = std::atoi(line.c_str() + colon + 1);
        if (key == "physical id")
            physical = value;
        else if (key == "core id")
            cores.insert({physical, value});
    }
    return static_cast<int>(cores.size());
}

} // namespace

int defaultThreadCount()
{
    static const int count = [] {
        const int physical = physicalCoreCount();
        const unsigned hw = std::thread::hardware_concurrency();
        const int n = physical > 0 ? physical : static_cast<int>(hw == 0 ? 4 : hw);
        return std::clamp(n, 1, 8);
    }();
    return count;
}

} // namespace engine::cpu
