#include "runtime/Sampler.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

    Choice choice;
    if (p.temperature <= 0.0f && p.topAlternatives <= 1) {
        // Greedy without alternatives lists: one scan for the argmax (lowest id on ties), one for
        // the temperature-1 softmax denominator; no candidate list, no sort.
        int32_t best = -1;
        float max = kNegInf;
        for (int32_t i = 0; i < nVocab; ++i)
            if (logits[i] > max) {
                max = logits[i];
                best = i;
            }
        if (best < 0)
            return choice;   // everything banned or non-finite: token 0
        double sum = 0.0;
        for (int32_t i = 0; i < nVocab; ++i)
            if (logits[i] > kNegInf)   // NaN (a -inf logit with a +inf bias) is no candidate
                sum += std::exp(logits[i] - max);
        choice.token = best;
        choice.probability = static_cast<float>(1.0 / sum);
        if (p.topAlternatives == 1)
            choice.alternatives.emplace_back(best, choice.probability);
        return choice;
    }

    // With top-k on, only logits at least the k-th largest can survive: find that value with a
    // k-element min-heap in one pass (rarely touched after the first few hundred logits) and
    // list just those candidates (ties included, so the kept set is the same).
    float floor = kNegInf;
    if (p.temperature > 0.0f && p.topK > 0 && p.topK < nVocab) {
        auto& heap = m_heap;
        heap.clear();
        const size_t k = static_cast<size_t>(p.topK);
        for (int32_t i = 0; i < nVocab; ++i) {
            const float l = logits[i];
            if (!(l > kNegInf))
                continue;
            if (heap.size() < k) {
                heap.push_back(l);
                std::push_heap(heap.begin(), heap.end(), std::greater<float>());
            } else if (l > heap.front()) {
                std::pop_heap(heap.begin(), heap.end(), std::greater<float>());
                heap.back() = l;
                std::push_heap(heap.begin(), heap.end(), std::greater<float>());
            }
        }
        if (heap.size() == k)
            floor = heap.front();
    }
    m_candidates.clear();
    if (floor == kNegInf)
        m_candidates.reserve(nVocab);
    for (int32_t i = 0; i < nVocab; ++i)
        if (logits[i] > kNegInf && !std::isnan(logits[i]) && logits[i] >= floor)
            m_candidates.emplace_back(i, logits[i]);
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
            sum += std::exp(e.second - max);
        choice.token = c.front().first;
        choice.probability = static_cast<float>(1.0 / sum);
        for (size_t i = 0; i < top && static_cast<int>(i) < p.topAlternatives; ++i)
            choice.alternatives.emplace_back(c[i].first, static_cast<float>(std::exp(c[i].second - max) / sum));
        return choice;
    }

    const size_t keep = p.topK > 0 ? std::min<size_t>(c.size(), static_cast<size_t>(p.topK)) : c.size();
    if (keep < c.size() || (p.topP >= 1.0f && p.minP <= 0.0f)) {
        if (keep == c.size())
            std::sort(c.begin(), c.end(), byLogitDesc);   // nothing filters: the draw needs the full order
        else
            std::partial_sort(c.begin(), c.begin() + keep, c.end(), byLogitDesc);
        c.resize(keep);
        toProbabilities(c, 1.0f);
    } else {
        // Top-k off, top-p and/or min-p on: the probabilities are those of the full softmax, but
        // only a short best-first prefix can survive, so sort just that prefix instead of the
        // whole vocabulary (151936 entries for qwen2: a full sort took ~20 ms per token).
        float max = kNegInf;
        for (const auto& e : c)
            max = std::max(max, e.second);
        double sum = 0.0;
        for (const auto& e : c)
            sum += std::exp(e.second - max);
        if (p.minP > 0.0f) {
            // min-p drops every p < p(best)·minP, i.e. logit < max + log(minP); a looser bound
            // here, the exact test below.
            const float cut = max + std::log(p.minP) - 0.25f;
            c.erase(std::remove_if(c.begin(), c.end(), [cut](const auto& e) { return e.second < cut; }), c.end());
        }
        const auto prob = [&](float logit) { return static_cast<float>(std::exp(logit - max) / sum); };
        if (p.topP < 1.0f) {
            // Grow the sorted prefix until its cumulative probability reaches top-p.
            size_t sorted = 0;
            double cum = 0.0;
            size_t want = std::min<size_t>(c.size(), 64);
            for (;;) {
                if (want < c.size())
                    std::nth_element(c.begin() + sorted, c.begin() + want, c.end(), byLogitDesc);
                std::sort(c.begin() + sorted, c.begin() + want, byLogitDesc);
                size_t n = sorted;
                bool reached = false;
                while (n < want) {
                    cum += prob(c[n].second);
                    ++n;
                    if (cum >= p.topP) {
                        reached = true;
                        break;
                    }
                }
                if (reached || want == c.size()) {
                    c.resize(std::max<size_t>(1, n));
                    break;
                }
                sorted = want;
                want = std::min(c.size(), want * 32);
            }
        } else {
            std::sort(c.begin(), c.end(), byLogitDesc);
        }
        for (auto& e : c)
            e.second = prob(e.second);
    }

    // top-p and min-p on the temperature-1 distribution, as llama.cpp orders them before temp.
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
