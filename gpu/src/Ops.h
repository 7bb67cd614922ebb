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

// y[v * rows + r] = dot(A[r], x[v * cols ...]) for v < vectors. From kMatMulMinVectors vectors
// on (prefill) it records matMul instead.
Result<void> matVec(CommandBatch& batch, const DeviceMatrix& a, const Buffer& x, const Buffer& y, uint32_t vectors = 1);

// The same product, tiled (matmul.comp): 64 rows x 32 vectors per workgroup through shared memory.
Result<void> matMul(CommandBatch& batch, const DeviceMatrix& a, const Buffer& x, const Buffer& y, uint32_t vectors);
inline constexpr uint32_t kMatMulMinVectors = 16;

// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight, for `rows` rows of n.
Result<void> rmsNorm(CommandBatch& batch, const Buffer& x, const Buffer& weight, const Buffer& y, uint32_t n, uint32_t rows, float eps);

// y[r] = (x[r] - mean) / sqrt(var(x[r]) + eps) * weight + bias, for `rows` rows of n.
Result<void> layerNorm(CommandBatch& batch, const Buffer& x, const Buffer& weight, const Buffer& bias, const Buffer& y, uint32_t n,
                       uint32_t rows, float eps);

// y[r] = softmax(scale * x[r]) for `rows` rows of n. y may be x.
Result<void> softmax(CommandBatch& batch, const Buffer& x, const Buffer& y, uint32_t n, uint32_t rows, float scale = 1.0f);

enum class RopeMode { Normal, NeoX };

struct RopeParams {
    uint32_t headDim = 0;
    uint32_t nHeads = 0;
    uint32_t nRot = 0;     // rotated dimensions (<= headDim, even); usually headDim
    uint32_t tokens = 0;
    RopeMode mode = RopeMode::Normal;
};

// x and y: [tokens][nHeads][headDim] f32. cosSin: [tokens][nRot] f32, (cos, sin) of each pair's
// angle, as engine::cpu::ropeAngles computes them on the host. y may be x.
Result<void> rope(CommandBatch& batch, const Buffer& x, const Buffer& cosSin, const Buffer& y, const RopeParams& params);

// y[t] = row ids[t] of `table` as f32, for t < count (ids: int32 on the device).
Result<void> getRows(CommandBatch& batch, const DeviceMatrix& table, const Buffer& ids, const Buffer& y, uint32_t count);

// dst[dstOffset + i] = src[srcOffset + i] for i < n; offsets and n in elements. dst holds f16
// when dstF16 (a KV cache), else f32; src holds f16 when srcF16 (not both).
Result<void> copy(CommandBatch& batch, const Buffer& src, uint32_t srcOffset, const Buffer& dst, uint32_t dstOffset, uint32_t n,
                  bool dstF16 = false, bool srcF16 = false);

// Which shader `attention` records. Tests force each one to compare them.
enum class AttentionPath {
    Auto,    // split-K for decoding over long contexts, tiled from kTiledMinTokens queries (unless
             // INKSTONE_VULKAN_NO_TILED_ATTENTION=1), else one pass
    OnePass, // attention.comp: one workgroup per (query, head), scores in the scratch buffer
    Tiled,   // attention_tiled.comp for any query count; an error where attentionCanTile is false
};

struct AttentionParams {
    uint32_t tokens = 0;   // queries, at positions pos0 .. pos0 + tokens - 1
    uint32_t pos0 = 0;
    uint32_t nHead = 0;
    uint32_t nHeadKv = 0;  // divides nHead
    uint32_t headDim = 0;
    uint32_t headDimV = 0;
    float scale = 1.0f;
    float softcap = 0.0f;  // > 0: scores = softcap * tanh(scale * q.k / softcap)
    uint32_t window = 0;   // > 0: query at pos sees keys j with pos - window < j <= pos
    bool kvF16 = false;
    AttentionPath path = AttentionPath::Auto;
};

// Split-K: decoding (at most kSplitMaxTokens queries) over more than kSplitKeys keys runs one
// workgroup per kSplitKeys keys and merges them in a second dispatch.
constexpr uint32_t kSplitKeys = 256;
constexpr uint32_t kSplitMaxTokens = 4;

// Splits `attention` uses for these parameters (1: one pass).
uint32_t attentionSplits(const AttentionParams& params);

// Tiled attention (prefill): from kTiledMinTokens queries on, one workgroup per (16 query
// rows, KV head) streams keys and values through shared memory with an online softmax
// (attention_tiled.comp); no scratch. Head sizes up to kTiledMaxHeadDim; the key tile shrinks
// (32, 16, 8) to fit the device's shared memory.
constexpr uint32_t kTiledMinTokens = 16;
constexpr uint32_t kTiledMaxHeadDim = 256;

// Keys per tile the tiled shader would use on `device` (0: it cannot run these head sizes).
uint32_t attentionTileKeys(const Device& device, const AttentionParams& params);

// True when `attention` records the tiled shader for these parameters.
bool attentionUsesTiled(const Device& device, const AttentionParams& params);

// Floats of scratch `attention` needs: a score per (token, head, key), plus with split-K each
// split's record (max, sum, headDimV partial outputs). The tiled path needs none, but the
// caller sizes for the one-pass path, which any device can run.
uint64_t attentionScratchFloats(const AttentionParams& params);

// Causal attention over cache rows 0 .. pos0 + t for query t (the last `window` of them when set). q: [tokens][nHead][headDim];
// kCache/vCache: [cells][nHeadKv][headDim(V)] (f16 when kvF16); scratch: at least
// attentionScratchFloats(params) floats; out: [tokens][nHead][headDimV].
Result<void> attention(CommandBatch& batch, const Buffer& q, const Buffer& kCache, const Buffer& vCache, const Buffer& scratch,
                       const Buffer& out, const AttentionParams& params);

// Gelu: ggml's CPU GELU (f16-rounded input and output, see unary.comp); Scale: x * param;
// Softcap: param * tanh(x / param).
enum class UnaryOp { Silu, Gelu, Scale, Softcap };
enum class BinaryOp { Add, Mul };

// y[i] = f(x[i]) for i < n. y may be x.
Result<void> unary(CommandBatch& batch, UnaryOp op, const Buffer& x, const Buffer& y, uint32_t n, float param = 0.0f);
// y[i] = a[i] op b[i % nb] for i < n. y may be a.
Result<void> binary(CommandBatch& batch, BinaryOp op, const Buffer& a, const Buffer& b, const Buffer& y, uint32_t n, uint32_t nb);

} // namespace engine::gpu
