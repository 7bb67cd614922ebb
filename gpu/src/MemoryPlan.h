#pragma once
// What a model needs in device memory, and how many of its layers go to the GPU when not all of
// it fits (partial offload, like llama.cpp's -ngl): the first N layers run on the device, the
// remaining layers and the output matrix on the CPU. Pure arithmetic over the model's shapes, so
// the plan can be tested without a device.

#include "core/Result.h"
#include "model/LoadedModel.h"
#include "runtime/Types.h"

#include <cstdint>
#include <vector>

namespace engine::gpu {

// Allocations are rounded up to this in the estimates (drivers align buffers to at most a few
// KiB; a generous figure keeps the plan on the safe side).
constexpr uint64_t kAllocationGranule = 4096;

// Tokens per recorded chunk at most; bounds the scratch memory.
constexpr uint32_t kMaxChunk = 64;

// The buffers of one context, in floats (0: not allocated). VulkanContext allocates exactly
// these, so the estimate and the allocation cannot drift apart.
struct ActivationSizes {
    uint32_t chunk = 1;           // tokens per recorded chunk
    // device-local
    uint64_t x = 0, h = 0, q = 0, k = 0, v = 0, attn = 0, proj = 0, gate = 0, up = 0, fused = 0;
    uint64_t scores = 0;          // attention scratch: chunk x heads x context
    uint64_t sel = 0;             // rows picked for the output (output on the GPU only)
    // host-visible
    uint64_t ids = 0, posIds = 0, cosSin = 0, cosSinLocal = 0;
    uint64_t logits = 0;          // output on the GPU only
    uint64_t input = 0, hidden = 0; // partial offload: embeddings in, last GPU layer's output back

    uint64_t bytes() const;       // rounded as allocated
};

// outputOnGpu: the output matrix runs on the device (everything is there); otherwise the context
// takes embeddings from the host and returns hidden states to it. maxTokens caps the chunk.
ActivationSizes activationSizes(const model::ModelConfig& c, int nCtx, uint64_t maxBufferBytes, bool outputOnGpu,
                                uint32_t maxTokens);

struct MemoryNeeds {
    uint64_t shared = 0;          // token/position embeddings, output norm and matrix
    std::vector<uint64_t> layers; // each layer's weights plus its KV cache
    uint64_t activationsFull = 0; // one context with the output on the device
    uint64_t activationsPartial = 0;
    uint64_t transfer = 0;        // the device's staging buffer for uploads

    // Device bytes with the first gpuLayers layers on the device, plus the shared part when
    // outputOnGpu.
    uint64_t total(int gpuLayers, bool outputOnGpu) const;
};

MemoryNeeds estimateMemory(const model::LoadedModel& model, int nCtx, KvCacheType kvType, uint64_t maxBufferBytes);

struct OffloadPlan {
    int gpuLayers = 0;
    bool outputOnGpu = false;     // true only with every layer on the device
};

// requested < 0: everything when it fits in `available` bytes, else as many layers as fit (the
// output on the CPU). requested >= the layer count: everything; otherwise exactly `requested`
// layers, whether or not they fit (the allocation will say). Errors: OutOfMemory when, chosen
// automatically, not even one layer fits; InvalidArgument for requested == 0 (that is the CPU).
Result<OffloadPlan> planOffload(const MemoryNeeds& needs, uint64_t available, int requested);

} // namespace engine::gpu
