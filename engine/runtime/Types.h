#pragma once
// The value types of the engine's public API (what a UI, the CLI or a server sees): load
// options, model facts, sampling settings, streamed token events and generation statistics.
// Plain data, no behaviour; English only — a UI maps codes to translated text itself.

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace engine {

enum class KvCacheType { F16, F32 };

enum class BackendChoice {
    Auto,    // Vulkan when a usable device exists, otherwise CPU
    Cpu,
    Vulkan,
};

// What happens when a conversation no longer fits in the context.
enum class ContextPolicy {
    Stop,    // fail with ErrorCode::ContextFull (a prompt too long) or stop with StopReason::ContextFull
    Shift,   // keep the first LoadOptions::keepTokens tokens, drop the oldest after them, go on
};

struct LoadOptions {
    int threads = 0;                   // 0: one per physical core, at most 8
    int contextLength = 0;             // 0: the model's maximum, capped at kDefaultContextCap
    KvCacheType kvCacheType = KvCacheType::F16;
    BackendChoice backend = BackendChoice::Auto;
    // Layers on the GPU (llama.cpp's -ngl): -1 as many as fit in free device memory (all when
    // the model fits); N: the first N on the GPU, the rest and the output on the CPU; 0: the CPU.
    int gpuLayers = -1;
    ContextPolicy contextPolicy = ContextPolicy::Stop;
    // With ContextPolicy::Shift: tokens at the start that are never dropped (the system prompt).
    // -1: the first quarter of the context.
    int keepTokens = -1;

    static constexpr int kDefaultContextCap = 4096;
};

// Load progress in [0, 1]; called from the loading thread.
using ProgressCallback = std::function<void(float fraction)>;

struct ModelInfo {
    std::string name;                  // general.name, or the file name without extension
    std::string architecture;          // general.architecture: "llama", "qwen2", ...
    uint64_t parameterCount = 0;       // elements of all tensors
    uint64_t fileSize = 0;             // bytes
    std::string fileType;              // the dominant matrix type, e.g. "q4_K", "f16"
    int contextLength = 0;             // the context this model was loaded with
    int trainedContextLength = 0;      // <arch>.context_length
    int vocabularySize = 0;
    std::string chatTemplate;          // tokenizer.chat_template; may be empty
    std::string bosText;               // text of the BOS token ("" if none)
    std::string eosText;               // text of the EOS token ("" if none)
    int32_t bosId = -1;
    int32_t eosId = -1;
    std::string backendDescription;    // "CPU · AVX2 · 2 threads", "Vulkan · <device>"
    std::string backendFallbackReason; // BackendChoice::Auto fell back to the CPU: why ("" if not)
};

struct SamplingParams {
    static constexpr uint64_t kRandomSeed = std::numeric_limits<uint64_t>::max();

    float temperature = 0.8f;          // <= 0: greedy (argmax, lowest id wins ties)
    int topK = 40;                     // <= 0: off
    float topP = 0.95f;                // >= 1: off
    float minP = 0.05f;                // <= 0: off; keeps p >= minP * p(best)
    float repetitionPenalty = 1.0f;    // 1: off (llama.cpp's repeat_penalty)
    float frequencyPenalty = 0.0f;
    float presencePenalty = 0.0f;
    int penaltyWindow = 64;            // last N tokens (prompt included) the penalties look at
    std::map<int32_t, float> logitBias;// added to the raw logit; -inf bans a token
    uint64_t seed = kRandomSeed;       // same seed + same settings + same prompt = same text
    int maxTokens = 256;               // < 0: until EOS, a stop string or the context ends
    std::vector<std::string> stopStrings; // matched across token boundaries, never emitted
    int topAlternatives = 0;           // how many alternatives each TokenEvent reports
    bool ignoreEos = false;            // benchmarks: keep going past EOS/EOT
};

struct TokenAlternative {
    int32_t token = -1;
    std::string text;                  // the token's own text (may be a partial UTF-8 sequence)
    float probability = 0.0f;          // after the sampling filters and temperature
};

struct TokenEvent {
    // Text released by this token: complete UTF-8 only. May be empty (the token ended inside a
    // UTF-8 sequence, or its text is held back because it could be the start of a stop string)
    // and may include text held back from earlier tokens. When generation ends with text still
    // held back (EOS, cancel, a full context), one last event with token -1 carries it.
    std::string text;
    int32_t token = -1;
    float probability = 0.0f;          // of the chosen token
    std::vector<TokenAlternative> alternatives; // best first, SamplingParams::topAlternatives long
};

// Returns false to stop generating (StopReason::Callback).
using TokenCallback = std::function<bool(const TokenEvent&)>;
// Prompt processing progress: `done` of the `total` tokens that had to be prefilled (those
// after the reused cache prefix), reported after each chunk; the last call has done == total.
using PrefillProgressCallback = std::function<void(int done, int total)>;

enum class StopReason {
    Eos,           // the model produced EOS/EOT
    StopString,    // one of SamplingParams::stopStrings appeared
    MaxTokens,
    Cancelled,     // the cancel flag was set
    Callback,      // the callback returned false
    ContextFull,   // ContextPolicy::Stop and the context is full
};

const char* stopReasonName(StopReason reason);

struct GenerationStats {
    int promptTokens = 0;              // tokens in the prompt passed to generate()
    int reusedTokens = 0;              // of those, found in the KV cache (prefix reuse)
    int prefillTokens = 0;             // tokens actually processed for the prompt
    double prefillMs = 0.0;
    double prefillTokensPerSecond = 0.0;
    int generatedTokens = 0;
    double decodeMs = 0.0;
    double decodeTokensPerSecond = 0.0;
    double timeToFirstTokenMs = 0.0;   // from the call to the first sampled token
    int contextShifts = 0;             // how often ContextPolicy::Shift dropped tokens
    int contextUsed = 0;               // tokens in the KV cache at the end
    StopReason stopReason = StopReason::MaxTokens;
};

} // namespace engine
