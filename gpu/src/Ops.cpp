#include "Ops.h"

#include "Pipelines.h"
#include "PushConstants.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace engine::gpu {

namespace {

using quant::TensorType;

constexpr uint32_t kRowWorkgroup = 64;   // one workgroup per row: matvec, norms, softmax
constexpr uint32_t kFlatWorkgroup = 256; // one thread per element
constexpr uint32_t kVectorsPerGroup = 8;  // matVec: vectors sharing one pass over the weights
constexpr uint32_t kTiledWorkgroup = 128; // attention_tiled.comp: 16 query rows x 8 lanes

constexpr TensorType kMatVecTypes[] = {
    TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
    TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K, TensorType::IQ4_NL,
};

// "q4_K" -> "q4_k": variant names are lower case (gpu/src/CMakeLists.txt).
std::string variantSuffix(TensorType type)
{
    std::string name(quant::typeName(type));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

// Splits a count of workgroups into x * y within the 65535-per-dimension minimum limit.
struct Grid {
    uint32_t x, y;
};
Grid gridFor(uint32_t groups)
{
    const uint32_t x = std::max<uint32_t>(1, std::min<uint32_t>(groups, 65535));
    return {x, (groups + x - 1) / x};
}

Error tooSmall(const char* op, const char* what, uint64_t needBytes, uint64_t haveBytes)
{
    return makeError(ErrorCode::InvalidArgument, std::string(op) + ": buffer " + what + " holds " + std::to_string(haveBytes)
                                                     + " bytes, " + std::to_string(needBytes) + " needed");
}

// INKSTONE_VULKAN_NO_SUBGROUPS=1 takes the shared-memory reduction even where subgroups work, so
// tests on a subgroup-capable device still cover the path other devices take.
bool forceSharedReduction()
{
    const char* v = std::getenv("INKSTONE_VULKAN_NO_SUBGROUPS");
    return v && *v && std::string(v) != "0";
}

const char* unaryVariant(UnaryOp op)
{
    switch (op) {
    case UnaryOp::Silu: return "silu";
    case UnaryOp::Gelu: return "gelu";
    case UnaryOp::Scale: return "scale";
    case UnaryOp::Softcap: return "softcap";
    }
    return "silu";
}

// INKSTONE_VULKAN_NO_MATMUL=1 keeps prefill on the matrix-vector shader (8 vectors per weight
// pass): for comparisons, and a way around a driver that miscompiles the tiled shader.
bool forceMatVec()
{
    const char* v = std::getenv("INKSTONE_VULKAN_NO_MATMUL");
    return v && *v && std::string(v) != "0";
}

// INKSTONE_VULKAN_NO_TILED_ATTENTION=1 keeps prefill attention on the one-pass shader, as
// INKSTONE_VULKAN_NO_MATMUL does for the products.
bool forceOnePassAttention()
{
    const char* v = std::getenv("INKSTONE_VULKAN_NO_TILED_ATTENTION");
    return v && *v && std::string(v) != "0";
}

} // namespace

bool canMatVec(TensorType type)
{
    return std::find(std::begin(kMatVecTypes), std::end(kMatVecTypes), type) != std::end(kMatVecTypes);
}

Result<void> matVec(CommandBatch& batch, const DeviceMatrix& a, const Buffer& x, const Buffer& y, uint32_t vectors)
{
    if (!canMatVec(a.type()))
        return makeError(ErrorCode::Unsupported, "no GPU matrix-vector product for " + std::string(quant::typeName(a.type())));
    if (x.size() < uint64_t(vectors) * a.cols() * 4)
        return tooSmall("matVec", "x", uint64_t(vectors) * a.cols() * 4, x.size());
    if (y.size() < uint64_t(vectors) * a.rows() * 4)
        return tooSmall("matVec", "y", uint64_t(vectors) * a.rows() * 4, y.size());
    if (vectors == 0)
        return {};
    if (vectors >= kMatMulMinVectors && !forceMatVec())
        return matMul(batch, a, x, y, vectors);
    // Several vectors (prefill) share each dequantized weight: kVectorsPerGroup per workgroup.
    const uint32_t perGroup = vectors == 1 ? 1 : kVectorsPerGroup;
    // Subgroup reductions where the device has them (nearly all): one barrier instead of six.
    const bool subgroups = batch.device().info().subgroupArithmetic && !forceSharedReduction();
    Result<const Pipeline*> pipeline = batch.device().pipelines().get(
        "matvec_" + variantSuffix(a.type()) + (subgroups ? "_sg" : ""), 3, sizeof(MatVecPush), {kRowWorkgroup, perGroup});
    if (!pipeline)
        return pipeline.error();
    const uint32_t groupsZ = (vectors + perGroup - 1) / perGroup;
    for (const DeviceMatrix::Part& part : a.parts()) {
        const Grid grid = gridFor(part.rows);
        const MatVecPush push{part.rows, a.cols(), part.firstRow, a.rows(), grid.x, vectors};
        const Access write = a.parts().size() > 1 ? Access::WriteDisjoint : Access::Write;
        if (auto r = batch.dispatch(**pipeline, {{&part.buffer, Access::Read}, {&x, Access::Read}, {&y, write}}, push, grid.x, grid.y, groupsZ); !r)
            return r;
    }
    return {};
}

Result<void> matMul(CommandBatch& batch, const DeviceMatrix& a, const Buffer& x, const Buffer& y, uint32_t vectors)
{
    constexpr uint32_t kTileRows = 64, kTileVectors = 32; // matmul.comp's TM and TN
    if (!canMatVec(a.type()))
        return makeError(ErrorCode::Unsupported, "no GPU matrix product for " + std::string(quant::typeName(a.type())));
    if (x.size() < uint64_t(vectors) * a.cols() * 4)
        return tooSmall("matMul", "x", uint64_t(vectors) * a.cols() * 4, x.size());
    if (y.size() < uint64_t(vectors) * a.rows() * 4)
        return tooSmall("matMul", "y", uint64_t(vectors) * a.rows() * 4, y.size());
    if (vectors == 0)
        return {};
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get("matmul_" + variantSuffix(a.type()), 3, sizeof(MatVecPush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const uint32_t vectorTiles = (vectors + kTileVectors - 1) / kTileVectors;
    for (const DeviceMatrix::Part& part : a.parts()) {
        const uint32_t rowTiles = (part.rows + kTileRows - 1) / kTileRows;
        if (rowTiles > 65535 || vectorTiles > 65535)
            return makeError(ErrorCode::InvalidArgument, "matMul: " + std::to_string(part.rows) + " rows x " + std::to_string(vectors)
                                                             + " vectors exceed one dispatch");
        const MatVecPush push{part.rows, a.cols(), part.firstRow, a.rows(), rowTiles, vectors};
        const Access write = a.parts().size() > 1 ? Access::WriteDisjoint : Access::Write;
        if (auto r = batch.dispatch(**pipeline, {{&part.buffer, Access::Read}, {&x, Access::Read}, {&y, write}}, push, rowTiles, vectorTiles); !r)
            return r;
    }
    return {};
}

Result<void> rmsNorm(CommandBatch& batch, const Buffer& x, const Buffer& weight, const Buffer& y, uint32_t n, uint32_t rows, float eps)
{
    const uint64_t bytes = uint64_t(n) * rows * 4;
    if (x.size() < bytes)
        return tooSmall("rmsNorm", "x", bytes, x.size());
    if (y.size() < bytes)
        return tooSmall("rmsNorm", "y", bytes, y.size());
    if (weight.size() < uint64_t(n) * 4)
        return tooSmall("rmsNorm", "weight", uint64_t(n) * 4, weight.size());
    Result<const Pipeline*> pipeline = batch.device().pipelines().get("rms_norm", 3, sizeof(NormPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const NormPush push{n, eps};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&weight, Access::Read}, {&y, Access::Write}}, push, rows);
}

Result<void> layerNorm(CommandBatch& batch, const Buffer& x, const Buffer& weight, const Buffer& bias, const Buffer& y, uint32_t n,
                       uint32_t rows, float eps)
{
    const uint64_t bytes = uint64_t(n) * rows * 4;
    if (x.size() < bytes)
        return tooSmall("layerNorm", "x", bytes, x.size());
    if (y.size() < bytes)
        return tooSmall("layerNorm", "y", bytes, y.size());
    if (weight.size() < uint64_t(n) * 4)
        return tooSmall("layerNorm", "weight", uint64_t(n) * 4, weight.size());
    if (bias.size() < uint64_t(n) * 4)
        return tooSmall("layerNorm", "bias", uint64_t(n) * 4, bias.size());
    Result<const Pipeline*> pipeline = batch.device().pipelines().get("layer_norm", 4, sizeof(NormPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const NormPush push{n, eps};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&weight, Access::Read}, {&y, Access::Write}, {&bias, Access::Read}}, push, rows);
}

Result<void> softmax(CommandBatch& batch, const Buffer& x, const Buffer& y, uint32_t n, uint32_t rows, float scale)
{
    const uint64_t bytes = uint64_t(n) * rows * 4;
    if (x.size() < bytes)
        return tooSmall("softmax", "x", bytes, x.size());
    if (y.size() < bytes)
        return tooSmall("softmax", "y", bytes, y.size());
    Result<const Pipeline*> pipeline = batch.device().pipelines().get("softmax", 2, sizeof(SoftmaxPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const SoftmaxPush push{n, scale};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&y, Access::Write}}, push, rows);
}

