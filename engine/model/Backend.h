#pragma once
// The boundary between the runtime and a compute backend (CPU here, Vulkan in gpu/). It sits at
// the forward-pass level: a backend takes the loaded weights once, then runs batches of tokens
// through the whole model and returns logits. Sampling, prefix reuse, context policy and
// streaming live above it, in engine/runtime, and are shared by every backend.

#include "core/Result.h"
#include "model/LoadedModel.h"
#include "runtime/Types.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace engine::model {

// One sequence's KV cache plus the scratch memory of a forward pass.
class BackendContext {
public:
    virtual ~BackendContext() = default;

    // KV cache cells (the context length).
    virtual int capacity() const = 0;

    // Runs tokens[i] at position startPos + i. Cells [0, startPos) must hold the earlier tokens
    // of this sequence; cells from startPos on are overwritten (so truncating the cache is just
    // starting at a smaller startPos). startPos + tokens.size() must be <= capacity().
    // For each entry r of logitRows (an index into tokens, ascending), writes nVocab logits to
    // logits + k * nVocab (k = the entry's index in logitRows).
    // cancel (may be null) is checked between layers: then ErrorCode::Cancelled, and the cells
    // from startPos on are unspecified.
    virtual Result<void> forward(std::span<const int32_t> tokens, int startPos,
                                 std::span<const int32_t> logitRows, float* logits,
                                 const std::atomic<bool>* cancel) = 0;

    // Removes cells [begin, begin + count) of the first `end` cells: cells [begin + count, end)
    // move down to begin, their keys re-rotated to the new positions (the context shift that
    // drops old turns without processing the rest again). Backends that cannot return
    // ErrorCode::Unsupported, and the caller then processes the remaining tokens again.
    virtual Result<void> removeCells(int begin, int count, int end)
    {
        (void)begin, (void)count, (void)end;
        return makeError(ErrorCode::Unsupported, "this backend cannot move cache cells");
    }

protected:
    // removeCells' argument check, the same for every backend: InvalidArgument when the range
    // is not inside the first `end` of capacity() cells.
    Result<void> checkCellRange(int begin, int count, int end) const;
};

class Backend {
public:
    virtual ~Backend() = default;

    // For the UI's indicator: "CPU · AVX2 · 2 threads", "Vulkan · <device name>".
    virtual std::string description() const = 0;

    // Allocates a KV cache of nCtx cells. Errors: OutOfMemory, Device.
    virtual Result<std::unique_ptr<BackendContext>> createContext(int nCtx, KvCacheType kvType) = 0;
};

// The GPU backend lives outside the engine (gpu/ depends on engine, not the reverse), so it
// registers a factory at start-up; Model::load uses it for BackendChoice::Vulkan and Auto.
// The factory returns ErrorCode::Device when no usable device exists.
using BackendFactory = std::function<Result<std::unique_ptr<Backend>>(std::shared_ptr<const LoadedModel> model,
                                                                      const LoadOptions& options)>;
void setGpuBackendFactory(BackendFactory factory);
BackendFactory gpuBackendFactory();   // empty when none is registered

} // namespace engine::model
