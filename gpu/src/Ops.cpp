#include "Ops.h"

#include "Pipelines.h"
#include "PushConstants.h"

#include <algorithm>
#include <string>

namespace engine::gpu {

namespace {

using quant::TensorType;

constexpr uint32_t kRowWorkgroup = 64;   // one workgroup per row: matvec, norms, softmax
constexpr uint32_t kFlatWorkgroup = 256; // one thread per element

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
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get("matvec_" + variantSuffix(a.type()), 3, sizeof(MatVecPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.error();
    for (const DeviceMatrix::Part& part : a.parts()) {
        const Grid grid = gridFor(part.rows);
        const MatVecPush push{part.rows, a.cols(), part.firstRow, a.rows(), grid.x};
        const Access write = a.parts().size() > 1 ? Access::WriteDisjoint : Access::Write;
        if (auto r = batch.dispatch(**pipeline, {{&part.buffer, Access::Read}, {&x, Access::Read}, {&y, write}}, push, grid.x, grid.y, vectors); !r)
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
    Result<const Pipeline*> pipeline = batch.device().pipelines().get("rms_norm", 3, sizeof(RmsNormPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const RmsNormPush push{n, eps};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&weight, Access::Read}, {&y, Access::Write}}, push, rows);
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

Result<void> rope(CommandBatch& batch, const Buffer& x, const Buffer& positions, const Buffer& y, const RopeParams& params)
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
    if (positions.size() < uint64_t(params.tokens) * 4)
        return tooSmall("rope", "positions", uint64_t(params.tokens) * 4, positions.size());
    const char* variant = params.mode == RopeMode::NeoX ? "rope_neox" : "rope_norm";
    Result<const Pipeline*> pipeline = batch.device().pipelines().get(variant, 3, sizeof(RopePush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const uint32_t threads = rows * (params.headDim / 2);
    const Grid grid = gridFor((threads + kFlatWorkgroup - 1) / kFlatWorkgroup);
    const RopePush push{params.headDim, params.nHeads, params.nRot, rows, params.freqBase, params.freqScale, grid.x};
    return batch.dispatch(**pipeline, {{&x, Access::Read}, {&positions, Access::Read}, {&y, Access::Write}}, push, grid.x, grid.y);
}

Result<void> unary(CommandBatch& batch, UnaryOp op, const Buffer& x, const Buffer& y, uint32_t n)
{
    if (x.size() < uint64_t(n) * 4)
        return tooSmall("unary", "x", uint64_t(n) * 4, x.size());
    if (y.size() < uint64_t(n) * 4)
        return tooSmall("unary", "y", uint64_t(n) * 4, y.size());
    Result<const Pipeline*> pipeline =
        batch.device().pipelines().get(op == UnaryOp::Silu ? "silu" : "gelu", 2, sizeof(ElementwisePush), {kFlatWorkgroup});
    if (!pipeline)
        return pipeline.error();
    const Grid grid = gridFor((n + kFlatWorkgroup - 1) / kFlatWorkgroup);
    const ElementwisePush push{n, 0, grid.x};
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
    const ElementwisePush push{n, nb, grid.x};
    return batch.dispatch(**pipeline, {{&a, Access::Read}, {&b, Access::Read}, {&y, Access::Write}}, push, grid.x, grid.y);
}

} // namespace engine::gpu
