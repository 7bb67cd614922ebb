#pragma once
// Turns a row of logits into the next token, as llama.cpp's default sampler chain does:
// logit bias → repetition/frequency/presence penalties → top-k → top-p → min-p → temperature →
// a draw from the seeded generator (or argmax when the temperature is 0). NaN logits count as
// -inf and +inf as the only candidates, so no input makes it crash or return an invalid id.

#include "runtime/Types.h"

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace engine {

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);

    struct Choice {
        int32_t token = 0;
        float probability = 0.0f;
        std::vector<std::pair<int32_t, float>> alternatives;   // best first, params.topAlternatives
    };

    // logits: nVocab raw values (modified in place); history: the tokens so far, oldest first
    // (the penalties look at the last params.penaltyWindow of them).
    Choice sample(std::span<float> logits, std::span<const int32_t> history);

private:
    SamplingParams m_params;
    std::mt19937_64 m_rng;
    std::vector<std::pair<int32_t, float>> m_candidates;   // (id, logit then probability)
    std::vector<float> m_heap;                              // the top-k logits while scanning
};

} // namespace engine
