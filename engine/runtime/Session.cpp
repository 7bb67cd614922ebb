#include "runtime/Session.h"

#include "model/Backend.h"
#include "core/Log.h"
#include "runtime/Model.h"
#include "runtime/Sampler.h"
#include "runtime/StopMatcher.h"
#include "tokenizer/Tokenizer.h"

#include <algorithm>
#include <chrono>

namespace engine {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

size_t commonPrefix(std::span<const int32_t> a, std::span<const int32_t> b)
{
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i])
        ++i;
    return i;
}

// What a GPU can fail with at run time; the CPU can then do the work.
bool isGpuFailure(const Error& e)
{
    return e.code == ErrorCode::Device || e.code == ErrorCode::OutOfMemory;
}

} // namespace

Result<std::unique_ptr<Session>> Session::create(std::shared_ptr<const Model> model)
{
    std::unique_ptr<Session> s(new Session());
    s->m_model = std::move(model);
    auto ctx = s->m_model->backend().createContext(s->m_model->info().contextLength, s->m_model->options().kvCacheType);
    if (ctx) {
        s->m_context = std::move(ctx).value();
        s->m_onGpu = s->m_model->usesGpu();
        return s;
    }
    if (!s->m_model->usesGpu() || !isGpuFailure(ctx.error()))
        return ctx.error();
    if (auto moved = s->moveToCpu(ctx.error()); !moved)
        return moved.error();
    return s;
}

Result<void> Session::moveToCpu(const Error& failure)
{
    auto cpu = m_model->cpuBackend();
    if (!cpu)
        return cpu.error();
    // The GPU context goes first: its device memory may be what the system is short of.
    m_context.reset();
    m_cached.clear();
    m_onGpu = false;
    auto ctx = (*cpu)->createContext(m_model->info().contextLength, m_model->options().kvCacheType);
    if (!ctx)
        return ctx.error();
    m_context = std::move(ctx).value();
    m_note = "the GPU failed (" + failure.message() + "); continuing on the CPU";
    log(LogLevel::Debug, m_note);
    return {};
}

std::string Session::backendNote() const
{
    return m_note.empty() ? m_model->backendNote() : m_note;
}

Session::~Session() = default;

int Session::contextLength() const
{
    return m_context->capacity();
}

void Session::reset()
{
    m_cached.clear();
}

Result<void> Session::checkTokens(std::span<const int32_t> tokens) const
{
    if (tokens.empty())
        return makeError(ErrorCode::InvalidArgument, "the prompt is empty");
    const int nVocab = m_model->info().vocabularySize;
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] < 0 || tokens[i] >= nVocab)
            return makeError(ErrorCode::InvalidArgument, "token " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                                                             " is outside the vocabulary of " + std::to_string(nVocab));
    return {};
}

int Session::keepTokens() const
{
    const int keep = m_model->options().keepTokens;
    return std::clamp(keep < 0 ? contextLength() / 4 : keep, 0, contextLength() / 2);
}

void Session::reuseShiftedWindow(std::span<const int32_t> prompt, size_t keep, size_t start)
{
    // A chat that outgrew the context comes back each turn as the whole conversation, cut to the
    // kept start plus its recent part. The cache then holds the kept start and an earlier window
    // of the same tokens: find where prompt[start…] sits in it (a probe of 8 tokens) and
    // move those cells down, instead of processing three quarters of a context again per turn.
    if (m_cached.size() <= keep || !std::equal(prompt.begin(), prompt.begin() + keep, m_cached.begin()))
        return;
    const size_t probe = std::min<size_t>(8, prompt.size() - start);
    const auto from = m_cached.begin() + static_cast<std::ptrdiff_t>(keep);
    const auto found = std::search(from, m_cached.end(), prompt.begin() + static_cast<std::ptrdiff_t>(start),
                                   prompt.begin() + static_cast<std::ptrdiff_t>(start + probe));
    if (found == m_cached.end() || found == from)
        return;   // not there, or already in place (the plain prefix reuse covers it)
    const size_t cell = static_cast<size_t>(found - m_cached.begin());
    const size_t run = commonPrefix(std::span<const int32_t>(m_cached).subspan(cell), prompt.subspan(start));
    if (!m_context->removeCells(static_cast<int>(keep), static_cast<int>(cell - keep), static_cast<int>(m_cached.size())).ok())
        return;   // the backend cannot move cells: the caller processes the window again
    m_cached.erase(m_cached.begin() + static_cast<std::ptrdiff_t>(keep), found);
    m_cached.resize(keep + run);
}

