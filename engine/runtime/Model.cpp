#include "runtime/Model.h"

#include "core/Log.h"
#include "cpu/CpuBackend.h"
#include "model/Backend.h"
#include "model/LoadedModel.h"
#include "tokenizer/Tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace engine {

namespace {

Error cancelled()
{
    return makeError(ErrorCode::Cancelled, "loading was cancelled");
}

// The matrix type holding the most bytes, as a short name ("q4_K").
std::string dominantType(const gguf::GgufFile& file)
{
    std::map<quant::TensorType, uint64_t> bytes;
    for (const gguf::TensorInfo& t : file.tensors())
        if (t.nDims >= 2)
            bytes[t.type] += t.byteSize;
    if (bytes.empty())
        return {};
    auto best = std::max_element(bytes.begin(), bytes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return std::string(quant::typeName(best->first));
}

struct BackendChoiceResult {
    std::unique_ptr<model::Backend> backend;
    bool gpu = false;
    std::string fallbackReason; // why Auto ended on the CPU
    std::string note;           // the same, when a usable GPU was there and could not take the model
};

Result<BackendChoiceResult> makeBackend(const std::shared_ptr<const model::LoadedModel>& loaded, const LoadOptions& options)
{
    BackendChoiceResult chosen;
    if (options.backend != BackendChoice::Cpu && options.gpuLayers != 0) {
        model::BackendFactory gpu = model::gpuBackendFactory();
        if (gpu) {
            auto backend = gpu(loaded, options);
            if (backend.ok()) {
                chosen.backend = std::move(backend).value();
                chosen.gpu = true;
                return chosen;
            }
            if (options.backend == BackendChoice::Vulkan)
                return backend.error();
            // Auto without a usable GPU is the normal case on many machines: a debug line, and
            // the reason in ModelInfo for a UI that wants to show it (not a warning on stderr,
            // which would break the CLI's one-line error contract). A GPU that exists but cannot
            // take this model (memory, an unsupported feature) also gets a note for the user.
            chosen.fallbackReason = backend.error().message();
            if (backend.error().code != ErrorCode::Device)
                chosen.note = "the GPU cannot run this model (" + chosen.fallbackReason + "); running on the CPU";
            log(LogLevel::Debug, "GPU backend unavailable, using the CPU: " + chosen.fallbackReason);
        } else if (options.backend == BackendChoice::Vulkan) {
            return makeError(ErrorCode::Device, "this build has no Vulkan backend");
        }
    }
    auto cpu = cpu::createCpuBackend(loaded, options.threads);
    if (!cpu)
        return cpu.error();
    chosen.backend = std::move(cpu).value();
    return chosen;
}

} // namespace

Model::~Model() = default;

Result<std::shared_ptr<Model>> Model::load(const std::string& path, const LoadOptions& options, const ProgressCallback& progress,
                                           const std::atomic<bool>* cancel)
{
    auto report = [&](float f) {
        if (progress)
            progress(f);
    };
    auto isCancelled = [&] { return cancel && cancel->load(); };
    report(0.0f);
    auto file = gguf::GgufFile::open(path);
    if (!file)
        return file.error();
    if (isCancelled())
        return cancelled();
    report(0.2f);

    std::shared_ptr<Model> m(new Model());
    m->m_options = options;
    const gguf::GgufFile& f = **file;
    m->m_info.name = f.getString("general.name").value_or(std::filesystem::path(path).stem().string());
    m->m_info.architecture = f.architecture();
    m->m_info.fileSize = f.fileSize();
    m->m_info.fileType = dominantType(f);
    for (const gguf::TensorInfo& t : f.tensors())
        m->m_info.parameterCount += static_cast<uint64_t>(t.elementCount());
    m->m_info.chatTemplate = f.getString("tokenizer.chat_template").value_or(std::string());

    auto tokenizer = tokenizer::Tokenizer::fromGguf(f);
    if (!tokenizer)
        return tokenizer.error();
    m->m_tokenizer = std::move(tokenizer).value();
    report(0.4f);

    auto loaded = model::loadModel(std::move(file).value());
    if (!loaded)
        return loaded.error();
    m->m_loaded = std::move(loaded).value();
    const model::ModelConfig& c = m->m_loaded->config;
    if (isCancelled())
        return cancelled();
    report(0.6f);

    const int cap = options.contextLength > 0 ? options.contextLength : LoadOptions::kDefaultContextCap;
    m->m_info.trainedContextLength = c.nCtxTrain;
    m->m_info.contextLength = std::min(cap, c.nCtxTrain);
    m->m_info.vocabularySize = c.nVocab;
    const tokenizer::Tokenizer& tok = *m->m_tokenizer;
    m->m_info.bosId = tok.bos();
    m->m_info.eosId = tok.eos();
    if (tok.bos() >= 0)
        m->m_info.bosText = tok.tokenText(tok.bos());
    if (tok.eos() >= 0)
        m->m_info.eosText = tok.tokenText(tok.eos());
    for (int32_t id = 0; id < std::min(tok.vocabSize(), c.nVocab); ++id)
        if (tok.isEndOfGeneration(id))
            m->m_endTokens.push_back(id);

    // The GPU backend sizes its memory plan by the context sessions will really allocate.
    LoadOptions resolved = options;
    resolved.contextLength = m->m_info.contextLength;
    auto backend = makeBackend(m->m_loaded, resolved);
    if (!backend)
        return backend.error();
    m->m_backend = std::move(backend->backend);
    m->m_usesGpu = backend->gpu;
    m->m_info.backendFallbackReason = std::move(backend->fallbackReason);
    m->m_backendNote = std::move(backend->note);
    m->m_info.backendDescription = m->m_backend->description();
    if (isCancelled())
        return cancelled();
    report(1.0f);
    return m;
}

Result<model::Backend*> Model::cpuBackend() const
{
    if (!m_usesGpu)
        return m_backend.get();
    std::lock_guard lock(m_cpuFallbackMutex);
    if (!m_cpuFallback) {
        auto cpu = cpu::createCpuBackend(m_loaded, m_options.threads);
        if (!cpu)
            return cpu.error();
        m_cpuFallback = std::move(cpu).value();
    }
    return m_cpuFallback.get();
}

bool Model::isEndOfGeneration(int32_t token) const
{
    return std::binary_search(m_endTokens.begin(), m_endTokens.end(), token);
}

} // namespace engine
