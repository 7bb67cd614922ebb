#pragma once
// A conversation with a model: owns one KV cache and turns prompts (token ids) into streamed
// text. The next call reuses the cache for the longest common prefix of the new prompt and the
// tokens already processed, so a chat follow-up prefills only the new tokens.
//
// Not thread-safe: one thread drives a Session at a time (the UI's engine worker). The cancel
// flag may be set from any thread; the session only reads it (checked between layers).

#include "core/Result.h"
#include "runtime/Types.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace engine::model {
class BackendContext;
}

namespace engine {

class Model;

class Session {
public:
    // Allocates the KV cache for model->info().contextLength tokens; when the GPU cannot hold it,
    // the session runs on the CPU (see backendNote()). Errors: OutOfMemory.
    static Result<std::unique_ptr<Session>> create(std::shared_ptr<const Model> model);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Prefills prompt (reusing the cached prefix), then samples until EOS/EOT, a stop string,
    // params.maxTokens, the callback returning false, cancel, or a full context. Each sampled
    // token is reported through callback (see TokenEvent). Errors: InvalidArgument (empty
    // prompt, token id out of range), ContextFull (ContextPolicy::Stop and the prompt does not
    // fit). Cancelling is not an error: generation ends with StopReason::Cancelled and the
    // statistics so far (the cache keeps what was fully processed).
    // When the GPU fails during a call (device lost, out of device memory), the session moves
    // to the CPU, processes the tokens so far again there and carries on (see backendNote()).
    // With onPrefill, the prompt tokens after the reused prefix are processed in chunks of
    // kPrefillChunk and onPrefill(done, total) follows each chunk (done rising to total, the
    // number of tokens prefilled); a cancelled prefill reports no further.
    Result<GenerationStats> generate(std::span<const int32_t> prompt, const SamplingParams& params,
                                     const TokenCallback& callback, const std::atomic<bool>& cancel,
                                     const PrefillProgressCallback& onPrefill = {});

    // Tokens per prefill step when progress is reported (the CPU backend's batch size).
    static constexpr size_t kPrefillChunk = 128;

    // Processes tokens (reusing the cached prefix) and returns the logits of the requested rows
    // (indices into tokens), nVocab floats each, in the order asked. For `logits`, `perplexity`
    // and tests. Errors: InvalidArgument, ContextFull, Cancelled.
    Result<std::vector<float>> evaluate(std::span<const int32_t> tokens, std::span<const int32_t> rows,
                                        const std::atomic<bool>* cancel = nullptr);

    // Forgets the cache (the next call prefills everything).
    void reset();

    // One line for a status bar when this session does not run where the model was loaded to
    // run: the GPU failed (device lost, out of device memory) and the session continues on the
    // CPU; else Model::backendNote(); "" when all is as asked.
    std::string backendNote() const;

    int contextLength() const;
    // Tokens whose keys and values are in the cache, in order.
    std::span<const int32_t> cachedTokens() const { return m_cached; }
    const Model& model() const { return *m_model; }

private:
    Session() = default;
    Result<void> checkTokens(std::span<const int32_t> tokens) const;
    int keepTokens() const;
    // For a prompt cut to seq = prompt[0, keep) + prompt[start, end) because it did not fit:
    // when the cache holds an earlier window of the same conversation (after a context shift),
    // moves the cells of prompt[start, …) down behind the kept start so that only what is new
    // must be processed. Leaves m_cached as what the cache then holds.
    void reuseShiftedWindow(std::span<const int32_t> prompt, size_t keep, size_t start);
    // Runs seq from position `reuse` on (the cache holds seq's first `reuse` tokens) and
    // records seq as cached; logits for `rows` (indices into seq, ascending, >= reuse).
    Result<void> process(std::span<const int32_t> seq, size_t reuse, std::span<const int32_t> rows, float* logits,
                         const std::atomic<bool>* cancel);

    // Replaces the GPU context by a CPU one after `failure`; the cache is empty afterwards.
    Result<void> moveToCpu(const Error& failure);

    std::shared_ptr<const Model> m_model;
    std::unique_ptr<model::BackendContext> m_context;
    bool m_onGpu = false;       // m_context belongs to the model's GPU backend
    std::string m_note;         // why the session left the GPU
    std::vector<int32_t> m_cached;
};

} // namespace engine