Result<void> Session::process(std::span<const int32_t> seq, size_t reuse, std::span<const int32_t> rows, float* logits,
                              const std::atomic<bool>* cancel)
{
    // Cells before `reuse` hold seq's prefix already; everything after is (re)computed.
    m_cached.resize(reuse);
    std::vector<int32_t> shifted(rows.begin(), rows.end());
    for (int32_t& r : shifted)
        r -= static_cast<int32_t>(reuse);
    auto r = m_context->forward(seq.subspan(reuse), static_cast<int>(reuse), shifted, logits, cancel);
    if (!r && m_onGpu && isGpuFailure(r.error())) {
        // The KV cache was on the GPU: process the whole sequence again on the CPU.
        if (auto moved = moveToCpu(r.error()); !moved)
            return moved;
        r = m_context->forward(seq, 0, rows, logits, cancel);
    }
    if (!r)
        return r;
    m_cached.assign(seq.begin(), seq.end());
    return {};
}

Result<std::vector<float>> Session::evaluate(std::span<const int32_t> tokens, std::span<const int32_t> rows,
                                             const std::atomic<bool>* cancel)
{
    if (auto ok = checkTokens(tokens); !ok)
        return ok.error();
    if (tokens.size() > static_cast<size_t>(contextLength()))
        return makeError(ErrorCode::ContextFull, std::to_string(tokens.size()) + " tokens do not fit in the context of " +
                                                     std::to_string(contextLength()));
    std::vector<int32_t> sorted(rows.begin(), rows.end());
    for (int32_t r : sorted)
        if (r < 0 || static_cast<size_t>(r) >= tokens.size())
            return makeError(ErrorCode::InvalidArgument, "logit row " + std::to_string(r) + " is outside the " +
                                                             std::to_string(tokens.size()) + " tokens");
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    // Rows inside the reused prefix have to be computed again.
    size_t reuse = std::min(commonPrefix(m_cached, tokens), tokens.size() - 1);
    if (!sorted.empty())
        reuse = std::min(reuse, static_cast<size_t>(sorted.front()));
    const size_t nVocab = static_cast<size_t>(m_model->info().vocabularySize);
    std::vector<float> logits(sorted.size() * nVocab);
    if (auto r = process(tokens, reuse, sorted, logits.data(), cancel); !r)
        return r.error();
    // Back to the caller's order.
    std::vector<float> out(rows.size() * nVocab);
    for (size_t i = 0; i < rows.size(); ++i) {
        const size_t k = std::lower_bound(sorted.begin(), sorted.end(), rows[i]) - sorted.begin();
        std::copy_n(logits.begin() + k * nVocab, nVocab, out.begin() + i * nVocab);
    }
    return out;
}

