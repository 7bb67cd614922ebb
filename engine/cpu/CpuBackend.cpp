#include "cpu/CpuBackend.h"

#include "core/CpuFeatures.h"
#include "cpu/Attention.h"
#include "cpu/CpuWeights.h"
#include "cpu/MatMul.h"
#include "cpu/Ops.h"
#include "cpu/ThreadPool.h"
#include "quant/Kernels.h"
#include "quant/Quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <new>

namespace engine::cpu {

namespace {

using model::LayerWeights;
using model::ModelConfig;
using model::Tensor;

// Tokens per forward chunk; longer prompts run in several chunks. It bounds the scratch memory
// and the time between two cancellation checks (one per layer: a 7B model prefilling at ~20
// tokens/s on two cores spends ~200 ms on a 128-token layer), while a weight row is still read
// once per 128 tokens.
constexpr int kMaxBatch = 128;
// Rows from which the row-wise ops (norms, RoPE, activations) run on the pool.
constexpr int kPoolRows = 8;

const float* f32OrNull(const Tensor& t)
{
    return t.present() ? t.f32() : nullptr;
}

class CpuContext final : public model::BackendContext {
public:
    CpuContext(std::shared_ptr<const model::LoadedModel> model, std::shared_ptr<const CpuWeights> weights, ThreadPool& pool,
               std::mutex& poolMutex, int nCtx, KvCacheType kvType);

    int capacity() const override { return m_nCtx; }
    Result<void> forward(std::span<const int32_t> tokens, int startPos, std::span<const int32_t> logitRows, float* logits,
                         const std::atomic<bool>* cancel) override;

private:
    Result<void> removeCells(int begin, int count, int end) override;
    Result<void> forwardBatch(std::span<const int32_t> tokens, int pos0, std::span<const int32_t> logitRows, float* logits,
                              const std::atomic<bool>* cancel);
    void embed(std::span<const int32_t> tokens, int pos0);
    void norm(const float* x, float* y, int n, const Tensor& w, const Tensor& b);
    // Attention and its output projection; rows past attention are cut to `keep` (ascending
    // indices) when given. Returns the rows that remain.
    int attentionBlock(int il, int n, int pos0, const std::vector<int32_t>* keep);
    void ffnBlock(int il, int n);
    void storeKv(int il, int n, int pos0);
    void output(std::span<const int32_t> rows, float* logits);
    // x += [postNorm](proj) for each row.
    void addResidual(int n, const Tensor& postNorm);
    // fn(t) for t < n: on the pool for a prompt batch (one thread alone would leave the others
    // waiting), inline for the few rows of generation.
    template <typename Fn>
    void forEachRow(int n, const Fn& fn)
    {
        if (n < kPoolRows) {
            for (int t = 0; t < n; ++t)
                fn(t);
            return;
        }
        m_pool.parallelFor(n, [&](int t, int) { fn(t); });
    }

    size_t kvLayerBytes(int dimPerPos) const { return static_cast<size_t>(m_nCtx) * dimPerPos * (m_kvType == KvCacheType::F16 ? 2 : 4); }

    std::shared_ptr<const model::LoadedModel> m_model;
    std::shared_ptr<const CpuWeights> m_weights;
    const ModelConfig& m_c;
    const model::ModelWeights& m_w;
    ThreadPool& m_pool;
    std::mutex& m_poolMutex;   // sessions of one model share the pool; one forward at a time
    int m_nCtx;
    KvCacheType m_kvType;
    int m_qDim, m_kDim, m_vDim, m_oDim;