Result<void> rope(CommandBatch& batch, const Buffer& x, const Buffer& cosSin, const Buffer& y, const RopeParams& params)
{
    if (params.headDim % 2 || params.nRot % 2 || params.nRot > params.headDim || params.nRot == 0)
        return makeError(ErrorCode::InvalidArgument, "rope: head size " + std::to_string(params.headDim) + " with "
                                                         + std::to_string(params.nRot) + " rotated dimensions");
    const uint32_t rows = params.tokens * params.nHeads;
    const uint64_t bytes = uint64_t(rows) * params.headDim * 4;
    if (x.size() < bytes)
        return tooSmall("rope", "x", bytes, x.size());
    if (y.size() < bytes)
        return tooSmall("rope", "y", bytes, y.size());
    if (cosSin.size() < uint64_t(params.tokens) * params.nRot * 4)
        return tooSmall("rope", "cosSin", uint64_t(params.tokens) * params.nRot * 4, cosSin.size());
    const char* variant = params.mode == RopeMode::NeoX ? "rope_neox" : "rope_norm";
    Result<const Pipeline*> pipeline = batch.device().pipelines().get(variant, 3, sizeof(RopePush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const uint32_t threads = rows * (params.headDim / 2);
    const Grid grid = gridFor((threads + kFlatWorkgroup - 1) / kFlatWorkgroup);
    const RopePush push{params.headDim, params.nHeads, params.nRot, rows, grid.x};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&cosSin, Access::Read}, {&y, Access::Write}}, push, grid.x, grid.y);
}

