#pragma once
// The compute ops, recorded into a CommandBatch. All activations are f32; weights stay in their
// GGUF type. Buffers are whole buffers; sizes are in elements. Each function checks its sizes
// against the buffers and returns an error rather than recording an out-of-bounds dispatch.

#include "CommandBatch.h"
#include "DeviceMatrix.h"

#include <cstdint>

namespace engine::gpu {

// True when matVec has a shader variant for the type.
bool canMatVec(quant::TensorType type);

// y[v * rows + r] = dot(A[r], x[v * cols ...]) for v < vectors.
Result<void> matVec(CommandBatch& batch, const DeviceMatrix& a, const Buffer& x, const Buffer& y, uint32_t vectors = 1);

// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight, for `rows` rows of n.
Result<void> rmsNorm(CommandBatch& batch, const Buffer& x, const Buffer& weight, const Buffer& y, uint32_t n, uint32_t rows, float eps);

// y[r] = softmax(scale * x[r]) for `rows` rows of n. y may be x.
Result<void> softmax(CommandBatch& batch, const Buffer& x, const Buffer& y, uint32_t n, uint32_t rows, float scale = 1.0f);

enum class RopeMode { Normal, NeoX };

struct RopeParams {
    uint32_t headDim = 0;
    uint32_t nHeads = 0;
    uint32_t nRot = 0;     // rotated dimensions (<= headDim, even); usually headDim
    uint32_t tokens = 0;
    float freqBase = 10000.0f;
    float freqScale = 1.0f;
    RopeMode mode = RopeMode::Normal;
};

// x and y: [tokens][nHeads][headDim] f32; positions: tokens int32. y may be x.
Result<void> rope(CommandBatch& batch, const Buffer& x, const Buffer& positions, const Buffer& y, const RopeParams& params);

enum class UnaryOp { Silu, Gelu };
enum class BinaryOp { Add, Mul };

// y[i] = f(x[i]) for i < n. y may be x.
Result<void> unary(CommandBatch& batch, UnaryOp op, const Buffer& x, const Buffer& y, uint32_t n);
// y[i] = a[i] op b[i % nb] for i < n. y may be a.
Result<void> binary(CommandBatch& batch, BinaryOp op, const Buffer& a, const Buffer& b, const Buffer& y, uint32_t n, uint32_t nb);

} // namespace engine::gpu
