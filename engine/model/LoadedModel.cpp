#include "model/LoadedModel.h"

#include "model/ArchTable.h"
#include "quant/Quant.h"

#include <cmath>
#include <string>

namespace engine::model {

namespace {

// Reads `<arch>.<suffix>` keys with the file's own architecture prefix.
struct Keys {
    const gguf::GgufFile& file;
    std::string arch;

    std::string key(std::string_view suffix) const { return arch + "." + std::string(suffix); }
    std::optional<int64_t> integer(std::string_view suffix) const { return file.getInt(key(suffix)); }
    std::optional<double> real(std::string_view suffix) const { return file.getDouble(key(suffix)); }
};

Error missingKey(const std::string& key)
{
    return makeError(ErrorCode::MissingKey, "model metadata has no '" + key + "'");
}

// Binds one tensor by name; absent tensors stay empty (required ones are checked afterwards).
// expectCols/expectRows of 0 mean "not checked here".
Result<Tensor> bindTensor(const gguf::GgufFile& file, const std::string& name, int64_t expectCols, int64_t expectRows)
{
    Tensor t;
    t.name = name;
    const gguf::TensorInfo* info = file.findTensor(name);
    if (!info)
        return t;
    if (info->ne[2] != 1 || info->ne[3] != 1)
        return makeError(ErrorCode::InvalidFile, "tensor '" + name + "' has more than 2 dimensions");
    if ((expectCols && info->ne[0] != expectCols) || (expectRows && info->ne[1] != expectRows))
        return makeError(ErrorCode::InvalidFile,
                         "tensor '" + name + "' has shape [" + std::to_string(info->ne[0]) + ", " + std::to_string(info->ne[1]) +
                             "], expected [" + std::to_string(expectCols) + ", " + std::to_string(expectRows) + "]");
    const quant::TypeTraits& traits = quant::traits(info->type);
    if (!quant::canDequantize(info->type))
        return makeError(ErrorCode::Unsupported,
                         "tensor '" + name + "' has type " + std::string(traits.name) + ", which this engine cannot compute with");
    auto rb = quant::rowBytes(info->type, info->ne[0]);
    if (!rb)
        return makeError(ErrorCode::InvalidFile, "tensor '" + name + "' row length is not a multiple of its block size");
    t.type = info->type;
    t.cols = info->ne[0];
    t.rows = info->ne[1];
    t.rowBytes = static_cast<size_t>(*rb);
    t.data = file.tensor(*info).data;
    return t;
}

Error missingTensor(const std::string& name, std::string_view arch)
{
    return makeError(ErrorCode::MissingKey, "tensor '" + name + "' is missing (required by architecture " + std::string(arch) + ")");
}

// Norm weights and biases are read as F32 vectors by the forward pass.
Result<void> requireF32Vector(const Tensor& t)
{
    if (t.present() && t.type != quant::TensorType::F32)
        return makeError(ErrorCode::Unsupported, "tensor '" + t.name + "' is " + std::string(quant::typeName(t.type)) +
                                                     "; norm weights and biases must be f32");
    return {};
}

Result<ModelConfig> readConfig(const gguf::GgufFile& file, const ArchDescription& arch)
{
    Keys k{file, std::string(arch.name)};
    ModelConfig c;
    c.architecture = k.arch;
    auto need = [&](std::string_view suffix) -> std::optional<int64_t> { return k.integer(suffix); };
    auto nEmbd = need("embedding_length");
    auto nLayer = need("block_count");
    auto nHead = need("attention.head_count");
    auto nFf = need("feed_forward_length");
    if (!nEmbd) return missingKey(k.key("embedding_length"));
    if (!nLayer) return missingKey(k.key("block_count"));
    if (!nHead) return missingKey(k.key("attention.head_count"));
    if (!nFf) return missingKey(k.key("feed_forward_length"));
    c.nEmbd = static_cast<int>(*nEmbd);
    c.nLayer = static_cast<int>(*nLayer);
    c.nHead = static_cast<int>(*nHead);
    c.nFf = static_cast<int>(*nFf);
    c.nHeadKv = static_cast<int>(k.integer("attention.head_count_kv").value_or(c.nHead));
    c.nCtxTrain = static_cast<int>(k.integer("context_length").value_or(2048));
    if (c.nEmbd <= 0 || c.nLayer <= 0 || c.nHead <= 0 || c.nHeadKv <= 0 || c.nFf <= 0 || c.nCtxTrain <= 0 ||
        c.nEmbd > (1 << 20) || c.nLayer > 4096 || c.nHead > 4096 || c.nHead % c.nHeadKv != 0)
        return makeError(ErrorCode::InvalidFile, "implausible hyperparameters (embedding " + std::to_string(c.nEmbd) + ", layers " +
                                                     std::to_string(c.nLayer) + ", heads " + std::to_string(c.nHead) + "/" +
                                                     std::to_string(c.nHeadKv) + ")");
    c.headDim = static_cast<int>(k.integer("attention.key_length").value_or(c.nEmbd / c.nHead));
    c.headDimV = static_cast<int>(k.integer("attention.value_length").value_or(c.headDim));
    if (c.headDim <= 0 || c.headDimV <= 0 || c.headDim % 2 != 0)
        return makeError(ErrorCode::InvalidFile, "implausible head size " + std::to_string(c.headDim));

    c.norm = arch.norm;
    const char* epsKey = arch.norm == NormKind::Rms ? "attention.layer_norm_rms_epsilon" : "attention.layer_norm_epsilon";
    c.normEps = static_cast<float>(k.real(epsKey).value_or(1e-5));

    c.rope = arch.rope;
    c.nRot = static_cast<int>(k.integer("rope.dimension_count").value_or(c.headDim));
    if (c.rope != RopeKind::None && (c.nRot <= 0 || c.nRot > c.headDim || c.nRot % 2 != 0))
        return makeError(ErrorCode::InvalidFile, "rope dimension count " + std::to_string(c.nRot) + " does not fit head size " + std::to_string(c.headDim));
    c.ropeBase = static_cast<float>(k.real("rope.freq_base").value_or(10000.0));
    c.ropeBaseLocal = arch.ropeBaseLocal;
    if (auto type = file.getString(k.key("rope.scaling.type")); type && *type == "linear") {
        const double factor = k.real("rope.scaling.factor").value_or(1.0);
        if (factor > 0.0)
            c.ropeScaling.freqScale = static_cast<float>(1.0 / factor);
    } else if (auto scale = k.real("rope.scale_linear"); scale && *scale > 0.0) {
        c.ropeScaling.freqScale = static_cast<float>(1.0 / *scale);
    }

    c.activation = arch.activation;
    c.gatedFfn = arch.gatedFfn;
    if (arch.embedScaleSqrt)
        c.embedScale = std::sqrt(static_cast<float>(c.nEmbd));
    // Gemma 2/3 27B scale queries by 1/sqrt(n_embd / n_head) (query_pre_attn_scalar = 144),
    // which no GGUF key records; llama.cpp recognises them by their layer count, and so do we.
    if ((k.arch == "gemma2" && c.nLayer == 46) || (k.arch == "gemma3" && c.nLayer == 62))
        c.attnScale = 1.0f / std::sqrt(static_cast<float>(c.nEmbd / c.nHead));
    c.attnSoftcap = static_cast<float>(k.real("attn_logit_softcapping").value_or(0.0));
    c.finalSoftcap = static_cast<float>(k.real("final_logit_softcapping").value_or(0.0));
    c.slidingWindow = arch.slidingWindowPattern ? static_cast<int>(k.integer("attention.sliding_window").value_or(0)) : 0;
    if (c.slidingWindow < 0)
        c.slidingWindow = 0;
    c.layerUsesSlidingWindow.assign(c.nLayer, false);
    const int n = arch.slidingWindowPattern;
    for (int il = 0; il < c.nLayer && c.slidingWindow > 0; ++il)
        c.layerUsesSlidingWindow[il] = n == 1 || (n >= 2 && il % n < n - 1);
    return c;
}

Result<ModelWeights> bindWeights(const gguf::GgufFile& file, const ArchDescription& arch, ModelConfig& c)
{
    ModelWeights w;
    const int64_t qDim = int64_t(c.nHead) * c.headDim;
    const int64_t kDim = int64_t(c.nHeadKv) * c.headDim;
    const int64_t vDim = int64_t(c.nHeadKv) * c.headDimV;
    Error error;
    bool failed = false;
    auto bind = [&](const std::string& name, int64_t cols, int64_t rows) -> Tensor {
        if (failed)
            return {};
        auto r = bindTensor(file, name, cols, rows);
        if (!r) {
            error = r.error();
            failed = true;
            return {};
        }
        return std::move(r).value();
    };
    auto require = [&](const Tensor& t) {
        if (!failed && !t.present()) {
            error = missingTensor(t.name, arch.name);
            failed = true;
        }
    };

    w.tokenEmbd = bind("token_embd.weight", c.nEmbd, 0);
    require(w.tokenEmbd);
    if (failed)
        return error;
    c.nVocab = static_cast<int>(w.tokenEmbd.rows);
    if (c.rope == RopeKind::None) {
        w.posEmbd = bind("position_embd.weight", c.nEmbd, 0);
        require(w.posEmbd);
        if (!failed)
            c.nCtxTrain = std::min<int>(c.nCtxTrain, static_cast<int>(w.posEmbd.rows));
    }
    w.ropeFreqs = bind("rope_freqs.weight", c.nRot / 2, 1);
    w.outputNorm = bind("output_norm.weight", c.nEmbd, 1);
    require(w.outputNorm);
    w.outputNormBias = bind("output_norm.bias", c.nEmbd, 1);
    w.output = bind("output.weight", c.nEmbd, c.nVocab);
    if (!w.output.present())
        w.output = w.tokenEmbd;   // tied embeddings

    for (int il = 0; il < c.nLayer && !failed; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        LayerWeights l;
        l.attnNorm = bind(p + "attn_norm.weight", c.nEmbd, 1);
        require(l.attnNorm);
        l.attnNormBias = bind(p + "attn_norm.bias", c.nEmbd, 1);
        if (arch.fusedQkv && file.findTensor(p + "attn_qkv.weight")) {
            l.wqkv = bind(p + "attn_qkv.weight", c.nEmbd, qDim + kDim + vDim);
            l.bqkv = bind(p + "attn_qkv.bias", qDim + kDim + vDim, 1);
        } else {
            l.wq = bind(p + "attn_q.weight", c.nEmbd, qDim);
            l.wk = bind(p + "attn_k.weight", c.nEmbd, kDim);
            l.wv = bind(p + "attn_v.weight", c.nEmbd, vDim);
            require(l.wq);
            require(l.wk);
            require(l.wv);
            l.bq = bind(p + "attn_q.bias", qDim, 1);
            l.bk = bind(p + "attn_k.bias", kDim, 1);
            l.bv = bind(p + "attn_v.bias", vDim, 1);
        }
        if (arch.qkNorm) {
            l.qNorm = bind(p + "attn_q_norm.weight", c.headDim, 1);
            l.kNorm = bind(p + "attn_k_norm.weight", c.headDim, 1);
            require(l.qNorm);
            require(l.kNorm);
        }
        l.wo = bind(p + "attn_output.weight", qDim / c.headDim * c.headDimV, c.nEmbd);
        require(l.wo);
        l.bo = bind(p + "attn_output.bias", c.nEmbd, 1);
        if (arch.postNorms) {
            l.postAttnNorm = bind(p + "post_attention_norm.weight", c.nEmbd, 1);
            l.postFfnNorm = bind(p + "post_ffw_norm.weight", c.nEmbd, 1);
            require(l.postAttnNorm);
            require(l.postFfnNorm);
        }
        l.ffnNorm = bind(p + "ffn_norm.weight", c.nEmbd, 1);
        require(l.ffnNorm);
        l.ffnNormBias = bind(p + "ffn_norm.bias", c.nEmbd, 1);
        const bool fusedUp = arch.fusedGateUp && !file.findTensor(p + "ffn_gate.weight");
        l.ffnUp = bind(p + "ffn_up.weight", c.nEmbd, fusedUp ? 2 * int64_t(c.nFf) : c.nFf);
        require(l.ffnUp);
        l.ffnUpBias = bind(p + "ffn_up.bias", fusedUp ? 2 * int64_t(c.nFf) : c.nFf, 1);
        if (c.gatedFfn && !fusedUp) {
            l.ffnGate = bind(p + "ffn_gate.weight", c.nEmbd, c.nFf);
            require(l.ffnGate);
        }
        l.ffnDown = bind(p + "ffn_down.weight", c.nFf, c.nEmbd);
        require(l.ffnDown);
        l.ffnDownBias = bind(p + "ffn_down.bias", c.nEmbd, 1);
        for (const Tensor* t : {&l.attnNorm, &l.attnNormBias, &l.bq, &l.bk, &l.bv, &l.bqkv, &l.qNorm, &l.kNorm, &l.bo,
                                &l.postAttnNorm, &l.ffnNorm, &l.ffnNormBias, &l.ffnUpBias, &l.ffnDownBias, &l.postFfnNorm}) {
            if (failed)
                break;
            if (auto r = requireF32Vector(*t); !r) {
                error = r.error();
                failed = true;
            }
        }
        w.layers.push_back(std::move(l));
    }
    for (const Tensor* t : {&w.outputNorm, &w.outputNormBias, &w.ropeFreqs}) {
        if (failed)
            break;
        if (auto r = requireF32Vector(*t); !r) {
            error = r.error();
            failed = true;
        }
    }
    if (failed)
        return error;
    return w;
}

} // namespace

Result<std::shared_ptr<const LoadedModel>> loadModel(std::unique_ptr<gguf::GgufFile> file)
{
    const std::string archName = file->architecture();
    if (archName.empty())
        return makeError(ErrorCode::MissingKey, "model metadata has no 'general.architecture'");
    const ArchDescription* arch = findArchitecture(archName);
    if (!arch)
        return makeError(ErrorCode::Unsupported, "architecture '" + archName + "' is not supported (supported: " +
                                                     std::string(supportedArchitectureList()) + ")");
    auto config = readConfig(*file, *arch);
    if (!config)
        return config.error();
    auto weights = bindWeights(*file, *arch, *config);
    if (!weights)
        return weights.error();
    auto model = std::make_shared<LoadedModel>();
    model->file = std::move(file);
    model->config = std::move(config).value();
    model->weights = std::move(weights).value();
    return std::shared_ptr<const LoadedModel>(std::move(model));
}

} // namespace engine::model
