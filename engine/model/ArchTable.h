#pragma once
// Architectures as data. Each supported `general.architecture` is one ArchDescription: the
// flags that make its forward pass differ from llama's. The loader (LoadedModel.cpp) turns a
// description plus the file's `<arch>.*` keys into a ModelConfig; the forward pass reads only
// the ModelConfig.

#include "model/ModelConfig.h"

#include <string_view>

namespace engine::model {

struct ArchDescription {
    std::string_view name;               // general.architecture
    NormKind norm = NormKind::Rms;
    RopeKind rope = RopeKind::Normal;
    Activation activation = Activation::Silu;
    bool gatedFfn = true;
    bool fusedQkv = false;               // blk.N.attn_qkv holds [q; k; v] (phi3, gpt2)
    bool fusedGateUp = false;            // blk.N.ffn_up holds [gate; up] (phi3)
    bool qkNorm = false;                 // blk.N.attn_q_norm / attn_k_norm (qwen3, gemma3)
    bool postNorms = false;              // post_attention_norm / post_ffw_norm (gemma2, gemma3)
    bool embedScaleSqrt = false;         // embeddings × sqrt(nEmbd) (gemma family)
    // Which layers use the sliding window (when the file sets one): 0 none, 1 every layer,
    // n >= 2: layer il when il % n < n − 1 (gemma2: n = 2, even layers; gemma3: n = 6).
    int slidingWindowPattern = 0;
    float ropeBaseLocal = 0.0f;          // RoPE base of sliding-window layers (gemma3: 10000)
};

// nullptr when the architecture is not supported.
const ArchDescription* findArchitecture(std::string_view name);

// "llama, qwen2, ..." for error messages.
std::string_view supportedArchitectureList();

} // namespace engine::model