Result<void> getRows(CommandBatch& batch, const DeviceMatrix& table, const Buffer& ids, const Buffer& y, uint32_t count)
{
    if (!canMatVec(table.type()))
        return makeError(ErrorCode::Unsupported, "no GPU row lookup for " + std::string(quant::typeName(table.type())));
    if (ids.size() < uint64_t(count) * 4)
        return tooSmall("getRows", "ids", uint64_t(count) * 4, ids.size());
    if (y.size() < uint64_t(count) * table.cols() * 4)
        return tooSmall("getRows", "y", uint64_t(count) * table.cols() * 4, y.size());
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get("get_rows_" + variantSuffix(table.type()), 3, sizeof(GetRowsPush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const uint32_t threads = count * ((table.cols() + 3) / 4);
    const Grid grid = gridFor((threads + kFlatWorkgroup - 1) / kFlatWorkgroup);
    for (const DeviceMatrix::Part& part : table.parts()) {
        const GetRowsPush push{table.cols(), count, part.firstRow, part.rows, grid.x};
        const Access write = table.parts().size() > 1 ? Access::WriteDisjoint : Access::Write;
        if (auto r = batch.dispatch(**pipeline, {{&part.buffer, Access::Read}, {&ids, Access::Read}, {&y, write}}, push, grid.x, grid.y); !r)
            return r;
    }
    return {};
}

Result<void> copy(CommandBatch& batch, const Buffer& src, uint32_t srcOffset, const Buffer& dst, uint32_t dstOffset, uint32_t n, bool dstF16,
                  bool srcF16)
{
    if (dstF16 && srcF16)
        return makeError(ErrorCode::Internal, "copy: f16 to f16 has no shader");
    const uint64_t srcBytes = (uint64_t(srcOffset) + n) * (srcF16 ? 2 : 4);
    if (src.size() < srcBytes)
        return tooSmall("copy", "src", srcBytes, src.size());
    const uint64_t dstBytes = (uint64_t(dstOffset) + n) * (dstF16 ? 2 : 4);
    if (dst.size() < dstBytes)
        return tooSmall("copy", "dst", dstBytes, dst.size());
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get(dstF16 ? "copy_f16" : srcF16 ? "copy_from_f16" : "copy_f32", 2, sizeof(CopyPush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const Grid grid = gridFor((n + kFlatWorkgroup - 1) / kFlatWorkgroup);
    const CopyPush push{n, srcOffset, dstOffset, grid.x};
    return batch.dispatch(**pipeline, {{&src, Access::Read}, {&dst, Access::Write}}, push, grid.x, grid.y);
}

uint32_t attentionSplits(const AttentionParams& p)
{
    const uint32_t keys = p.pos0 + p.tokens;
    if (p.path != AttentionPath::Auto || p.tokens > kSplitMaxTokens || keys <= kSplitKeys)
        return 1;
    return (keys + kSplitKeys - 1) / kSplitKeys;
}

uint32_t attentionTileKeys(const Device& device, const AttentionParams& p)
{
    constexpr uint32_t kRows = 16, kLanes = 8; // attention_tiled.comp's BQ and LANES
    if (p.headDim == 0 || p.headDimV == 0 || p.headDim > kTiledMaxHeadDim || p.headDimV > kTiledMaxHeadDim)
        return 0;
    // sQ and sKV rows: vec4s, the head size rounded up, plus one of padding.
    const uint64_t qRow = 4 * ((p.headDim + 3) / 4 + 1), kvRow = 4 * ((std::max(p.headDim, p.headDimV) + 3) / 4 + 1);
    for (uint32_t keys : {32u, 16u, 8u}) {
        // sQ, sKV, sP, sMax + sSum (floats), as the shader declares them.
        const uint64_t floats = kRows * qRow + keys * kvRow + kRows * keys + 2 * kRows * kLanes;
        if (floats * 4 <= device.info().maxComputeSharedMemorySize)
            return keys;
    }
    return 0;
}

bool attentionUsesTiled(const Device& device, const AttentionParams& p)
{
    switch (p.path) {
    case AttentionPath::OnePass: return false;
    case AttentionPath::Tiled: return true;
    case AttentionPath::Auto: break;
    }
    return p.tokens >= kTiledMinTokens && attentionSplits(p) == 1 && attentionTileKeys(device, p) > 0 && !forceOnePassAttention();
}

uint64_t attentionScratchFloats(const AttentionParams& p)
{
    const uint64_t rows = uint64_t(p.tokens) * p.nHead;
    const uint32_t splits = attentionSplits(p);
    return rows * (p.pos0 + p.tokens) + (splits > 1 ? rows * splits * (2 + p.headDimV) : 0);
}

Result<void> attention(CommandBatch& batch, const Buffer& q, const Buffer& kCache, const Buffer& vCache, const Buffer& scratch,
                       const Buffer& out, const AttentionParams& p)
{
    if (p.nHeadKv == 0 || p.nHead % p.nHeadKv || p.tokens == 0)
        return makeError(ErrorCode::InvalidArgument, "attention: " + std::to_string(p.nHead) + " heads over " + std::to_string(p.nHeadKv)
                                                         + " KV heads, " + std::to_string(p.tokens) + " tokens");
    const uint32_t keys = p.pos0 + p.tokens;
    const uint64_t kvBytes = p.kvF16 ? 2 : 4;
    if (q.size() < uint64_t(p.tokens) * p.nHead * p.headDim * 4)
        return tooSmall("attention", "q", uint64_t(p.tokens) * p.nHead * p.headDim * 4, q.size());
    if (kCache.size() < uint64_t(keys) * p.nHeadKv * p.headDim * kvBytes)
        return tooSmall("attention", "kCache", uint64_t(keys) * p.nHeadKv * p.headDim * kvBytes, kCache.size());
    if (vCache.size() < uint64_t(keys) * p.nHeadKv * p.headDimV * kvBytes)
        return tooSmall("attention", "vCache", uint64_t(keys) * p.nHeadKv * p.headDimV * kvBytes, vCache.size());
    if (out.size() < uint64_t(p.tokens) * p.nHead * p.headDimV * 4)
        return tooSmall("attention", "out", uint64_t(p.tokens) * p.nHead * p.headDimV * 4, out.size());
    if (attentionUsesTiled(batch.device(), p)) {
        constexpr uint32_t kRows = 16; // attention_tiled.comp's BQ
        const uint32_t tileKeys = attentionTileKeys(batch.device(), p);
        if (tileKeys == 0)
            return makeError(ErrorCode::Unsupported, "attention: no tiled shader for head sizes " + std::to_string(p.headDim) + "/"
                                                         + std::to_string(p.headDimV) + " in "
                                                         + std::to_string(batch.device().info().maxComputeSharedMemorySize)
                                                         + " bytes of shared memory");
        const uint64_t tiles = (uint64_t(p.tokens) * (p.nHead / p.nHeadKv) + kRows - 1) / kRows;
        if (tiles > 65535 || p.nHeadKv > 65535)
            return makeError(ErrorCode::InvalidArgument, "attention: " + std::to_string(p.tokens) + " queries exceed one dispatch");
        Result<const Pipeline*> pipeline = batch.device().pipelines().get(
            p.kvF16 ? "attention_tiled_f16" : "attention_tiled_f32", 4, sizeof(AttentionTiledPush),
            {kTiledWorkgroup, p.headDim, p.headDimV, std::max(p.headDim, p.headDimV), tileKeys});
        if (!pipeline)
            return pipeline.error();
        const AttentionTiledPush push{p.tokens, p.pos0, p.nHead, p.nHeadKv, p.headDim, p.headDimV, p.scale, p.softcap, p.window};
        return batch.dispatch(**pipeline, {{&q, Access::Read}, {&kCache, Access::Read}, {&vCache, Access::Read}, {&out, Access::Write}}, push,
                              uint32_t(tiles), p.nHeadKv);
    }
    if (scratch.size() < attentionScratchFloats(p) * 4)
        return tooSmall("attention", "scratch", attentionScratchFloats(p) * 4, scratch.size());
    const uint32_t splits = attentionSplits(p);
    const uint32_t partialOffset = uint32_t(uint64_t(p.tokens) * p.nHead * keys);
    const AttentionPush push{p.tokens, p.pos0, p.nHead,   p.nHeadKv, p.headDim, p.headDimV,   keys,
                             p.scale,  p.softcap, p.window, kSplitKeys, splits,   partialOffset};
    if (splits == 1) {
        Result<const Pipeline*> pipeline =
            batch.device().pipelines().get(p.kvF16 ? "attention_f16" : "attention_f32", 5, sizeof(AttentionPush), {kRowWorkgroup});
        if (!pipeline)
            return pipeline.error();
        return batch.dispatch(**pipeline,
                              {{&q, Access::Read}, {&kCache, Access::Read}, {&vCache, Access::Read}, {&scratch, Access::Write}, {&out, Access::Write}},
                              push, p.tokens * p.nHead);
    }
    Result<const Pipeline*> partial =
        batch.device().pipelines().get(p.kvF16 ? "attention_split_f16" : "attention_split_f32", 5, sizeof(AttentionPush), {kRowWorkgroup});
    if (!partial)
        return partial.error();
    Result<const Pipeline*> combine = batch.device().pipelines().get("attention_combine", 2, sizeof(AttentionCombinePush), {kRowWorkgroup});
    if (!combine)
        return combine.error();
    // The first pass leaves `out` alone (bound only because the shader shares its layout).
    if (auto r = batch.dispatch(**partial,
                                {{&q, Access::Read}, {&kCache, Access::Read}, {&vCache, Access::Read}, {&scratch, Access::Write}, {&out, Access::Read}},
                                push, splits, p.tokens * p.nHead);
        !r)
        return r;
    const AttentionCombinePush combinePush{splits, p.headDimV, partialOffset};
    return batch.dispatch(**combine, {{&scratch, Access::Read}, {&out, Access::Write}}, combinePush, p.tokens * p.nHead);
}

Result<void> unary(CommandBatch& batch, UnaryOp op, const Buffer& x, const Buffer& y, uint32_t n, float param)
{
    if (op == UnaryOp::Softcap && !(param > 0.0f))
        return makeError(ErrorCode::InvalidArgument, "unary: soft-cap " + std::to_string(param) + " must be positive");
    if (x.size() < uint64_t(n) * 4)
        return tooSmall("unary", "x", uint64_t(n) * 4, x.size());
    if (y.size() < uint64_t(n) * 4)
        return tooSmall("unary", "y", uint64_t(n) * 4, y.size());
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get(unaryVariant(op), 2, sizeof(ElementwisePush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const Grid grid = gridFor((n + kFlatWorkgroup - 1) / kFlatWorkgroup);
    const ElementwisePush push{n, 0, grid.x, param};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&y, Access::Write}}, push, grid.x, grid.y);
}

Result<void> binary(CommandBatch& batch, BinaryOp op, const Buffer& a, const Buffer& b, const Buffer& y, uint32_t n, uint32_t nb)
{
    if (nb == 0 || n % nb)
        return makeError(ErrorCode::InvalidArgument, "binary: " + std::to_string(n) + " elements do not repeat a row of " + std::to_string(nb));
    if (a.size() < uint64_t(n) * 4)
        return tooSmall("binary", "a", uint64_t(n) * 4, a.size());
    if (b.size() < uint64_t(nb) * 4)
        return tooSmall("binary", "b", uint64_t(nb) * 4, b.size());
    if (y.size() < uint64_t(n) * 4)
        return tooSmall("binary", "y", uint64_t(n) * 4, y.size());
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get(op == BinaryOp::Add ? "add" : "mul", 3, sizeof(ElementwisePush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const Grid grid = gridFor((n + kFlatWorkgroup - 1) / kFlatWorkgroup);
    const ElementwisePush push{n, nb, grid.x, 0.0f};
    return batch.dispatch(**pipeline, {{&a, Access::Read}, {&b, Access::Read}, {&y, Access::Write}}, push, grid.x, grid.y);
}

} // namespace engine::gpu
