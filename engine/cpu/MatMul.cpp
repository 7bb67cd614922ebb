#include "cpu/MatMul.h"

#include "quant/Kernels.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdlib>
#include <string_view>

namespace engine::cpu {

namespace {

std::atomic<bool> g_scalarOnly{false};

// INKSTONE_MATMUL=tiles keeps prefill on the row-major tiles: the baseline the panel products
// are benchmarked against.
bool panelsEnabled()
{
    static const bool enabled = [] {
        const char* v = std::getenv("INKSTONE_MATMUL");
        return !(v && std::string_view(v) == "tiles");
    }();
    return enabled;
}

// Tile sizes: a task owns kRowTile weight rows; inside it inputs are visited in blocks of
// kTokenTile so the activations of a block stay in L2 while each weight row streams once.
constexpr int kRowTile = 16;
constexpr int kTokenTile = 64;

// From this many input rows on, quantized weights go through packed panels: below it, packing a
// task's rows costs more than the panel product saves.
constexpr int kPanelMinInputs = 8;
// A task's panel should stay in the core's L2 while every input row streams past it.
constexpr size_t kPanelBudgetBytes = 192 * 1024;
constexpr int kPanelMaxRows = 64;

int panelRowsPerTask(const quant::PanelOps& ops, int64_t cols)
{
    const size_t groupBytes = ops.bytes(cols, ops.groupRows);
    const int groups = static_cast<int>(std::clamp<size_t>(kPanelBudgetBytes / std::max<size_t>(groupBytes, 1), 1,
                                                          kPanelMaxRows / ops.groupRows));
    return groups * ops.groupRows;
}

thread_local std::vector<uint8_t> t_panel;

} // namespace

namespace {
// Converted-activation buffers of finished inputs, reused by the next ones (inputs are made and
// dropped by the thread that runs the forward pass).
thread_local std::vector<std::unique_ptr<MatMulInput::Converted>> t_spare;
} // namespace

MatMulInput::~MatMulInput()
{
    for (auto& c : m_converted)
        if (c)
            t_spare.push_back(std::move(c));
}

void setMatMulScalarOnly(bool scalarOnly)
{
    g_scalarOnly.store(scalarOnly);
}

const uint8_t* MatMulInput::prepared(ThreadPool& pool, quant::TensorType weightType, size_t& rowStride)
{
    const quant::TensorType act = quant::activationType(weightType);
    if (act == quant::TensorType::F32) {
        rowStride = static_cast<size_t>(m_cols) * sizeof(float);
        return reinterpret_cast<const uint8_t*>(m_x);
    }
    size_t slot = 0;
    for (; slot < m_converted.size() && m_converted[slot]; ++slot) {
        const auto& c = m_converted[slot];
        if (c->activationType == act) {
            rowStride = c->stride;
            return c->bytes.data();
        }
    }
    std::unique_ptr<Converted> c;
    if (!t_spare.empty()) {
        c = std::move(t_spare.back());
        t_spare.pop_back();
    } else {
        c = std::make_unique<Converted>();
    }
    c->activationType = act;
    c->stride = quant::activationRowBytes(weightType, m_cols);
    c->bytes.resize(c->stride * static_cast<size_t>(m_n));
    Converted& out = *c;
    const int cols = m_cols;
    pool.parallelFor(m_n, [&](int t, int) {
        quant::quantizeActivations(weightType, m_x + static_cast<size_t>(t) * cols, out.bytes.data() + out.stride * t, cols);
    });
    assert(slot < m_converted.size());
    c->hasSums = false;
    m_converted[slot] = std::move(c);
    rowStride = out.stride;
    return out.bytes.data();
}

const float* MatMulInput::panelSums(ThreadPool& pool, quant::TensorType weightType)
{
    size_t stride = 0;
    const uint8_t* rows = prepared(pool, weightType, stride);
    const quant::TensorType act = quant::activationType(weightType);
    for (auto& c : m_converted) {
        if (!c || c->activationType != act)
            continue;
        if (!c->hasSums) {
            const int64_t count = quant::activationPanelSumsCount(m_cols);
            c->sums.resize(static_cast<size_t>(count * m_n));
            Converted& out = *c;
            pool.parallelFor(m_n, [&](int t, int) {
                quant::activationPanelSums(weightType, rows + stride * t, m_cols, out.sums.data() + count * t);
            });
            c->hasSums = true;
        }
        return c->sums.data();
    }
    assert(false);
    return nullptr;
}

void matmul(ThreadPool& pool, const model::Tensor& w, MatMulInput& x, float* y, int rowBegin, int rowCount, int yStride,
            const model::Tensor* bias)
{
    MatMulJob job{&w, &x, y, rowBegin, rowCount, yStride, bias};
    matmul(pool, std::span<MatMulJob>(&job, 1));
}

void matmul(ThreadPool& pool, std::span<MatMulJob> jobs)
{
    struct Prepared {
        const uint8_t* act;
        size_t actStride;
        quant::MatMulTileFn tile;
        const quant::PanelOps* panel;
        const float* sums;
        int rowTile;
        int firstTask;
    };
    // At most a few jobs per call (q, k, v): no heap allocation for them.
    Prepared local[4];
    std::vector<Prepared> heap;
    Prepared* prep = local;
    if (jobs.size() > 4) {
        heap.resize(jobs.size());
        prep = heap.data();
    }
    const bool scalar = g_scalarOnly.load(std::memory_order_relaxed);
    int nTasks = 0;
    for (size_t j = 0; j < jobs.size(); ++j) {
        MatMulJob& job = jobs[j];
        assert(job.x->cols() == job.w->cols);
        if (job.rowCount < 0)
            job.rowCount = static_cast<int>(job.w->rows) - job.rowBegin;
        if (job.yStride == 0)
            job.yStride = job.rowCount;
        Prepared& p = prep[j];
        p.act = job.x->prepared(pool, job.w->type, p.actStride);
        const bool wantPanel = job.x->rows() >= kPanelMinInputs && panelsEnabled();
        if (job.w->interleaved) {
            // The CPU backend interleaves only where these kernels run, and only matrices whose
            // row ranges fall on groups of 8 (CpuWeights.cpp).
            assert(job.rowBegin % 8 == 0 && job.rowCount % 8 == 0 && !scalar);
            p.tile = quant::interleavedTile(job.w->type);
            p.panel = wantPanel ? quant::interleavedPanelOps(job.w->type) : nullptr;
        } else {
            p.tile = scalar ? quant::matMulTileScalar(job.w->type) : quant::matMulTile(job.w->type);
            p.panel = !scalar && wantPanel ? quant::panelOps(job.w->type) : nullptr;
        }
        p.sums = p.panel ? job.x->panelSums(pool, job.w->type) : nullptr;
        // Decode (one input row): about four tasks per thread, so that a late thread still finds
        // work, yet each task's fixed cost (claiming it, the kernels' per-call activation sums)
        // stays small: qwen2-0.5b Q4_0 tg 75 t/s with sixteen per thread, 92 with four (two were
        // no faster and less steady). Prefill: a panel of rows per task, or tiles of kRowTile
        // weight rows × kTokenTile inputs (register tiles inside).
        if (p.panel)
            p.rowTile = panelRowsPerTask(*p.panel, job.w->cols);
        else
            p.rowTile = job.x->rows() == 1 ? std::max(8, job.rowCount / (pool.size() * 4) / 8 * 8) : kRowTile;
        p.firstTask = nTasks;
        nTasks += (job.rowCount + p.rowTile - 1) / p.rowTile;
    }
    // One dispatch for all jobs (q, k and v together; gate and up together): fewer barriers.
    pool.parallelFor(nTasks, [&](int task, int) {
        size_t j = 0;
        while (j + 1 < jobs.size() && task >= prep[j + 1].firstTask)
            ++j;
        const MatMulJob& job = jobs[j];
        const Prepared& p = prep[j];
        const int n = job.x->rows();
        const int r0 = (task - p.firstTask) * p.rowTile;
        const int r1 = std::min(job.rowCount, r0 + p.rowTile);
        const float* b = job.bias && job.bias->present() ? job.bias->f32() : nullptr;
        if (p.panel) {
            const int64_t cols = job.w->cols;
            t_panel.resize(p.panel->bytes(cols, r1 - r0));
            p.panel->pack(cols, r1 - r0, job.w->row(job.rowBegin + r0), job.w->rowBytes, t_panel.data());
            p.panel->multiply(cols, r1 - r0, n, t_panel.data(), p.act, p.actStride, p.sums,
                              static_cast<size_t>(quant::activationPanelSumsCount(cols)), job.y + r0, job.yStride);
            if (b)
                for (int t = 0; t < n; ++t)
                    for (int r = r0; r < r1; ++r)
                        job.y[static_cast<size_t>(t) * job.yStride + r] += b[job.rowBegin + r];
            return;
        }
        for (int t0 = 0; t0 < n; t0 += kTokenTile) {
            const int t1 = std::min(n, t0 + kTokenTile);
            float* out = job.y + static_cast<size_t>(t0) * job.yStride + r0;
            p.tile(job.w->cols, r1 - r0, t1 - t0, job.w->row(job.rowBegin + r0), job.w->rowBytes, p.act + p.actStride * t0,
                   p.actStride, out, job.yStride);
            if (b)
                for (int t = t0; t < t1; ++t)
                    for (int r = r0; r < r1; ++r)
                        job.y[static_cast<size_t>(t) * job.yStride + r] += b[job.rowBegin + r];
        }
    });
}

} // namespace engine::cpu
