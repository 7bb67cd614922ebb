#include "VulkanBackend.h"

#include "Buffer.h"
#include "CommandBatch.h"
#include "CpuLayers.h"
#include "Device.h"
#include "DeviceMatrix.h"
#include "Instance.h"
#include "MemoryPlan.h"
#include "Ops.h"
#include "cpu/Ops.h"
#include "quant/Quant.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

namespace engine::gpu {

namespace {

using model::LayerWeights;
using model::ModelConfig;
using model::Tensor;

constexpr int kLayersPerSubmit = 8;       // cancel granularity

// Everything uploaded once per model.
struct DeviceWeights {
    std::map<const uint8_t*, std::shared_ptr<DeviceMatrix>> matrices; // by file address: tied embeddings upload once
    std::map<const uint8_t*, std::shared_ptr<Buffer>> vectors;         // f32 norms and biases
};

// The rows of `tokens` as the GPU's embedding ops would give them: table row · [scale] +
// [learned position row].
void embedOnHost(const model::LoadedModel& m, std::span<const int32_t> tokens, int pos0, float* x)
{
    const ModelConfig& c = m.config;
    const model::ModelWeights& w = m.weights;
    const int d = c.nEmbd;
    std::vector<float> position(w.posEmbd.present() ? size_t(d) : 0);
    for (size_t t = 0; t < tokens.size(); ++t) {
        float* row = x + t * size_t(d);
        quant::dequantizeRow(w.tokenEmbd.type, w.tokenEmbd.row(tokens[t]), row, d);
        if (c.embedScale > 0.0f)
            for (int i = 0; i < d; ++i)
                row[i] *= c.embedScale;
        if (w.posEmbd.present()) {
            // positions past the table reuse its last row, as the CPU backend does
            quant::dequantizeRow(w.posEmbd.type, w.posEmbd.row(std::min(pos0 + int(t), int(w.posEmbd.rows) - 1)), position.data(), d);
            for (int i = 0; i < d; ++i)
                row[i] += position[i];
        }
    }
}

class VulkanBackendImpl;

class VulkanContext final : public model::BackendContext {
public:
    VulkanContext(VulkanBackendImpl& backend, int nCtx, KvCacheType kvType) : m_b(backend), m_nCtx(nCtx), m_kvType(kvType), m_kvF16(kvType == KvCacheType::F16) {}
    Result<void> init();

    int capacity() const override { return m_nCtx; }
    Result<void> forward(std::span<const int32_t> tokens, int startPos, std::span<const int32_t> logitRows, float* logits,
                         const std::atomic<bool>* cancel) override;
    Result<void> removeCells(int begin, int count, int end) override;

private:
    Result<void> chunk(std::span<const int32_t> tokens, int pos0, std::span<const int32_t> rows, float* logits, const std::atomic<bool>* cancel);
    Result<void> layer(CommandBatch& b, int il, uint32_t n, uint32_t pos0);
    Result<void> norm(CommandBatch& b, const Buffer& x, const Tensor& w, const Tensor& bias, const Buffer& y, uint32_t rows);
    Result<void> linear(CommandBatch& b, const Tensor& w, const Tensor& bias, const Buffer& x, const Buffer& y, uint32_t n);
    Result<void> split(CommandBatch& b, const Buffer& src, uint32_t srcStride, uint32_t srcOffset, const Buffer& dst, uint32_t width, uint32_t n);
    Result<Buffer> make(uint64_t floats, MemoryKind kind = MemoryKind::DeviceLocal);

    VulkanBackendImpl& m_b;
    int m_nCtx;
    KvCacheType m_kvType;
    bool m_kvF16;
    uint32_t m_chunk = 1;
    std::vector<Buffer> m_kCache, m_vCache;
    Buffer m_x, m_h, m_q, m_k, m_v, m_attn, m_proj, m_gate, m_up, m_fused, m_scratch, m_sel, m_ids, m_posIds, m_cosSin, m_cosSinLocal, m_logits;
    Buffer m_input, m_hidden;                       // partial offload: embeddings in, hidden states out
    std::unique_ptr<model::BackendContext> m_cpuRest; // partial offload: the KV cache of the CPU's layers
    std::unique_ptr<CommandBatch> m_batch; // declared last: destroyed before the buffers it used
};

class VulkanBackendImpl final : public model::Backend {
public:
    std::string description() const override
    {
        std::string d = "Vulkan \u00b7 " + m_device->info().name;
        if (m_cpuLayers)
            d += " \u00b7 " + std::to_string(m_plan.gpuLayers) + "/" + std::to_string(m_model->config.nLayer) + " layers, the rest on "
                + m_cpuLayers->description();
        return d;
    }
    bool outputOnGpu() const { return m_plan.outputOnGpu; }
    int gpuLayers() const { return m_plan.gpuLayers; }
    Result<std::unique_ptr<model::BackendContext>> createContext(int nCtx, KvCacheType kvType) override
    {
        if (nCtx <= 0)
            return makeError(ErrorCode::InvalidArgument, "context length must be positive, got " + std::to_string(nCtx));
        auto context = std::make_unique<VulkanContext>(*this, nCtx, kvType);
        if (auto r = context->init(); !r)
            return r.error();
        return std::unique_ptr<model::BackendContext>(std::move(context));
    }

