#include "runtime/Sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace engine {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

bool byLogitDesc(const std::pair<int32_t, float>& a, const std::pair<int32_t, float>& b)
{
    return a.second > b.second || (a.second == b.second && a.first < b.first);
}

// Softmax over the candidates' second members (sorted descending, first is the max).
void toProbabilities(std::vector<std::pair<int32_t, float>>& c, float temperature)
{
    const float max = c.front().second;
    double sum = 0.0;
    for (auto& e : c) {
        e.second = std::exp((e.second - max) / temperature);
        sum += e.second;
    }
    for (auto& e : c)
        e.second = static_cast<float>(e.second / sum);
}

} // namespace

Sampler::Sampler(const SamplingParams& params) : m_params(params)
{
    m_rng.seed(params.seed == SamplingParams::kRandomSeed ? std::random_device{}() : params.seed);
}

Sampler::Choice Sampler::sample(std::span<float> logits, std::span<const int32_t> history)
{
    const int32_t nVocab = static_cast<int32_t>(logits.size());
    const SamplingParams& p = m_params;

    // Sanitize: NaN never wins; if any +inf exists, only those tokens remain.
    bool anyPosInf = false;
    for (float& l : logits) {
        if (std::isnan(l))
            l = kNegInf;
        else if (l == std::numeric_limits<float>::infinity())
            anyPosInf = true;
    }
    if (anyPosInf)
        for (float& l : logits)
            l = l == std::numeric_limits<float>::infinity() ? 0.0f : kNegInf;

    for (const auto& [id, bias] : p.logitBias)
        if (id >= 0 && id < nVocab && !std::isnan(bias))
            logits[id] += bias;

    if (p.repetitionPenalty != 1.0f || p.frequencyPenalty != 0.0f || p.presencePenalty != 0.0f) {
        std::unordered_map<int32_t, int> counts;
        const size_t window = p.penaltyWindow < 0 ? history.size() : std::min<size_t>(history.size(), p.penaltyWindow);
        for (size_t i = history.size() - window; i < history.size(); ++i)
            ++counts[history[i]];
        for (const auto& [id, count] : counts) {
            if (id < 0 || id >= nVocab)
                continue;
            float& l = logits[id];
            if (p.repetitionPenalty > 0.0f && p.repetitionPenalty != 1.0f)
                l = l <= 0.0f ? l * p.repetitionPenalty : l / p.repetitionPenalty;
            l -= static_cast<float>(count) * p.frequencyPenalty + (count > 0 ? p.presencePenalty : 0.0f);
        }
    }

    m_candidates.clear();
    m_candidates.reserve(nVocab);
    for (int32_t i = 0; i < nVocab; ++i)
        if (logits[i] > kNegInf && !std::isnan(logits[i]))
            m_candidates.emplace_back(i, logits[i]);
    Choice choice;
    if (m_candidates.empty()) {
        // Everything banned or non-finite: a deterministic answer instead of a crash.
        choice.token = 0;
        return choice;
    }

    auto& c = m_candidates;
    if (p.temperature <= 0.0f) {
        // Greedy: argmax (lowest id on ties); probabilities from the full temperature-1 softmax.
        const size_t top = std::min<size_t>(c.size(), std::max(1, p.topAlternatives));
        std::partial_sort(c.begin(), c.begin() + top, c.end(), byLogitDesc);
        const float max = c.front().second;
        double sum = 0.0;
        for (const auto& e : c)
            sum += std::exp(static_cast<double>(e.second - max));
        choice.token = c.front().first;
        choice.probability = static_cast<float>(1.0 / sum);
        for (size_t i = 0; i < top && static_cast<int>(i) < p.topAlternatives; ++i)
            choice.alternatives.emplace_back(c[i].first, static_cast<float>(std::exp(static_cast<double>(c[i].second - max)) / sum));
        return choice;
    }

    const size_t keep = p.topK > 0 ? std::min<size_t>(c.size(), static_cast<size_t>(p.topK)) : c.size();
    if (keep == c.size())
        std::sort(c.begin(), c.end(), byLogitDesc);
    else
        std::partial_sort(c.begin(), c.begin() + keep, c.end(), byLogitDesc);
    c.resize(keep);

    // top-p and min-p on the temperature-1 distribution, as llama.cpp orders them before temp.
    toProbabilities(c, 1.0f);
    if (p.topP < 1.0f) {
        double cum = 0.0;
        size_t n = 0;
        while (n < c.size()) {
            cum += c[n].second;
            ++n;
            if (cum >= p.topP)
                break;
        }
        c.resize(std::max<size_t>(1, n));
    }
    if (p.minP > 0.0f) {
        const float threshold = c.front().second * p.minP;
        size_t n = 1;
        while (n < c.size() && c[n].second >= threshold)
            ++n;
        c.resize(n);
    }
    // Back to logits (log p differs from the logit by a constant) and apply the temperature.
    for (auto& e : c)
        e.second = std::log(std::max(e.second, std::numeric_limits<float>::min()));
    toProbabilities(c, p.temperature);

    size_t pick = 0;
    {
        const double u = static_cast<double>(m_rng() >> 11) * (1.0 / 9007199254740992.0);
        double cum = 0.0;
        pick = c.size() - 1;
        for (size_t i = 0; i < c.size(); ++i) {
            cum += c[i].second;
            if (u < cum) {
                pick = i;
                break;
            }
        }
    }
    choice.token = c[pick].first;
    choice.probability = c[pick].second;
    for (size_t i = 0; i < c.size() && static_cast<int>(choice.alternatives.size()) < p.topAlternatives; ++i)
        choice.alternatives.push_back(c[i]);
    return choice;
}

} // namespace engine