    std::vector<std::vector<uint8_t>> m_kCache;   // per layer: (nCtx, kDim)
    std::vector<std::vector<uint8_t>> m_vCache;   // per layer: (nCtx, vDim)
    std::vector<float> m_x;                       // (batch, nEmbd) residual stream
    std::vector<float> m_h;                       // (batch, nEmbd) normed input of a sublayer
    std::vector<float> m_q, m_k, m_v;             // (batch, qDim / kDim / vDim)
    std::vector<float> m_attn;                    // (batch, oDim)
    std::vector<float> m_proj;                    // (batch, nEmbd) sublayer output
    std::vector<float> m_gate, m_up;              // (batch, nFf)
    std::vector<float> m_cosSin, m_cosSinLocal;   // (batch, nRot)
    AttentionScratch m_attnScratch;
    std::vector<int32_t> m_rowScratch;            // logit rows of one chunk
    std::vector<int32_t> m_keepRows;              // rows past the last layer's attention
    std::vector<float> m_outScratch;              // normed rows for the output matrix
};

CpuContext::CpuContext(std::shared_ptr<const model::LoadedModel> model, std::shared_ptr<const CpuWeights> weights, ThreadPool& pool,
                       std::mutex& poolMutex, int nCtx, KvCacheType kvType)
    : m_model(std::move(model)), m_weights(std::move(weights)), m_c(m_model->config), m_w(m_weights->weights), m_pool(pool), m_poolMutex(poolMutex), m_nCtx(nCtx),
      m_kvType(kvType)
{
    m_qDim = m_c.nHead * m_c.headDim;
    m_kDim = m_c.nHeadKv * m_c.headDim;
    m_vDim = m_c.nHeadKv * m_c.headDimV;
    m_oDim = m_c.nHead * m_c.headDimV;
    m_kCache.resize(m_c.nLayer);
    m_vCache.resize(m_c.nLayer);
    for (int il = 0; il < m_c.nLayer; ++il) {
        m_kCache[il].resize(kvLayerBytes(m_kDim));
        m_vCache[il].resize(kvLayerBytes(m_vDim));
    }
    const size_t b = std::min(kMaxBatch, nCtx);
    m_x.resize(b * m_c.nEmbd);
    m_h.resize(b * m_c.nEmbd);
    m_q.resize(b * m_qDim);
    m_k.resize(b * m_kDim);
    m_v.resize(b * m_vDim);
    m_attn.resize(b * m_oDim);
    m_proj.resize(b * m_c.nEmbd);
    m_gate.resize(b * m_c.nFf);
    m_up.resize(b * m_c.nFf);
    m_cosSin.resize(b * std::max(2, m_c.nRot));
    m_cosSinLocal.resize(b * std::max(2, m_c.nRot));
}

Result<void> CpuContext::forward(std::span<const int32_t> tokens, int startPos, std::span<const int32_t> logitRows, float* logits,
                                 const std::atomic<bool>* cancel)
{
    if (startPos < 0 || startPos + tokens.size() > static_cast<size_t>(m_nCtx))
        return makeError(ErrorCode::ContextFull, "positions " + std::to_string(startPos) + ".." +
                                                     std::to_string(startPos + tokens.size()) + " exceed the context of " +
                                                     std::to_string(m_nCtx) + " tokens");
    for (int32_t t : tokens)
        if (t < 0 || t >= m_c.nVocab)
            return makeError(ErrorCode::InvalidArgument, "token id " + std::to_string(t) + " is outside the vocabulary (0.." +
                                                             std::to_string(m_c.nVocab - 1) + ")");
    std::lock_guard lock(m_poolMutex);
    // Split into chunks; each chunk gets the logit rows that fall inside it.
    size_t rowIndex = 0;
    for (size_t begin = 0; begin < tokens.size(); begin += kMaxBatch) {
        const size_t count = std::min<size_t>(kMaxBatch, tokens.size() - begin);
        std::vector<int32_t>& rows = m_rowScratch;
        rows.clear();
        const size_t firstRow = rowIndex;
        while (rowIndex < logitRows.size() && static_cast<size_t>(logitRows[rowIndex]) < begin + count) {
            rows.push_back(logitRows[rowIndex] - static_cast<int32_t>(begin));
            ++rowIndex;
        }
        auto r = forwardBatch(tokens.subspan(begin, count), startPos + static_cast<int>(begin), rows,
                              logits + firstRow * static_cast<size_t>(m_c.nVocab), cancel);
        if (!r)
            return r;
    }
    return {};
}

void CpuContext::embed(std::span<const int32_t> tokens, int pos0)
{
    const int d = m_c.nEmbd;
    m_pool.parallelFor(static_cast<int>(tokens.size()), [&](int t, int) {
        float* x = m_x.data() + static_cast<size_t>(t) * d;
        quant::dequantizeRow(m_w.tokenEmbd.type, m_w.tokenEmbd.row(tokens[t]), x, d);
        if (m_c.embedScale > 0.0f)
            for (int i = 0; i < d; ++i)
                x[i] *= m_c.embedScale;
        if (m_w.posEmbd.present()) {
            const float* p = reinterpret_cast<const float*>(m_w.posEmbd.row(std::min(pos0 + t, static_cast<int>(m_w.posEmbd.rows) - 1)));
            for (int i = 0; i < d; ++i)
                x[i] += p[i];
        }
    });
}

void CpuContext::norm(const float* x, float* y, int n, const Tensor& w, const Tensor& b)
{
    const int d = m_c.nEmbd;
    forEachRow(n, [&](int t) {
        const float* xi = x + static_cast<size_t>(t) * d;
        float* yi = y + static_cast<size_t>(t) * d;
        if (m_c.norm == model::NormKind::Rms)
            rmsNorm(xi, f32OrNull(w), yi, d, m_c.normEps);
        else
            layerNorm(xi, f32OrNull(w), f32OrNull(b), yi, d, m_c.normEps);
    });
}

void CpuContext::addResidual(int n, const Tensor& postNorm)
{
    const int d = m_c.nEmbd;
    forEachRow(n, [&](int t) {
        float* p = m_proj.data() + static_cast<size_t>(t) * d;
        float* x = m_x.data() + static_cast<size_t>(t) * d;
        if (postNorm.present())
            rmsNorm(p, postNorm.f32(), p, d, m_c.normEps);
        for (int i = 0; i < d; ++i)
            x[i] += p[i];
    });
}

void CpuContext::storeKv(int il, int n, int pos0)
{
    const VectorOps& ops = vectorOps();
    forEachRow(n, [&](int t) {
        const float* k = m_k.data() + static_cast<size_t>(t) * m_kDim;
        const float* v = m_v.data() + static_cast<size_t>(t) * m_vDim;
        const size_t pos = static_cast<size_t>(pos0 + t);
        if (m_kvType == KvCacheType::F16) {
            ops.toF16(k, reinterpret_cast<uint16_t*>(m_kCache[il].data()) + pos * m_kDim, m_kDim);
            ops.toF16(v, reinterpret_cast<uint16_t*>(m_vCache[il].data()) + pos * m_vDim, m_vDim);
        } else {
            std::memcpy(reinterpret_cast<float*>(m_kCache[il].data()) + pos * m_kDim, k, sizeof(float) * m_kDim);
            std::memcpy(reinterpret_cast<float*>(m_vCache[il].data()) + pos * m_vDim, v, sizeof(float) * m_vDim);
        }
    });
}

int CpuContext::attentionBlock(int il, int n, int pos0, const std::vector<int32_t>* keep)
{
    const LayerWeights& l = m_w.layers[il];
    MatMulInput in(m_h.data(), n, m_c.nEmbd);
    if (l.wqkv.present()) {
        MatMulJob jobs[] = {{&l.wqkv, &in, m_q.data(), 0, m_qDim, m_qDim, &l.bqkv},
                            {&l.wqkv, &in, m_k.data(), m_qDim, m_kDim, m_kDim, &l.bqkv},
                            {&l.wqkv, &in, m_v.data(), m_qDim + m_kDim, m_vDim, m_vDim, &l.bqkv}};
        matmul(m_pool, jobs);
    } else {
        MatMulJob jobs[] = {{&l.wq, &in, m_q.data(), 0, -1, 0, &l.bq},
                            {&l.wk, &in, m_k.data(), 0, -1, 0, &l.bk},
                            {&l.wv, &in, m_v.data(), 0, -1, 0, &l.bv}};
        matmul(m_pool, jobs);
    }
    const bool local = m_c.layerUsesSlidingWindow[il];
    const float* cosSin = local && m_c.ropeBaseLocal > 0.0f ? m_cosSinLocal.data() : m_cosSin.data();
    forEachRow(n, [&](int t) {
        float* q = m_q.data() + static_cast<size_t>(t) * m_qDim;
        float* k = m_k.data() + static_cast<size_t>(t) * m_kDim;
        if (l.qNorm.present()) {
            for (int h = 0; h < m_c.nHead; ++h)
                rmsNorm(q + h * m_c.headDim, l.qNorm.f32(), q + h * m_c.headDim, m_c.headDim, m_c.normEps);
            for (int h = 0; h < m_c.nHeadKv; ++h)
                rmsNorm(k + h * m_c.headDim, l.kNorm.f32(), k + h * m_c.headDim, m_c.headDim, m_c.normEps);
        }
        const float* cs = cosSin + static_cast<size_t>(t) * m_c.nRot;
        applyRope(q, m_c.nHead, m_c.headDim, m_c.nRot, cs, m_c.rope);
        applyRope(k, m_c.nHeadKv, m_c.headDim, m_c.nRot, cs, m_c.rope);
    });
    storeKv(il, n, pos0);
    if (keep && keep->empty())
        return 0;

    AttentionArgs a;
    a.q = m_q.data();
    a.kCache = m_kCache[il].data();
    a.vCache = m_vCache[il].data();
    a.kvType = m_kvType;
    a.n = n;
    a.pos0 = pos0;
    a.nHead = m_c.nHead;
    a.nHeadKv = m_c.nHeadKv;
    a.headDim = m_c.headDim;
    a.headDimV = m_c.headDimV;
    a.scale = m_c.attnScale > 0.0f ? m_c.attnScale : 1.0f / std::sqrt(static_cast<float>(m_c.headDim));
    a.softcap = m_c.attnSoftcap;
    a.window = local ? m_c.slidingWindow : 0;
    a.out = m_attn.data();
    attention(m_pool, a, m_attnScratch);

    if (keep) {
        for (size_t i = 0; i < keep->size(); ++i)
            std::memmove(m_attn.data() + i * m_oDim, m_attn.data() + static_cast<size_t>((*keep)[i]) * m_oDim, sizeof(float) * m_oDim);
        n = static_cast<int>(keep->size());
    }
    MatMulInput attnOut(m_attn.data(), n, m_oDim);
    matmul(m_pool, l.wo, attnOut, m_proj.data(), 0, -1, 0, &l.bo);
    return n;
}

void CpuContext::ffnBlock(int il, int n)
{
    const LayerWeights& l = m_w.layers[il];
    const int ff = m_c.nFf;
    MatMulInput in(m_h.data(), n, m_c.nEmbd);
    if (!m_c.gatedFfn) {
        matmul(m_pool, l.ffnUp, in, m_gate.data(), 0, -1, 0, &l.ffnUpBias);
        forEachRow(n, [&](int t) { activate(m_gate.data() + static_cast<size_t>(t) * ff, nullptr, ff, m_c.activation); });
    } else {
        if (l.ffnGate.present()) {
            MatMulJob jobs[] = {{&l.ffnGate, &in, m_gate.data(), 0, -1, 0, nullptr},
                                {&l.ffnUp, &in, m_up.data(), 0, -1, 0, &l.ffnUpBias}};
            matmul(m_pool, jobs);
        } else {   // fused [gate; up] (phi3)
            MatMulJob jobs[] = {{&l.ffnUp, &in, m_gate.data(), 0, ff, ff, nullptr},
                                {&l.ffnUp, &in, m_up.data(), ff, ff, ff, nullptr}};
            matmul(m_pool, jobs);
        }
        forEachRow(n, [&](int t) {
            activate(m_gate.data() + static_cast<size_t>(t) * ff, m_up.data() + static_cast<size_t>(t) * ff, ff, m_c.activation);
        });
    }
    MatMulInput act(m_gate.data(), n, ff);
    matmul(m_pool, l.ffnDown, act, m_proj.data(), 0, -1, 0, &l.ffnDownBias);
}

void CpuContext::output(std::span<const int32_t> rows, float* logits)
{
    if (rows.empty())
        return;
    const int d = m_c.nEmbd;
    const int nRows = static_cast<int>(rows.size());
    std::vector<float>& h = m_outScratch;
    if (h.size() < static_cast<size_t>(nRows) * d)
        h.resize(static_cast<size_t>(nRows) * d);
    for (int i = 0; i < nRows; ++i)
        std::memcpy(h.data() + static_cast<size_t>(i) * d, m_x.data() + static_cast<size_t>(rows[i]) * d, sizeof(float) * d);
    norm(h.data(), h.data(), nRows, m_w.outputNorm, m_w.outputNormBias);
    MatMulInput in(h.data(), nRows, d);
    matmul(m_pool, m_w.output, in, logits);
    if (m_c.finalSoftcap > 0.0f)
        softcap(logits, nRows * m_c.nVocab, m_c.finalSoftcap);
}

// One generic transformer forward pass over a batch of tokens; every architecture difference
// is a ModelConfig field or an optional tensor.
Result<void> CpuContext::forwardBatch(std::span<const int32_t> tokens, int pos0, std::span<const int32_t> logitRows, float* logits,
                                      const std::atomic<bool>* cancel)
{
    int n = static_cast<int>(tokens.size());
    const int d = m_c.nEmbd;
    embed(tokens, pos0);
    if (m_c.rope != model::RopeKind::None) {
        const float* ff = f32OrNull(m_w.ropeFreqs);
        for (int t = 0; t < n; ++t) {
            ropeAngles(pos0 + t, m_c.nRot, m_c.ropeBase, m_c.ropeScaling.freqScale, ff, m_cosSin.data() + static_cast<size_t>(t) * m_c.nRot);
            if (m_c.ropeBaseLocal > 0.0f)
                ropeAngles(pos0 + t, m_c.nRot, m_c.ropeBaseLocal, 1.0f, nullptr, m_cosSinLocal.data() + static_cast<size_t>(t) * m_c.nRot);
        }
    }
    for (int il = 0; il < m_c.nLayer; ++il) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return makeError(ErrorCode::Cancelled, "stopped at layer " + std::to_string(il));
        const LayerWeights& l = m_w.layers[il];

        // Attention sublayer: x += [postNorm](o(attn(norm(x))))
        norm(m_x.data(), m_h.data(), n, l.attnNorm, l.attnNormBias);
        // After the last layer's attention only the rows that give logits matter (as llama.cpp
        // does it): the rest skip the output projection and the last feed-forward, and a chunk
        // without logits (the early part of a long prompt) only stores its keys and values.
        const bool pruned = il == m_c.nLayer - 1 && logitRows.size() < static_cast<size_t>(n);
        if (pruned) {
            m_keepRows.assign(logitRows.begin(), logitRows.end());
            n = attentionBlock(il, n, pos0, &m_keepRows);
            for (size_t i = 0; i < m_keepRows.size(); ++i)
                std::memmove(m_x.data() + i * d, m_x.data() + static_cast<size_t>(m_keepRows[i]) * d, sizeof(float) * d);
            for (size_t i = 0; i < m_keepRows.size(); ++i)
                m_keepRows[i] = static_cast<int32_t>(i);
            logitRows = m_keepRows;
            if (n == 0)
                break;
        } else {
            attentionBlock(il, n, pos0, nullptr);
        }
        addResidual(n, l.postAttnNorm);

        // Feed-forward sublayer: x += [postNorm](down(act(gate·h) * up·h))
        norm(m_x.data(), m_h.data(), n, l.ffnNorm, l.ffnNormBias);
        ffnBlock(il, n);
        addResidual(n, l.postFfnNorm);
    }
    output(logitRows, logits);
    return {};
}

Result<void> CpuContext::removeCells(int begin, int count, int end)
{
    if (auto r = checkCellRange(begin, count, end); !r)
        return r;
    if (count == 0 || begin + count == end)
        return {};
    std::lock_guard lock(m_poolMutex);
    const int moved = end - begin - count;
    // Rotating a key by the angles of position −count takes it from position p to p − count:
    // RoPE angles are linear in the position (the same for the local base of sliding layers).
    std::vector<float> cosSin(std::max(2, m_c.nRot)), cosSinLocal(std::max(2, m_c.nRot));
    if (m_c.rope != model::RopeKind::None) {
        ropeAngles(-count, m_c.nRot, m_c.ropeBase, m_c.ropeScaling.freqScale, f32OrNull(m_w.ropeFreqs), cosSin.data());
        if (m_c.ropeBaseLocal > 0.0f)
            ropeAngles(-count, m_c.nRot, m_c.ropeBaseLocal, 1.0f, nullptr, cosSinLocal.data());
    }
    const size_t elem = m_kvType == KvCacheType::F16 ? sizeof(uint16_t) : sizeof(float);
    const VectorOps& ops = vectorOps();
    m_pool.parallelFor(m_c.nLayer, [&](int il, int) {
        uint8_t* k = m_kCache[il].data();
        uint8_t* v = m_vCache[il].data();
        const size_t kRow = elem * m_kDim, vRow = elem * m_vDim;
        std::memmove(k + kRow * begin, k + kRow * (begin + count), kRow * moved);
        std::memmove(v + vRow * begin, v + vRow * (begin + count), vRow * moved);
        if (m_c.rope == model::RopeKind::None)
            return;
        const bool local = m_c.layerUsesSlidingWindow[il] && m_c.ropeBaseLocal > 0.0f;
        const float* cs = local ? cosSinLocal.data() : cosSin.data();
        std::vector<float> row(m_kDim);
        for (int c = begin; c < begin + moved; ++c) {
            uint8_t* cell = k + kRow * c;
            if (m_kvType == KvCacheType::F16) {
                quant::dequantizeRow(quant::TensorType::F16, cell, row.data(), m_kDim);
                applyRope(row.data(), m_c.nHeadKv, m_c.headDim, m_c.nRot, cs, m_c.rope);
                ops.toF16(row.data(), reinterpret_cast<uint16_t*>(cell), m_kDim);
            } else {
                applyRope(reinterpret_cast<float*>(cell), m_c.nHeadKv, m_c.headDim, m_c.nRot, cs, m_c.rope);
            }
        }
    });
    return {};
}

class CpuBackend final : public model::Backend {
public:
    CpuBackend(std::shared_ptr<const model::LoadedModel> model, int threads)
        : m_model(std::move(model)), m_pool(threads), m_weights(prepareCpuWeights(*m_model, m_pool))
    {
    }

