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
// microseconds apart, a user's next message seconds apart. Short, because on a busy machine a
// spinning worker takes the core from someone who has work.
constexpr auto kSpinTime = std::chrono::microseconds(500);
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

void ThreadPool::runTasks(uint32_t generation, int thread)
{
    const int slot = generation & 1;
    uint64_t w = m_work.load(std::memory_order_seq_cst);
    for (;;) {
        if (static_cast<uint32_t>(w >> 32) != generation)
            return;
        const uint32_t task = static_cast<uint32_t>(w);
        if (task >= static_cast<uint32_t>(m_nTasksSlot[slot].load(std::memory_order_relaxed)))
            return;
        if (!m_work.compare_exchange_weak(w, w + 1, std::memory_order_seq_cst))
            continue;
        // Claimed: the job cannot complete (nor its slot be reused) before this task is done.
        (*m_fnSlot[slot].load(std::memory_order_relaxed))(static_cast<int>(task), thread);
        m_done.fetch_add(1, std::memory_order_release);
        w = m_work.load(std::memory_order_seq_cst);
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
    const uint64_t gen = m_generation.load(std::memory_order_relaxed) + 1;
    const uint32_t gen32 = static_cast<uint32_t>(gen);
    const int slot = gen32 & 1;
    m_fnSlot[slot].store(&fn, std::memory_order_relaxed);
    m_nTasksSlot[slot].store(nTasks, std::memory_order_relaxed);
    m_done.store(0, std::memory_order_relaxed);
    m_work.store(static_cast<uint64_t>(gen32) << 32, std::memory_order_seq_cst);
    {
        // Sleepers are woken under the lock so none misses the bump.
        std::lock_guard lock(m_mutex);
        m_generation.store(gen, std::memory_order_release);
    }
    if (m_sleepers.load(std::memory_order_acquire) > 0)
        m_wake.notify_all();
    runTasks(gen32, 0);
    // Every task is claimed; wait for the ones still running on workers. Yield now and then: on
    // an oversubscribed machine the worker we wait for may need this core.
    for (int spins = 1; m_done.load(std::memory_order_acquire) < nTasks; ++spins) {
        INKSTONE_PAUSE();
        if (spins % 128 == 0)
            std::this_thread::yield();
    }
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
                if (++spins % 64 == 0) {
                    if (std::chrono::steady_clock::now() > spinUntil)
                        break;
                    if (spins % 1024 == 0)
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
        runTasks(static_cast<uint32_t>(gen), thread);
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
