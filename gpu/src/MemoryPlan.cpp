#include "MemoryPlan.h"

#include "Ops.h"

#include <algorithm>
#include <string>

namespace engine::gpu {

namespace {

constexpr uint64_t kMaxScoreBytes = 256ull << 20;
constexpr uint64_t kStagingBytes = 16ull << 20; // Device's staging buffer

uint64_t rounded(uint64_t bytes)
{
    return (bytes + kAllocationGranule - 1) / kAllocationGranule * kAllocationGranule;
}

// As DeviceMatrix::upload splits it: whole rows per part, each part one buffer.
uint64_t matrixBytes(const model::Tensor& t, uint64_t maxBufferBytes)
{
    if (!t.present())
        return 0;
    const uint64_t rowBytes = std::max<uint64_t>(t.rowBytes, 1);
    const uint64_t rowsPerPart = std::max<uint64_t>(1, std::min<uint64_t>(uint64_t(t.rows), maxBufferBytes / rowBytes));
    uint64_t total = 0;
    for (uint64_t first = 0; first < uint64_t(t.rows); first += rowsPerPart)
        total += rounded(std::min<uint64_t>(rowsPerPart, uint64_t(t.rows) - first) * rowBytes);
    return total;
}

uint64_t vectorBytes(const model::Tensor& t)
{
    return t.present() ? rounded(uint64_t(t.cols) * uint64_t(t.rows) * 4) : 0;
}

std::string mib(uint64_t bytes)
{
    return std::to_string((bytes + (1u << 19)) >> 20) + " MiB";
}

} // namespace

uint64_t ActivationSizes::bytes() const
{
    uint64_t total = 0;
    for (uint64_t floats : {x, h, q, k, v, attn, proj, gate, up, fused, scores, sel, ids, posIds, cosSin, cosSinLocal, logits, input, hidden})
        if (floats)
            total += rounded(floats * 4);
    return total;
}

ActivationSizes activationSizes(const model::ModelConfig& c, int nCtx, uint64_t maxBufferBytes, bool outputOnGpu, uint32_t maxTokens)
{
    ActivationSizes s;
    // The attention scratch holds chunk x heads x context scores: the chunk shrinks to fit a buffer.
    const uint64_t perToken = uint64_t(c.nHead) * uint64_t(nCtx) * 4;
    s.chunk = uint32_t(std::clamp<uint64_t>(std::min(maxBufferBytes, kMaxScoreBytes) / std::max<uint64_t>(perToken, 1), 1, kMaxChunk));
    s.chunk = std::max<uint32_t>(1, std::min({s.chunk, uint32_t(nCtx), maxTokens}));
    const uint64_t n = s.chunk;
    const uint64_t qDim = uint64_t(c.nHead) * c.headDim, kDim = uint64_t(c.nHeadKv) * c.headDim, vDim = uint64_t(c.nHeadKv) * c.headDimV;
    const uint64_t fusedWidth = std::max<uint64_t>(qDim + kDim + vDim, 2 * uint64_t(c.nFf));
    s.x = s.h = s.proj = n * c.nEmbd;
    s.q = n * qDim;
    s.k = n * kDim;
    s.v = n * vDim;
    s.attn = n * c.nHead * c.headDimV;
    s.gate = s.up = n * c.nFf;
    s.fused = n * fusedWidth;
    // Decoding a few tokens over a long context splits the keys (split-K): the scores plus each
    // split's record.
    AttentionParams decode;
    decode.tokens = std::min<uint32_t>(kSplitMaxTokens, s.chunk);
    decode.pos0 = uint32_t(nCtx) - decode.tokens;
    decode.nHead = uint32_t(c.nHead);
    decode.headDimV = uint32_t(c.headDimV);
    s.scores = std::max(n * perToken / 4, attentionScratchFloats(decode));
    s.ids = s.posIds = n;
    s.cosSin = s.cosSinLocal = n * std::max(2, c.nRot);
    if (outputOnGpu) {
        s.sel = n * c.nEmbd;
        s.logits = n * c.nVocab;
    } else {
        s.input = s.hidden = n * c.nEmbd;
    }
    return s;
}

uint64_t MemoryNeeds::total(int gpuLayers, bool outputOnGpu) const
{
    uint64_t sum = transfer + (outputOnGpu ? shared + activationsFull : activationsPartial);
    for (int il = 0; il < gpuLayers && il < int(layers.size()); ++il)
        sum += layers[il];
    return sum;
}

MemoryNeeds estimateMemory(const model::LoadedModel& m, int nCtx, KvCacheType kvType, uint64_t maxBufferBytes)
{
    const model::ModelConfig& c = m.config;
    const model::ModelWeights& w = m.weights;
    MemoryNeeds needs;
    needs.shared = matrixBytes(w.tokenEmbd, maxBufferBytes) + matrixBytes(w.posEmbd, maxBufferBytes) + vectorBytes(w.outputNorm)
        + vectorBytes(w.outputNormBias);
    if (w.output.data != w.tokenEmbd.data) // tied embeddings are uploaded once
        needs.shared += matrixBytes(w.output, maxBufferBytes);
    const uint64_t kvElem = kvType == KvCacheType::F16 ? 2 : 4;
    const uint64_t kvBytes = rounded(uint64_t(nCtx) * c.nHeadKv * c.headDim * kvElem) + rounded(uint64_t(nCtx) * c.nHeadKv * c.headDimV * kvElem);
    for (const model::LayerWeights& l : w.layers) {
        uint64_t bytes = kvBytes;
        for (const model::Tensor* t : {&l.wq, &l.wk, &l.wv, &l.wqkv, &l.wo, &l.ffnGate, &l.ffnUp, &l.ffnDown})
            bytes += matrixBytes(*t, maxBufferBytes);
        for (const model::Tensor* t : {&l.attnNorm, &l.attnNormBias, &l.ffnNorm, &l.ffnNormBias, &l.qNorm, &l.kNorm, &l.postAttnNorm,
                                       &l.postFfnNorm, &l.bq, &l.bk, &l.bv, &l.bqkv, &l.bo, &l.ffnUpBias, &l.ffnDownBias})
            bytes += vectorBytes(*t);
        needs.layers.push_back(bytes);
    }
    needs.activationsFull = activationSizes(c, nCtx, maxBufferBytes, true, UINT32_MAX).bytes();
    needs.activationsPartial = activationSizes(c, nCtx, maxBufferBytes, false, UINT32_MAX).bytes();
    needs.transfer = rounded(std::min(kStagingBytes, maxBufferBytes));
    return needs;
}

Result<OffloadPlan> planOffload(const MemoryNeeds& needs, uint64_t available, int requested)
{
    const int nLayer = int(needs.layers.size());
    if (requested == 0)
        return makeError(ErrorCode::InvalidArgument, "0 GPU layers: that is the CPU backend");
    if (requested >= nLayer)
        return OffloadPlan{nLayer, true};
    if (requested > 0)
        return OffloadPlan{requested, false};
    if (needs.total(nLayer, true) <= available)
        return OffloadPlan{nLayer, true};
    int fit = 0;
    while (fit < nLayer && needs.total(fit + 1, false) <= available)
        ++fit;
    if (fit == 0)
        return makeError(ErrorCode::OutOfMemory, "the GPU has " + mib(available) + " of memory free; one layer of this model needs "
                                                     + mib(needs.total(1, false)) + " and all of it " + mib(needs.total(nLayer, true)));
    return OffloadPlan{fit, false};
}

} // namespace engine::gpu