    std::string description() const override
    {
        return "CPU \u00b7 " + cpuFeatures().bestIsaName() + " \u00b7 " + std::to_string(m_pool.size()) +
               (m_pool.size() == 1 ? " thread" : " threads");
    }

    Result<std::unique_ptr<model::BackendContext>> createContext(int nCtx, KvCacheType kvType) override
    {
        if (nCtx <= 0)
            return makeError(ErrorCode::InvalidArgument, "context length must be positive, got " + std::to_string(nCtx));
        try {
            return std::unique_ptr<model::BackendContext>(std::make_unique<CpuContext>(m_model, m_weights, m_pool, m_poolMutex, nCtx, kvType));
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::OutOfMemory, "cannot allocate the KV cache for " + std::to_string(nCtx) + " tokens");
        }
    }

private:
    std::shared_ptr<const model::LoadedModel> m_model;
    ThreadPool m_pool;
    std::shared_ptr<const CpuWeights> m_weights;
    std::mutex m_poolMutex;
};

} // namespace

Result<std::unique_ptr<model::Backend>> createCpuBackend(std::shared_ptr<const model::LoadedModel> model, int threads)
{
    std::vector<const Tensor*> matrices = {&model->weights.output};
    for (const LayerWeights& l : model->weights.layers)
        for (const Tensor* t : {&l.wq, &l.wk, &l.wv, &l.wqkv, &l.wo, &l.ffnGate, &l.ffnUp, &l.ffnDown})
            matrices.push_back(t);
    for (const Tensor* t : matrices)
        if (t->present() && !quant::hasVecDot(t->type))
            return makeError(ErrorCode::Unsupported, "tensor '" + t->name + "' has type " + std::string(quant::typeName(t->type)) +
                                                         ", which has no CPU kernel");
    return std::unique_ptr<model::Backend>(std::make_unique<CpuBackend>(std::move(model), threads > 0 ? threads : defaultThreadCount()));
}

} // namespace engine::cpu
