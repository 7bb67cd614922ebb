#pragma once
// The part of a partially offloaded model that runs on the CPU: layers [first, nLayer) and the
// output. It is the unchanged CPU backend over a view of the model that keeps only those layers
// and whose "token embedding" is a host buffer of hidden states (F32, no embedding scale, no
// learned positions): feeding it tokens 0..n-1 at positions pos0.. makes its first layer start
// from the GPU's output rows, with RoPE and the KV cache at the real positions.

#include "core/Result.h"
#include "model/Backend.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace engine::gpu {

class CpuLayers {
public:
    // maxTokens: the most rows one forward() takes (at most the vocabulary size: the rows are
    // passed as token ids).
    static Result<std::unique_ptr<CpuLayers>> create(std::shared_ptr<const model::LoadedModel> model, int firstLayer, int maxTokens,
                                                     int threads);

    int maxTokens() const { return m_maxTokens; }
    std::string description() const { return m_cpu->description(); }

    // A KV cache for the CPU's layers.
    Result<std::unique_ptr<model::BackendContext>> createContext(int nCtx, KvCacheType kvType) { return m_cpu->createContext(nCtx, kvType); }

    // hidden: n rows of nEmbd floats, the output of layer firstLayer - 1 for positions pos0...;
    // rows and logits as in BackendContext::forward. Thread-safe (the input buffer is shared by
    // the contexts, so their calls take turns, as they do on the CPU backend's thread pool).
    Result<void> forward(model::BackendContext& context, const float* hidden, int n, int pos0, std::span<const int32_t> rows,
                         float* logits, const std::atomic<bool>* cancel);

private:
    struct View;
    CpuLayers() = default;

    int m_maxTokens = 0;
    std::shared_ptr<View> m_view;
    std::unique_ptr<model::Backend> m_cpu; // holds the view alive through its model pointer too
    std::mutex m_mutex;
};

} // namespace engine::gpu
