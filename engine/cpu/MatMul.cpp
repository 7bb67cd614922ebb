#include "cpu/MatMul.h"

#include "quant/Kernels.h"

#include <algorithm>
#include <atomic>
#include <cassert>

namespace engine::cpu {

namespace {

std::atomic<bool> g_scalarOnly{false};

// Tile sizes: a task owns kRowTile weight rows; inside it inputs are visited in blocks of
// kTokenTile so the activations of a block stay in L2 while each weight row streams once.
constexpr int kRowTile = 16;
constexpr int kTokenTile = 64;

} // namespace

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
    if (!m_hasPrepared || quant::activationType(m_preparedFor) != act) {
        m_stride = quant::activationRowBytes(weightType, m_cols);
        m_buffer.resize(m_stride * static_cast<size_t>(m_n));
        const int n = m_n;
        const int cols = m_cols;
        pool.parallelFor(n, [&](int t, int) {
            quant::quantizeActivations(weightType, m_x + static_cast<size_t>(t) * cols, m_buffer.data() + m_stride * t, cols);
        });
        m_preparedFor = weightType;
        m_hasPrepared = true;
    }
    rowStride = m_stride;
    return m_buffer.data();
}

void matmul(ThreadPool& pool, const model::Tensor& w, MatMulInput& x, float* y, int rowBegin, int rowCount, int yStride,
            const model::Tensor* bias)
{
    assert(x.cols() == w.cols);
    if (rowCount < 0)
        rowCount = static_cast<int>(w.rows) - rowBegin;
    if (yStride == 0)
        yStride = rowCount;
    size_t actStride = 0;
    const uint8_t* act = x.prepared(pool, w.type, actStride);
    const quant::MatMulTileFn tile = g_scalarOnly.load(std::memory_order_relaxed) ? quant::matMulTileScalar(w.type) : quant::matMulTile(w.type);
    const int n = x.rows();
    const int64_t cols = w.cols;
    const float* b = bias && bias->present() ? bias->f32() : nullptr;

    // Decode (n == 1): many small tasks so both threads stay busy to the end; prefill: tiles of
    // kRowTile weight rows × kTokenTile inputs, the kernel's register tiles inside.
    const int rowTile = n == 1 ? std::max(4, rowCount / (pool.size() * 16) / 4 * 4) : kRowTile;
    const int nTasks = (rowCount + rowTile - 1) / rowTile;
    pool.parallelFor(nTasks, [&](int task, int) {
        const int r0 = task * rowTile;
        const int r1 = std::min(rowCount, r0 + rowTile);
        for (int t0 = 0; t0 < n; t0 += kTokenTile) {
            const int t1 = std::min(n, t0 + kTokenTile);
            float* out = y + static_cast<size_t>(t0) * yStride + r0;
            tile(cols, r1 - r0, t1 - t0, w.row(rowBegin + r0), w.rowBytes, act + actStride * t0, actStride, out, yStride);
            if (b)
                for (int t = t0; t < t1; ++t)
                    for (int r = r0; r < r1; ++r)
                        y[static_cast<size_t>(t) * yStride + r] += b[rowBegin + r];
        }
    });
}

} // namespace engine::cpu
