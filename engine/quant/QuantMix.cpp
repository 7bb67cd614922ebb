// The mix rules of llama.cpp's llama_tensor_get_type, for the file types we offer.

#include "quant/QuantMix.h"

#include <array>
#include <cctype>

namespace engine::quant {
namespace {

struct MixEntry {
    std::string_view name;
    FileType fileType;
    TensorType base;
};

constexpr std::array<MixEntry, 20> kMixes = {{
    {"F32", FileType::AllF32, TensorType::F32},
    {"F16", FileType::MostlyF16, TensorType::F16},
    {"BF16", FileType::BF16, TensorType::BF16},
    {"Q8_0", FileType::Q8_0, TensorType::Q8_0},
    {"Q6_K", FileType::Q6_K, TensorType::Q6_K},
    {"Q5_K_M", FileType::Q5_K_M, TensorType::Q5_K},
    {"Q5_K_S", FileType::Q5_K_S, TensorType::Q5_K},
    {"Q5_1", FileType::Q5_1, TensorType::Q5_1},
    {"Q5_0", FileType::Q5_0, TensorType::Q5_0},
    {"Q4_K_M", FileType::Q4_K_M, TensorType::Q4_K},
    {"Q4_K_S", FileType::Q4_K_S, TensorType::Q4_K},
    {"Q4_1", FileType::Q4_1, TensorType::Q4_1},
    {"Q4_0", FileType::Q4_0, TensorType::Q4_0},
    {"IQ4_NL", FileType::IQ4_NL, TensorType::IQ4_NL},
    {"IQ4_XS", FileType::IQ4_XS, TensorType::IQ4_XS},
    {"Q3_K_L", FileType::Q3_K_L, TensorType::Q3_K},
    {"Q3_K_M", FileType::Q3_K_M, TensorType::Q3_K},
    {"Q3_K_S", FileType::Q3_K_S, TensorType::Q3_K},
    {"Q2_K", FileType::Q2_K, TensorType::Q2_K},
    {"Q2_K_S", FileType::Q2_K_S, TensorType::Q2_K},
}};

bool sameIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool contains(const std::string& s, std::string_view part)
{
    return s.find(part) != std::string::npos;
}

bool endsWith(const std::string& s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isQuantized(TensorType t)
{
    return traits(t).blockSize > 1;
}

// attn_v and the tensors that contain it (fused qkv, MLA's kv_b) follow the attn_v rules, as in
// current llama.cpp (b4748 gave fused qkv its own, milder rule; no fixture has one).
bool isAttentionV(const std::string& name)
{
    return contains(name, "attn_v.weight") || contains(name, "attn_qkv.weight") || contains(name, "attn_kv_b.weight");
}

// llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between.
bool useMoreBits(int i, int n)
{
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

// Which tensors llama-quantize quantizes at all (tensor_allows_quantization), for the names
// that occur in the architectures we run.
bool allowsQuantization(const TensorDesc& t)
{
    if (t.nDims < 2)
        return false;
    if (!endsWith(t.name, "weight"))
        return false;
    if (contains(t.name, "_norm.weight"))
        return false;
    if (contains(t.name, "ffn_gate_inp.weight"))
        return false;
    // Learned positions and token types stay as they are (gpt2, BERT).
    if (t.name == "position_embd.weight" || t.name == "token_types.weight")
        return false;
    return true;
}

} // namespace

std::optional<FileType> fileTypeFromName(std::string_view name)
{
    for (const MixEntry& e : kMixes)
        if (sameIgnoringCase(e.name, name))
            return e.fileType;
    return std::nullopt;
}

std::string_view fileTypeName(FileType type)
{
    for (const MixEntry& e : kMixes)
        if (e.fileType == type)
            return e.name;
    return "?";
}

std::vector<std::string_view> fileTypeNames()
{
    std::vector<std::string_view> names;
    for (const MixEntry& e : kMixes)
        names.push_back(e.name);
    return names;
}

TensorType baseType(FileType type)
{
    for (const MixEntry& e : kMixes)
        if (e.fileType == type)
            return e.base;
    return TensorType::F32;
}

MixPlanner::MixPlanner(FileType fileType, ModelShape shape, const std::vector<TensorDesc>& tensors)
    : m_fileType(fileType), m_shape(std::move(shape))
{
    for (const TensorDesc& t : tensors) {
        if (t.name == "output.weight")
            m_tiedEmbeddings = false;
        if (isAttentionV(t.name))
            ++m_nAttentionV;
    }
}

TensorType MixPlanner::typeFor(const TensorDesc& tensor)
{
    if (!allowsQuantization(tensor))
        return tensor.type;
    TensorType type = baseType(m_fileType);
    if (isQuantized(type)) {
        type = mixType(tensor, type);
        type = fallback(tensor, type);
    }
    return type;
}

TensorType MixPlanner::mixType(const TensorDesc& t, TensorType type)
{
    using F = FileType;
    const F ft = m_fileType;
    const std::string& name = t.name;
    const int nLayer = m_shape.nLayer;

    if (name == "output.weight" || (m_tiedEmbeddings && name == "token_embd.weight")) {
        if (t.ne0 % traits(type).blockSize != 0)
            return TensorType::Q8_0;
        return type != TensorType::Q8_0 ? TensorType::Q6_K : type;
    }
    if (name == "token_embd.weight")
        return type;
    if (isAttentionV(name)) {
        const int i = m_iAttentionV++;
        const int n = m_nAttentionV;
        if (ft == F::Q2_K)
            type = m_shape.gqa() >= 4 ? TensorType::Q4_K : TensorType::Q3_K;
        else if (ft == F::Q2_K_S && m_shape.gqa() >= 4)
            type = TensorType::Q4_K;
        else if (ft == F::Q3_K_M)
            type = i < 2 ? TensorType::Q5_K : TensorType::Q4_K;
        else if (ft == F::Q3_K_L)
            type = TensorType::Q5_K;
        else if ((ft == F::IQ4_NL || ft == F::IQ4_XS) && m_shape.gqa() >= 4)
            type = TensorType::Q5_K;
        else if ((ft == F::Q4_K_M || ft == F::Q5_K_M) && useMoreBits(i, n))
            type = TensorType::Q6_K;
        else if (ft == F::Q4_K_S && i < 4)
            type = TensorType::Q5_K;
        // 70B-class Llama (80 layers): attn_v is 8x smaller than attn_q, so more bits are cheap.
        if (m_shape.architecture == "llama" && nLayer == 80 && (type == TensorType::Q3_K || type == TensorType::Q4_K))
            type = TensorType::Q5_K;
        if (m_shape.nExpert == 8)
            type = TensorType::Q8_0;
        return type;
    }
    if (contains(name, "attn_k.weight")) {
        if (m_shape.nExpert == 8)
            type = TensorType::Q8_0;
        return type;
    }
    if (contains(name, "ffn_down")) {
        // ffn_down tensors are counted per layer, as llama.cpp does for dense models.
        const int i = m_iFfnDown++;
        const int n = nLayer > 0 ? nLayer : 1;
        const bool falcon = m_shape.architecture == "falcon";
        if (ft == F::Q2_K)
            type = TensorType::Q3_K;
        else if (ft == F::Q2_K_S) {
            if (i < n / 8)
                type = TensorType::Q4_K;
        } else if (ft == F::Q3_K_M)
            type = i < n / 16 ? TensorType::Q5_K : (!falcon || useMoreBits(i, n)) ? TensorType::Q4_K : TensorType::Q3_K;
        else if (ft == F::Q3_K_L)
            type = falcon ? TensorType::Q4_K : TensorType::Q5_K;
        else if (ft == F::Q4_K_M) {
            if (falcon)
                type = i < n / 16 ? TensorType::Q6_K : useMoreBits(i, n) ? TensorType::Q5_K : TensorType::Q4_K;
            else if (useMoreBits(i, n))
                type = TensorType::Q6_K;
        } else if (i < n / 8 && (ft == F::IQ4_NL || ft == F::IQ4_XS))
            type = TensorType::Q5_K;
        else if (ft == F::Q5_K_M && useMoreBits(i, n))
            type = TensorType::Q6_K;
        else if (ft == F::Q4_K_S && !falcon && i < n / 8)
            type = TensorType::Q5_K;
        return type;
    }
    if (contains(name, "attn_output.weight")) {
        if (m_shape.architecture != "falcon") {
            if (m_shape.nExpert == 8) {
                if (ft == F::Q2_K || ft == F::Q3_K_S || ft == F::Q3_K_M || ft == F::IQ4_NL || ft == F::Q4_K_S
                    || ft == F::Q4_K_M || ft == F::IQ4_XS)
                    type = TensorType::Q5_K;
            } else if (ft == F::Q2_K)
                type = TensorType::Q3_K;
            else if (ft == F::Q3_K_M)
                type = TensorType::Q4_K;
            else if (ft == F::Q3_K_L)
                type = TensorType::Q5_K;
        } else if (ft == F::Q3_K_L)
            type = TensorType::Q4_K;
        return type;
    }
    return type;
}

TensorType MixPlanner::fallback(const TensorDesc& t, TensorType type)
{
    if (t.ne0 % traits(type).blockSize == 0)
        return type;
    ++m_fallbacks;
    TensorType to;
    switch (type) {
    case TensorType::IQ4_XS: to = TensorType::IQ4_NL; break;
    case TensorType::Q2_K:
    case TensorType::Q3_K: to = TensorType::Q4_0; break;
    case TensorType::Q4_K: to = TensorType::Q5_0; break;
    case TensorType::Q5_K: to = TensorType::Q5_1; break;
    case TensorType::Q6_K: to = TensorType::Q8_0; break;
    default: to = TensorType::F16; break;
    }
    // Rows not even a multiple of 32 (rare): F16 keeps everything.
    if (t.ne0 % traits(to).blockSize != 0)
        to = TensorType::F16;
    return to;
}

} // namespace engine::quant
