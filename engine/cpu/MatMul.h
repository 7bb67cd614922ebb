#pragma once
// y = W·x for a batch of input rows, over the quant kernels' vecDot: each input row is converted
// once to the activation format the weight type pairs with (Q8_0, Q8_K, F16 ... as ggml does),
// then the rows of W are split across the thread pool. A prompt's worth of inputs goes through
// the quantized formats' panel products (quant::PanelOps): each task packs its weight rows once
// and multiplies them with every input row. With several input rows (prefill), each
// task walks a block of weight rows against a block of inputs, so a weight row is read from
// memory once per block of tokens, not once per token.

#include "cpu/ThreadPool.h"
#include "model/ModelConfig.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace engine::cpu {

// An input matrix (n rows of `cols` floats) and its converted copies, made on first use for a
// weight type and reused while the input does not change (q, k and v share one).
class MatMulInput {
public:
    MatMulInput(const float* x, int n, int cols) : m_x(x), m_n(n), m_cols(cols) {}
    ~MatMulInput();   // hands its buffers back for the next input (no allocation per token)
    MatMulInput(const MatMulInput&) = delete;
    MatMulInput& operator=(const MatMulInput&) = delete;

    int rows() const { return m_n; }
    int cols() const { return m_cols; }
    const float* data() const { return m_x; }

    // Row t in the activation format of weightType; converted (in parallel) on first call.
    const uint8_t* prepared(ThreadPool& pool, quant::TensorType weightType, size_t& rowStride);
    // quant::activationPanelSums of every prepared row (for the panel products), made on first
    // call; row t at t * quant::activationPanelSumsCount(cols()).
    const float* panelSums(ThreadPool& pool, quant::TensorType weightType);

    struct Converted {
        quant::TensorType activationType;
        size_t stride;
        std::vector<uint8_t> bytes;
        std::vector<float> sums;
        bool hasSums = false;
    };
private:
    const float* m_x;
    int m_n;
    int m_cols;
    // One entry per activation format asked for: q/k/v of a mixed-type file may need two, and
    // the pointers handed out must stay valid while a multi-job matmul runs.
    // Five slots: one per converted format there is (Q8_0, Q8_1, Q8_K, F16, BF16).
    std::array<std::unique_ptr<Converted>, 5> m_converted;
};

// y[t * rowCount + r] = dot(W row rowBegin + r, x row t) (+ bias[rowBegin + r]) for r < rowCount.
// rowCount = -1: all rows of W. yStride: floats between output rows (0: rowCount).
void matmul(ThreadPool& pool, const model::Tensor& w, MatMulInput& x, float* y,
            int rowBegin = 0, int rowCount = -1, int yStride = 0, const model::Tensor* bias = nullptr);

// Several products in one dispatch (e.g. q, k and v of one input): one barrier instead of three.
struct MatMulJob {
    const model::Tensor* w = nullptr;
    MatMulInput* x = nullptr;
    float* y = nullptr;
    int rowBegin = 0;
    int rowCount = -1;
    int yStride = 0;
    const model::Tensor* bias = nullptr;
};
void matmul(ThreadPool& pool, std::span<MatMulJob> jobs);

// Uses the scalar reference dot products instead of the runtime-selected ones (for tests).
void setMatMulScalarOnly(bool scalarOnly);

} // namespace engine::cpu
