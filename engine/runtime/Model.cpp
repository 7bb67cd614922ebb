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

Result<std::unique_ptr<model::Backend>> makeBackend(const std::shared_ptr<const model::LoadedModel>& loaded, const LoadOptions& options,
                                                    std::string& fallbackReason)
{
    if (options.backend != BackendChoice::Cpu) {
        model::BackendFactory gpu = model::gpuBackendFactory();
        if (gpu) {
            auto backend = gpu(loaded, options);
            if (backend.ok() || options.backend == BackendChoice::Vulkan)
                return backend;
            // Auto without a usable GPU is the normal case on many machines: a debug line, and
            // the reason in ModelInfo for a UI that wants to show it (not a warning on stderr,
            // which would break the CLI's one-line error contract).
            fallbackReason = backend.error().message();
            log(LogLevel::Debug, "GPU backend unavailable, using the CPU: " + fallbackReason);
        } else if (options.backend == BackendChoice::Vulkan) {
            return makeError(ErrorCode::Device, "this build has no Vulkan backend");
        }
    }
    return cpu::createCpuBackend(loaded, options.threads);
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

    auto backend = makeBackend(m->m_loaded, options, m->m_info.backendFallbackReason);
    if (!backend)
        return backend.error();
    m->m_backend = std::move(backend).value();
    m->m_info.backendDescription = m->m_backend->description();
    if (isCancelled())
        return cancelled();
    report(1.0f);
    return m;
}

bool Model::isEndOfGeneration(int32_t token) const
{
    return std::binary_search(m_endTokens.begin(), m_endTokens.end(), token);
}

} // namespace engine
