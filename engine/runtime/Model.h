#pragma once
// A loaded model: the mapped GGUF file, its configuration, its tokenizer and the backend that
// holds its weights. Immutable after load and shared (std::shared_ptr) by the sessions that run
// it; thread-safe to read from several threads.

#include "core/Result.h"
#include "runtime/Types.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace engine::tokenizer {
class Tokenizer;
}
namespace engine::model {
struct LoadedModel;
class Backend;
}

namespace engine {

class Model {
public:
    // Maps the file, reads the architecture and tokenizer, and prepares the backend.
    // progress (may be empty) is called with fractions in [0, 1]; cancel (may be null) stops
    // loading with ErrorCode::Cancelled. Errors: Io, InvalidFile, Unsupported, MissingKey,
    // Device (Vulkan asked for explicitly and unavailable), Cancelled.
    static Result<std::shared_ptr<Model>> load(const std::string& path, const LoadOptions& options = {},
                                               const ProgressCallback& progress = {},
                                               const std::atomic<bool>* cancel = nullptr);
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const ModelInfo& info() const { return m_info; }
    const LoadOptions& options() const { return m_options; }
    const tokenizer::Tokenizer& tokenizer() const { return *m_tokenizer; }

    // True for EOS, EOT and other end-of-generation tokens of this vocabulary.
    bool isEndOfGeneration(int32_t token) const;

    // Internals for Session and the CLI's low-level verbs.
    const model::LoadedModel& loaded() const { return *m_loaded; }
    model::Backend& backend() const { return *m_backend; }

    // True when backend() is the GPU backend (all or some layers on the device).
    bool usesGpu() const { return m_usesGpu; }
    // The CPU backend that sessions move to when the GPU fails: backend() itself when that is the
    // CPU, otherwise one created on first use (thread-safe). Errors: those of the CPU backend.
    Result<model::Backend*> cpuBackend() const;

    // One line for a status bar when the model runs on the CPU although a usable GPU was there
    // (it lacked the memory, or the model needs something the GPU backend lacks); "" otherwise,
    // also when there simply is no usable GPU (ModelInfo::backendFallbackReason says why).
    const std::string& backendNote() const { return m_backendNote; }

private:
    Model() = default;

    ModelInfo m_info;
    LoadOptions m_options;
    std::shared_ptr<const model::LoadedModel> m_loaded;
    std::unique_ptr<tokenizer::Tokenizer> m_tokenizer;
    std::unique_ptr<model::Backend> m_backend;
    bool m_usesGpu = false;
    std::string m_backendNote;
    std::vector<int32_t> m_endTokens;
    mutable std::mutex m_cpuFallbackMutex;
    mutable std::unique_ptr<model::Backend> m_cpuFallback; // guarded by m_cpuFallbackMutex
};

} // namespace engine