    Result<void> upload(const Tensor& t, bool matrix)
    {
        if (!t.present())
            return {};
        if (matrix) {
            if (m_weights.matrices.count(t.data))
                return {};
            auto m = DeviceMatrix::upload(*m_device, t.type, uint32_t(t.rows), uint32_t(t.cols), t.data);
            if (!m)
                return makeError(m.error().code, "uploading '" + t.name + "': " + m.error().detail);
            m_weights.matrices[t.data] = std::make_shared<DeviceMatrix>(std::move(*m));
        } else {
            const uint64_t bytes = uint64_t(t.cols) * t.rows * 4;
            auto buffer = Buffer::create(*m_device, bytes, MemoryKind::DeviceLocal);
            if (!buffer)
                return buffer.error();
            if (auto r = m_device->upload(*buffer, 0, t.data, bytes); !r)
                return r;
            m_weights.vectors[t.data] = std::make_shared<Buffer>(std::move(*buffer));
        }
        return {};
    }

    const DeviceMatrix& matrix(const Tensor& t) const { return *m_weights.matrices.at(t.data); }
    const Buffer& vector(const Tensor& t) const { return *m_weights.vectors.at(t.data); }

    Result<void> uploadAll();
    Result<void> prepare(const VulkanBackendOptions& options);