Result<GenerationStats> Session::generate(std::span<const int32_t> prompt, const SamplingParams& params,
                                          const TokenCallback& callback, const std::atomic<bool>& cancel,
                                          const PrefillProgressCallback& onPrefill)
{
    const auto start = Clock::now();
    GenerationStats stats;
    stats.promptTokens = static_cast<int>(prompt.size());
    if (auto ok = checkTokens(prompt); !ok)
        return ok.error();
    const int nCtx = contextLength();
    const bool shiftPolicy = m_model->options().contextPolicy == ContextPolicy::Shift;

    // A prompt that does not fit: an error, or (Shift) its start plus as much of its end as fits,
    // leaving a quarter of the rest free for the reply.
    std::vector<int32_t> seq(prompt.begin(), prompt.end());
    if (seq.size() > static_cast<size_t>(nCtx) || (seq.size() == static_cast<size_t>(nCtx) && !shiftPolicy)) {
        if (!shiftPolicy)
            return makeError(ErrorCode::ContextFull, "the prompt has " + std::to_string(seq.size()) +
                                                         " tokens; the context holds " + std::to_string(nCtx));
        const size_t keep = keepTokens();
        const size_t tail = (nCtx - keep) * 3 / 4;
        reuseShiftedWindow(prompt, keep, prompt.size() - tail);
        std::vector<int32_t> cut(seq.begin(), seq.begin() + keep);
        cut.insert(cut.end(), seq.end() - tail, seq.end());
        seq = std::move(cut);
        ++stats.contextShifts;
    }

    // Prefill what the cache does not hold yet (at least the last token, for its logits).
    const size_t nVocab = static_cast<size_t>(m_model->info().vocabularySize);
    std::vector<float> logits(nVocab);
    const size_t reuse = std::min(commonPrefix(m_cached, seq), seq.size() - 1);
    stats.reusedTokens = static_cast<int>(reuse);
    stats.prefillTokens = static_cast<int>(seq.size() - reuse);
    const int32_t lastRow = static_cast<int32_t>(seq.size() - 1);
    const auto prefillStart = Clock::now();
    // Without a progress callback, one call (the backend chunks as suits it); with one, a call
    // per chunk so that progress can be reported between them. The cache keeps each chunk done.
    const size_t step = onPrefill ? kPrefillChunk : seq.size();
    Result<void> prefilled;
    for (size_t done = reuse; done < seq.size();) {
        const size_t end = std::min(seq.size(), done + step);
        const std::span<const int32_t> rows = end == seq.size() ? std::span<const int32_t>(&lastRow, 1)
                                                                : std::span<const int32_t>();
        prefilled = process(std::span<const int32_t>(seq).first(end), done, rows, logits.data(), &cancel);
        if (!prefilled)
            break;
        done = end;
        if (onPrefill)
            onPrefill(static_cast<int>(done - reuse), stats.prefillTokens);
    }
    if (auto& r = prefilled; !r) {
        if (r.error().code != ErrorCode::Cancelled)
            return r.error();
        stats.stopReason = StopReason::Cancelled;
        stats.contextUsed = static_cast<int>(m_cached.size());
        return stats;
    }
    stats.prefillMs = msSince(prefillStart);
    stats.prefillTokensPerSecond = stats.prefillMs > 0 ? stats.prefillTokens * 1000.0 / stats.prefillMs : 0.0;

    const tokenizer::Tokenizer& tok = m_model->tokenizer();
    Sampler sampler(params);
    tokenizer::StreamingDecoder decoder(tok);
    StopMatcher stops(params.stopStrings);
    std::vector<int32_t> history = m_cached;
    double decodeMs = 0.0;
    int decoded = 0;
    auto emitRest = [&] {
        TokenEvent tail;
        tail.text = stops.push(decoder.flush());
        tail.text += stops.flush();
        if (!tail.text.empty())
            callback(tail);
    };

    for (;;) {
        if (cancel.load(std::memory_order_relaxed)) {
            stats.stopReason = StopReason::Cancelled;
            emitRest();
            break;
        }
        const Sampler::Choice choice = sampler.sample(logits, history);
        if (stats.generatedTokens == 0)
            stats.timeToFirstTokenMs = msSince(start);
        ++stats.generatedTokens;
        if (!params.ignoreEos && m_model->isEndOfGeneration(choice.token)) {
            stats.stopReason = StopReason::Eos;
            emitRest();
            break;
        }
        const bool last = params.maxTokens >= 0 && stats.generatedTokens >= params.maxTokens;
        TokenEvent event;
        event.token = choice.token;
        event.probability = choice.probability;
        event.text = stops.push(decoder.push(choice.token));
        if (last && !stops.stopped()) {
            event.text += stops.push(decoder.flush());
            event.text += stops.flush();
        }
        for (const auto& [id, p] : choice.alternatives)
            event.alternatives.push_back({id, tok.tokenPiece(id), p});
        const bool goOn = callback(event);
        history.push_back(choice.token);
        if (stops.stopped()) {
            stats.stopReason = StopReason::StopString;
            break;
        }
        if (!goOn) {
            stats.stopReason = StopReason::Callback;
            break;
        }
        if (last) {
            stats.stopReason = StopReason::MaxTokens;
            break;
        }

        // Feed the token back; when the cache is full, stop or drop the oldest half after the kept start.
        const auto stepStart = Clock::now();
        Result<void> r;
        if (m_cached.size() >= static_cast<size_t>(nCtx)) {
            if (!shiftPolicy) {
                stats.stopReason = StopReason::ContextFull;
                emitRest();
                break;
            }
            const size_t keep = keepTokens();
            const size_t drop = std::max<size_t>(1, (m_cached.size() - keep) / 2);
            std::vector<int32_t> next(m_cached.begin(), m_cached.begin() + keep);
            next.insert(next.end(), m_cached.begin() + keep + drop, m_cached.end());
            next.push_back(choice.token);
            const int32_t row = static_cast<int32_t>(next.size() - 1);
            // Where the backend can move the cells and re-rotate their keys (as llama.cpp's
            // context shift does), only the new token is processed; otherwise everything after
            // the kept start again (half a context: a minute on a 7B model on the CPU).
            if (m_context->removeCells(static_cast<int>(keep), static_cast<int>(drop), static_cast<int>(m_cached.size())).ok()) {
                m_cached.assign(next.begin(), next.end() - 1);
                r = process(next, m_cached.size(), {&row, 1}, logits.data(), &cancel);
            } else {
                r = process(next, keep, {&row, 1}, logits.data(), &cancel);
            }
            ++stats.contextShifts;
        } else {
            std::vector<int32_t> next = m_cached;
            next.push_back(choice.token);
            const int32_t row = static_cast<int32_t>(next.size() - 1);
            r = process(next, m_cached.size(), {&row, 1}, logits.data(), &cancel);
        }
        if (!r) {
            if (r.error().code != ErrorCode::Cancelled)
                return r.error();
            stats.stopReason = StopReason::Cancelled;
            emitRest();
            break;
        }
        decodeMs += msSince(stepStart);
        ++decoded;
    }
    stats.decodeMs = decodeMs;
    stats.decodeTokensPerSecond = decodeMs > 0 ? decoded * 1000.0 / decodeMs : 0.0;
    stats.contextUsed = static_cast<int>(m_cached.size());
    return stats;
}

} // namespace engine