    std::shared_ptr<const model::LoadedModel> m_model;
    OffloadPlan m_plan;
    std::unique_ptr<CpuLayers> m_cpuLayers; // the layers after m_plan.gpuLayers, when not all are here
    std::unique_ptr<Instance> m_ownedInstance; // empty when the caller owns the device
    std::unique_ptr<Device> m_ownedDevice;
    Device* m_device = nullptr;
    DeviceWeights m_weights; // declared after the device: freed before it
};

Result<void> VulkanBackendImpl::uploadAll()
{
    const model::ModelWeights& w = m_model->weights;
    std::vector<std::pair<const Tensor*, bool>> uploads;
    if (m_plan.outputOnGpu) // otherwise the host looks up embeddings and the CPU runs the output
        uploads = {{&w.tokenEmbd, true}, {&w.posEmbd, true}, {&w.output, true}, {&w.outputNorm, false}, {&w.outputNormBias, false}};
    for (const LayerWeights& l : std::span(w.layers).first(size_t(m_plan.gpuLayers))) {
        for (const Tensor* t : {&l.wq, &l.wk, &l.wv, &l.wqkv, &l.wo, &l.ffnGate, &l.ffnUp, &l.ffnDown})
            uploads.emplace_back(t, true);
        for (const Tensor* t : {&l.attnNorm, &l.attnNormBias, &l.ffnNorm, &l.ffnNormBias, &l.qNorm, &l.kNorm, &l.postAttnNorm,
                                &l.postFfnNorm, &l.bq, &l.bk, &l.bv, &l.bqkv, &l.bo, &l.ffnUpBias, &l.ffnDownBias})
            uploads.emplace_back(t, false);
    }
    for (const auto& [tensor, isMatrix] : uploads)
        if (auto r = upload(*tensor, isMatrix); !r)
            return r;
    return {};
}

// Chooses how many layers go to the device (options.gpuLayers, or what free memory allows),
// prepares the CPU's share, then uploads the device's.
Result<void> VulkanBackendImpl::prepare(const VulkanBackendOptions& options)
{
    const ModelConfig& c = m_model->config;
    const int nCtx = options.contextLength > 0 ? options.contextLength : std::max(1, std::min(LoadOptions::kDefaultContextCap, c.nCtxTrain));
    const MemoryNeeds needs = estimateMemory(*m_model, nCtx, options.kvCacheType, m_device->maxBufferBytes());
    auto plan = planOffload(needs, m_device->availableBytes(), options.gpuLayers);
    if (!plan)
        return plan.error();
    m_plan = *plan;
    if (!m_plan.outputOnGpu) {
        auto cpuLayers = CpuLayers::create(m_model, m_plan.gpuLayers, std::min<int>(int(kMaxChunk), c.nVocab), options.threads);
        if (!cpuLayers)
            return cpuLayers.error();
        m_cpuLayers = std::move(*cpuLayers);
    }
    return uploadAll();
}

Result<Buffer> VulkanContext::make(uint64_t floats, MemoryKind kind)
{
    return Buffer::create(*m_b.m_device, std::max<uint64_t>(floats, 1) * 4, kind);
}

Result<void> VulkanContext::init()
{
    const ModelConfig& c = m_b.m_model->config;
    Device& device = *m_b.m_device;
    const bool full = m_b.outputOnGpu();
    const ActivationSizes s = activationSizes(c, m_nCtx, device.maxBufferBytes(), full,
                                              full ? UINT32_MAX : uint32_t(m_b.m_cpuLayers->maxTokens()));
    m_chunk = s.chunk;
    const uint32_t kDim = c.nHeadKv * c.headDim, vDim = c.nHeadKv * c.headDimV;
    const uint64_t kvElem = m_kvF16 ? 2 : 4;
    for (int il = 0; il < m_b.gpuLayers(); ++il) {
        auto k = Buffer::create(device, uint64_t(m_nCtx) * kDim * kvElem, MemoryKind::DeviceLocal);
        auto v = Buffer::create(device, uint64_t(m_nCtx) * vDim * kvElem, MemoryKind::DeviceLocal);
        if (!k)
            return k.error();
        if (!v)
            return v.error();
        m_kCache.push_back(std::move(*k));
        m_vCache.push_back(std::move(*v));
    }
    struct Want {
        Buffer* buffer;
        uint64_t floats; // 0: not needed in this mode
        MemoryKind kind;
    };
    const Want wants[] = {
        {&m_x, s.x, MemoryKind::DeviceLocal},
        {&m_h, s.h, MemoryKind::DeviceLocal},
        {&m_q, s.q, MemoryKind::DeviceLocal},
        {&m_k, s.k, MemoryKind::DeviceLocal},
        {&m_v, s.v, MemoryKind::DeviceLocal},
        {&m_attn, s.attn, MemoryKind::DeviceLocal},
        {&m_proj, s.proj, MemoryKind::DeviceLocal},
        {&m_gate, s.gate, MemoryKind::DeviceLocal},
        {&m_up, s.up, MemoryKind::DeviceLocal},
        {&m_fused, s.fused, MemoryKind::DeviceLocal},
        {&m_scratch, s.scores, MemoryKind::DeviceLocal},
        {&m_sel, s.sel, MemoryKind::DeviceLocal},
        {&m_ids, s.ids, MemoryKind::HostVisible},
        {&m_posIds, s.posIds, MemoryKind::HostVisible},
        {&m_cosSin, s.cosSin, MemoryKind::HostVisible},
        {&m_cosSinLocal, s.cosSinLocal, MemoryKind::HostVisible},
        {&m_logits, s.logits, MemoryKind::HostVisible},
        {&m_input, s.input, MemoryKind::HostVisible},
        {&m_hidden, s.hidden, MemoryKind::HostVisible},
    };
    for (const Want& w : wants) {
        if (w.floats == 0)
            continue;
        auto b = make(w.floats, w.kind);
        if (!b)
            return b.error();
        *w.buffer = std::move(*b);
    }
    if (!full) {
        auto rest = m_b.m_cpuLayers->createContext(m_nCtx, m_kvType);
        if (!rest)
            return rest.error();
        m_cpuRest = std::move(*rest);
    }
    auto batch = CommandBatch::create(device);
    if (!batch)
        return batch.error();
    m_batch = std::move(*batch);
    return {};
}

Result<void> VulkanContext::forward(std::span<const int32_t> tokens, int startPos, std::span<const int32_t> logitRows, float* logits,
                                    const std::atomic<bool>* cancel)
{
    const ModelConfig& c = m_b.m_model->config;
    if (startPos < 0 || startPos + tokens.size() > size_t(m_nCtx))
        return makeError(ErrorCode::ContextFull, "positions " + std::to_string(startPos) + ".." + std::to_string(startPos + tokens.size())
                                                     + " exceed the context of " + std::to_string(m_nCtx) + " tokens");
    for (int32_t t : tokens)
        if (t < 0 || t >= c.nVocab)
            return makeError(ErrorCode::InvalidArgument, "token id " + std::to_string(t) + " is outside the vocabulary (0.."
                                                             + std::to_string(c.nVocab - 1) + ")");
    size_t rowIndex = 0;
    for (size_t begin = 0; begin < tokens.size(); begin += m_chunk) {
        const size_t count = std::min<size_t>(m_chunk, tokens.size() - begin);
        std::vector<int32_t> rows;
        const size_t firstRow = rowIndex;
        while (rowIndex < logitRows.size() && size_t(logitRows[rowIndex]) < begin + count)
            rows.push_back(logitRows[rowIndex++] - int32_t(begin));
        if (auto r = chunk(tokens.subspan(begin, count), startPos + int(begin), rows, logits + firstRow * size_t(c.nVocab), cancel); !r)
            return r;
    }
    return {};
}

// The context shift on the device: per layer and chunk of cells, the keys go out of the cache
// into f32 scratch, are rotated by the angles of position −count (RoPE angles are linear in the
// position, as the CPU backend's removeCells relies on) and written back `count` cells lower;
// the values move the same way unrotated. A chunk is read whole before it is written, and a
// later chunk reads only cells above what earlier ones wrote, so the overlap is safe.
Result<void> VulkanContext::removeCells(int begin, int count, int end)
{
    const ModelConfig& c = m_b.m_model->config;
    if (auto r = checkCellRange(begin, count, end); !r)
        return r;
    if (count == 0 || begin + count == end)
        return {};
    if (m_cpuRest) {   // partial offload: the CPU's layers keep their own cells
        if (auto r = m_cpuRest->removeCells(begin, count, end); !r)
            return r;
    }
    const uint32_t moved = uint32_t(end - begin - count);
    const uint32_t rows = std::min(m_chunk, moved);
    const bool rotate = c.rope != model::RopeKind::None;
    if (rotate) {
        const model::ModelWeights& w = m_b.m_model->weights;
        std::vector<float> angles(size_t(c.nRot)), anglesLocal(size_t(c.nRot));
        cpu::ropeAngles(-count, c.nRot, c.ropeBase, c.ropeScaling.freqScale, w.ropeFreqs.present() ? w.ropeFreqs.f32() : nullptr,
                        angles.data());
        auto* cs = static_cast<float*>(m_cosSin.mapped());
        for (uint32_t t = 0; t < rows; ++t)
            std::copy(angles.begin(), angles.end(), cs + size_t(t) * c.nRot);
        if (c.ropeBaseLocal > 0.0f) {
            cpu::ropeAngles(-count, c.nRot, c.ropeBaseLocal, 1.0f, nullptr, anglesLocal.data());
            auto* csLocal = static_cast<float*>(m_cosSinLocal.mapped());
            for (uint32_t t = 0; t < rows; ++t)
                std::copy(anglesLocal.begin(), anglesLocal.end(), csLocal + size_t(t) * c.nRot);
        }
    }
    const uint32_t kDim = uint32_t(c.nHeadKv * c.headDim), vDim = uint32_t(c.nHeadKv * c.headDimV);
    CommandBatch& b = *m_batch;
    for (int il = 0; il < m_b.gpuLayers(); ++il) {
        if (il > 0 && il % kLayersPerSubmit == 0) {
            if (auto r = b.submitAndWait(); !r)
                return r;
        }
        const bool local = c.layerUsesSlidingWindow.size() > size_t(il) && c.layerUsesSlidingWindow[il];
        for (uint32_t c0 = 0; c0 < moved; c0 += rows) {
            const uint32_t n = std::min(rows, moved - c0);
            const uint32_t from = uint32_t(begin + count) + c0, to = uint32_t(begin) + c0;
            if (auto r = copy(b, m_kCache[il], from * kDim, m_k, 0, n * kDim, false, m_kvF16); !r)
                return r;
            if (rotate) {
                RopeParams rp;
                rp.headDim = c.headDim;
                rp.nHeads = c.nHeadKv;
                rp.nRot = c.nRot;
                rp.tokens = n;
                rp.mode = c.rope == model::RopeKind::Neox ? RopeMode::NeoX : RopeMode::Normal;
                if (auto r = rope(b, m_k, local && c.ropeBaseLocal > 0.0f ? m_cosSinLocal : m_cosSin, m_k, rp); !r)
                    return r;
            }
            if (auto r = copy(b, m_k, 0, m_kCache[il], to * kDim, n * kDim, m_kvF16); !r)
                return r;
            if (auto r = copy(b, m_vCache[il], from * vDim, m_v, 0, n * vDim, false, m_kvF16); !r)
                return r;
            if (auto r = copy(b, m_v, 0, m_vCache[il], to * vDim, n * vDim, m_kvF16); !r)
                return r;
        }
    }
    return b.submitAndWait();
}

Result<void> VulkanContext::linear(CommandBatch& b, const Tensor& w, const Tensor& bias, const Buffer& x, const Buffer& y, uint32_t n)
{
    if (auto r = matVec(b, m_b.matrix(w), x, y, n); !r)
        return r;
    if (bias.present())
        return binary(b, BinaryOp::Add, y, m_b.vector(bias), y, n * uint32_t(w.rows), uint32_t(w.rows));
    return {};
}

// RMSNorm or LayerNorm (with its bias) of `rows` rows of nEmbd, as the model's config says.
Result<void> VulkanContext::norm(CommandBatch& b, const Buffer& x, const Tensor& w, const Tensor& bias, const Buffer& y, uint32_t rows)
{
    const ModelConfig& c = m_b.m_model->config;
    if (c.norm == model::NormKind::Layer)
        return layerNorm(b, x, m_b.vector(w), m_b.vector(bias), y, uint32_t(c.nEmbd), rows, c.normEps);
    return rmsNorm(b, x, m_b.vector(w), y, uint32_t(c.nEmbd), rows, c.normEps);
}

// dst[t] = src[t][srcOffset .. srcOffset + width) for t < n: unpacks fused projections.
Result<void> VulkanContext::split(CommandBatch& b, const Buffer& src, uint32_t srcStride, uint32_t srcOffset, const Buffer& dst, uint32_t width,
                                  uint32_t n)
{
    for (uint32_t t = 0; t < n; ++t)
        if (auto r = copy(b, src, t * srcStride + srcOffset, dst, t * width, width); !r)
            return r;
    return {};
}

Result<void> VulkanContext::layer(CommandBatch& b, int il, uint32_t n, uint32_t pos0)
{
    const ModelConfig& c = m_b.m_model->config;
    const LayerWeights& l = m_b.m_model->weights.layers[il];
    const uint32_t d = c.nEmbd, qDim = c.nHead * c.headDim, kDim = c.nHeadKv * c.headDim, vDim = c.nHeadKv * c.headDimV;
    const uint32_t ff = c.nFf;
    // Every op returns a Result; the first failure ends the layer.
#define GPU_TRY(expr)                                                                              \
    if (Result<void> r = (expr); !r)                                                               \
        return r;

    // Attention sublayer: x += [postNorm](o(attn(norm(x))))
    GPU_TRY(norm(b, m_x, l.attnNorm, l.attnNormBias, m_h, n));
    if (l.wqkv.present()) {
        GPU_TRY(linear(b, l.wqkv, l.bqkv, m_h, m_fused, n));
        GPU_TRY(split(b, m_fused, qDim + kDim + vDim, 0, m_q, qDim, n));
        GPU_TRY(split(b, m_fused, qDim + kDim + vDim, qDim, m_k, kDim, n));
        GPU_TRY(split(b, m_fused, qDim + kDim + vDim, qDim + kDim, m_v, vDim, n));
    } else {
        GPU_TRY(linear(b, l.wq, l.bq, m_h, m_q, n));
        GPU_TRY(linear(b, l.wk, l.bk, m_h, m_k, n));
        GPU_TRY(linear(b, l.wv, l.bv, m_h, m_v, n));
    }
    if (l.qNorm.present()) {
        GPU_TRY(rmsNorm(b, m_q, m_b.vector(l.qNorm), m_q, c.headDim, n * c.nHead, c.normEps));
        GPU_TRY(rmsNorm(b, m_k, m_b.vector(l.kNorm), m_k, c.headDim, n * c.nHeadKv, c.normEps));
    }
    const bool local = c.layerUsesSlidingWindow.size() > size_t(il) && c.layerUsesSlidingWindow[il];
    if (c.rope != model::RopeKind::None) {
        const Buffer& cosSin = local && c.ropeBaseLocal > 0.0f ? m_cosSinLocal : m_cosSin;
        RopeParams rp;
        rp.headDim = c.headDim;
        rp.nRot = c.nRot;
        rp.tokens = n;
        rp.mode = c.rope == model::RopeKind::Neox ? RopeMode::NeoX : RopeMode::Normal;
        rp.nHeads = c.nHead;
        GPU_TRY(rope(b, m_q, cosSin, m_q, rp));
        rp.nHeads = c.nHeadKv;
        GPU_TRY(rope(b, m_k, cosSin, m_k, rp));
    }
    GPU_TRY(copy(b, m_k, 0, m_kCache[il], pos0 * kDim, n * kDim, m_kvF16));
    GPU_TRY(copy(b, m_v, 0, m_vCache[il], pos0 * vDim, n * vDim, m_kvF16));
    AttentionParams ap;
    ap.tokens = n;
    ap.pos0 = pos0;
    ap.nHead = c.nHead;
    ap.nHeadKv = c.nHeadKv;
    ap.headDim = c.headDim;
    ap.headDimV = c.headDimV;
    ap.scale = c.attnScale > 0.0f ? c.attnScale : 1.0f / std::sqrt(float(c.headDim));
    ap.softcap = c.attnSoftcap;
    ap.window = local ? uint32_t(c.slidingWindow) : 0;
    ap.kvF16 = m_kvF16;
    GPU_TRY(attention(b, m_q, m_kCache[il], m_vCache[il], m_scratch, m_attn, ap));
    GPU_TRY(linear(b, l.wo, l.bo, m_attn, m_proj, n));
    if (l.postAttnNorm.present())
        GPU_TRY(rmsNorm(b, m_proj, m_b.vector(l.postAttnNorm), m_proj, d, n, c.normEps));
    GPU_TRY(binary(b, BinaryOp::Add, m_x, m_proj, m_x, n * d, n * d));

    // Feed-forward sublayer: x += [postNorm](down(act(gate·h) * up·h))
    GPU_TRY(norm(b, m_x, l.ffnNorm, l.ffnNormBias, m_h, n));
    const UnaryOp act = c.activation == model::Activation::Gelu ? UnaryOp::Gelu : UnaryOp::Silu;
    if (!c.gatedFfn) {
        GPU_TRY(linear(b, l.ffnUp, l.ffnUpBias, m_h, m_gate, n));
        GPU_TRY(unary(b, act, m_gate, m_gate, n * ff));
    } else {
        if (l.ffnGate.present()) {
            GPU_TRY(linear(b, l.ffnGate, Tensor{}, m_h, m_gate, n));
            GPU_TRY(linear(b, l.ffnUp, l.ffnUpBias, m_h, m_up, n));
        } else { // fused [gate; up] (phi3)
            GPU_TRY(linear(b, l.ffnUp, Tensor{}, m_h, m_fused, n));
            GPU_TRY(split(b, m_fused, 2 * ff, 0, m_gate, ff, n));
            GPU_TRY(split(b, m_fused, 2 * ff, ff, m_up, ff, n));
        }
        GPU_TRY(unary(b, act, m_gate, m_gate, n * ff));
        GPU_TRY(binary(b, BinaryOp::Mul, m_gate, m_up, m_gate, n * ff, n * ff));
    }
    GPU_TRY(linear(b, l.ffnDown, l.ffnDownBias, m_gate, m_proj, n));
    if (l.postFfnNorm.present())
        GPU_TRY(rmsNorm(b, m_proj, m_b.vector(l.postFfnNorm), m_proj, d, n, c.normEps));
    GPU_TRY(binary(b, BinaryOp::Add, m_x, m_proj, m_x, n * d, n * d));
#undef GPU_TRY
    return {};
}

Result<void> VulkanContext::chunk(std::span<const int32_t> tokens, int pos0, std::span<const int32_t> rows, float* logits,
                                  const std::atomic<bool>* cancel)
{
    const ModelConfig& c = m_b.m_model->config;
    const model::ModelWeights& w = m_b.m_model->weights;
    const uint32_t n = uint32_t(tokens.size());
    CommandBatch& b = *m_batch;

    // Inputs go straight into mapped buffers; the previous batch has finished (we always wait).
    std::memcpy(m_ids.mapped(), tokens.data(), n * sizeof(int32_t));
    auto* cs = static_cast<float*>(m_cosSin.mapped());
    const float* freqFactors = w.ropeFreqs.present() ? w.ropeFreqs.f32() : nullptr;
    auto* csLocal = static_cast<float*>(m_cosSinLocal.mapped());
    auto* posIds = static_cast<int32_t*>(m_posIds.mapped());
    for (uint32_t t = 0; t < n; ++t) {
        cpu::ropeAngles(pos0 + int(t), c.nRot, c.ropeBase, c.ropeScaling.freqScale, freqFactors, cs + size_t(t) * c.nRot);
        if (c.ropeBaseLocal > 0.0f)
            cpu::ropeAngles(pos0 + int(t), c.nRot, c.ropeBaseLocal, 1.0f, nullptr, csLocal + size_t(t) * c.nRot);
        if (w.posEmbd.present()) // positions past the table reuse its last row, as the CPU backend does
            posIds[t] = std::min(pos0 + int(t), int(w.posEmbd.rows) - 1);
    }

    // x = embedding · [scale] + [learned position]
    const uint32_t d = c.nEmbd;
    if (!m_b.outputOnGpu()) {
        // Partial offload: the tables stay off the device, the host looks the rows up.
        embedOnHost(*m_b.m_model, tokens, pos0, static_cast<float*>(m_input.mapped()));
        if (auto r = copy(b, m_input, 0, m_x, 0, n * d); !r)
            return r;
    } else {
        if (auto r = getRows(b, m_b.matrix(w.tokenEmbd), m_ids, m_x, n); !r)
            return r;
        if (c.embedScale > 0.0f) {
            if (auto r = unary(b, UnaryOp::Scale, m_x, m_x, n * d, c.embedScale); !r)
                return r;
        }
        if (w.posEmbd.present()) {
            if (auto r = getRows(b, m_b.matrix(w.posEmbd), m_posIds, m_h, n); !r)
                return r;
            if (auto r = binary(b, BinaryOp::Add, m_x, m_h, m_x, n * d, n * d); !r)
                return r;
        }
    }
    for (int il = 0; il < m_b.gpuLayers(); ++il) {
        if (il > 0 && il % kLayersPerSubmit == 0) {
            if (auto r = b.submitAndWait(); !r)
                return r;
        }
        if (cancel && cancel->load(std::memory_order_relaxed))
            return makeError(ErrorCode::Cancelled, "stopped at layer " + std::to_string(il));
        if (auto r = layer(b, il, n, uint32_t(pos0)); !r)
            return r;
    }
    if (!m_b.outputOnGpu()) {
        // The CPU takes over from the last GPU layer's output.
        if (auto r = copy(b, m_x, 0, m_hidden, 0, n * d); !r)
            return r;
        if (auto r = b.submitAndWait(); !r)
            return r;
        return m_b.m_cpuLayers->forward(*m_cpuRest, static_cast<const float*>(m_hidden.mapped()), int(n), pos0, rows, logits, cancel);
    }
    if (!rows.empty()) {
        for (size_t i = 0; i < rows.size(); ++i)
            if (auto r = copy(b, m_x, uint32_t(rows[i]) * d, m_sel, uint32_t(i) * d, d); !r)
                return r;
        const uint32_t nRows = uint32_t(rows.size());
        if (auto r = norm(b, m_sel, w.outputNorm, w.outputNormBias, m_sel, nRows); !r)
            return r;
        if (auto r = matVec(b, m_b.matrix(w.output), m_sel, m_logits, nRows); !r)
            return r;
        if (c.finalSoftcap > 0.0f) {
            if (auto r = unary(b, UnaryOp::Softcap, m_logits, m_logits, nRows * uint32_t(c.nVocab), c.finalSoftcap); !r)
                return r;
        }
    }
    if (auto r = b.submitAndWait(); !r)
        return r;
    if (!rows.empty())
        std::memcpy(logits, m_logits.mapped(), rows.size() * size_t(c.nVocab) * sizeof(float));
    return {};
}

bool envFlag(const char* name)
{
    const char* v = std::getenv(name);
    return v && *v && std::strcmp(v, "0") != 0;
}

} // namespace

VulkanBackendOptions vulkanOptionsFor(const LoadOptions& options)
{
    VulkanBackendOptions vk;
    vk.allowCpuDevice = options.backend == BackendChoice::Vulkan;
    vk.gpuLayers = options.gpuLayers;
    vk.contextLength = options.contextLength;
    vk.kvCacheType = options.kvCacheType;
    vk.threads = options.threads;
    return vk;
}

std::string unsupportedReason(const model::LoadedModel& m)
{
    const ModelConfig& c = m.config;
    const model::ModelWeights& w = m.weights;
    if (c.norm == model::NormKind::Layer) {
        if (!w.outputNormBias.present())
            return "LayerNorm without a bias";
        for (const LayerWeights& l : w.layers)
            if (!l.attnNormBias.present() || !l.ffnNormBias.present())
                return "LayerNorm without a bias";
    }
    if (c.slidingWindow > 0 && c.layerUsesSlidingWindow.size() != size_t(c.nLayer))
        return "a sliding window without its per-layer list";
    if (c.nHeadKv <= 0 || c.nHead % c.nHeadKv)
        return "a head count that is not a multiple of the KV head count";
    std::vector<const Tensor*> matrices = {&w.tokenEmbd, &w.posEmbd, &w.output};
    std::vector<const Tensor*> vectors = {&w.outputNorm, &w.outputNormBias};
    for (const LayerWeights& l : w.layers) {
        for (const Tensor* t : {&l.wq, &l.wk, &l.wv, &l.wqkv, &l.wo, &l.ffnGate, &l.ffnUp, &l.ffnDown})
            matrices.push_back(t);
        for (const Tensor* t : {&l.attnNorm, &l.attnNormBias, &l.ffnNorm, &l.ffnNormBias, &l.qNorm, &l.kNorm, &l.postAttnNorm,
                                &l.postFfnNorm, &l.bq, &l.bk, &l.bv, &l.bqkv, &l.bo, &l.ffnUpBias, &l.ffnDownBias})
            vectors.push_back(t);
    }
    for (const Tensor* t : matrices)
        if (t->present() && !canMatVec(t->type))
            return "tensor '" + t->name + "' of type " + std::string(quant::typeName(t->type));
    for (const Tensor* t : vectors)
        if (t->present() && t->type != quant::TensorType::F32)
            return "tensor '" + t->name + "' of type " + std::string(quant::typeName(t->type)) + " (f32 expected)";
    return {};
}

Result<std::unique_ptr<model::Backend>> createVulkanBackend(std::shared_ptr<const model::LoadedModel> model,
                                                            const VulkanBackendOptions& options)
{
    if (const std::string why = unsupportedReason(*model); !why.empty())
        return makeError(ErrorCode::Unsupported, "the Vulkan backend does not support " + why + " yet");
    auto backend = std::make_unique<VulkanBackendImpl>();
    backend->m_model = model;
    InstanceOptions instanceOptions;
    instanceOptions.validation = options.validation || envFlag("INKSTONE_VULKAN_VALIDATION");
    auto instance = Instance::create(instanceOptions);
    if (!instance)
        return instance.error();
    backend->m_ownedInstance = std::move(*instance);
    DeviceOptions deviceOptions;
    deviceOptions.selector = options.deviceSelector;
    if (deviceOptions.selector.empty()) {
        if (const char* env = std::getenv("INKSTONE_VULKAN_DEVICE"))
            deviceOptions.selector = env;
    }
    deviceOptions.allowCpu = options.allowCpuDevice;
    deviceOptions.pipelineCacheDir = options.pipelineCacheDir;
    auto device = Device::create(*backend->m_ownedInstance, deviceOptions);
    if (!device)
        return device.error();
    backend->m_ownedDevice = std::move(*device);
    backend->m_device = backend->m_ownedDevice.get();
    if (auto r = backend->prepare(options); !r)
        return r.error();
    return std::unique_ptr<model::Backend>(std::move(backend));
}

Result<std::unique_ptr<model::Backend>> createVulkanBackendOn(std::shared_ptr<const model::LoadedModel> model, Device& device,
                                                              const VulkanBackendOptions& options)
{
    if (const std::string why = unsupportedReason(*model); !why.empty())
        return makeError(ErrorCode::Unsupported, "the Vulkan backend does not support " + why + " yet");
    auto backend = std::make_unique<VulkanBackendImpl>();
    backend->m_model = std::move(model);
    backend->m_device = &device;
    if (auto r = backend->prepare(options); !r)
        return r.error();
    return std::unique_ptr<model::Backend>(std::move(backend));
}

void registerVulkanBackend()
{
    model::setGpuBackendFactory([](std::shared_ptr<const model::LoadedModel> model, const LoadOptions& options) {
        return createVulkanBackend(std::move(model), vulkanOptionsFor(options));
    });
}

} // namespace engine::gpu
