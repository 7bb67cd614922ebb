#pragma once
// The quantization mixes people know from llama.cpp ("Q4_K_M", "Q8_0", …): which storage type
// each tensor of a model gets. Follows llama.cpp's llama_tensor_get_type (src/llama-quant.cpp)
// for the dense architectures we run: embeddings and output kept at higher precision, some
// attn_v/ffn_down layers bumped up in the _M mixes, 1-D tensors left as they are, and rows whose
// length is not a multiple of the block size falling back to a 32-block type.

#include "quant/TensorType.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::quant {

// llama_ftype, the value stored as general.file_type.
enum class FileType : uint32_t {
    AllF32 = 0, MostlyF16 = 1, Q4_0 = 2, Q4_1 = 3, Q8_0 = 7, Q5_0 = 8, Q5_1 = 9,
    Q2_K = 10, Q3_K_S = 11, Q3_K_M = 12, Q3_K_L = 13, Q4_K_S = 14, Q4_K_M = 15,
    Q5_K_S = 16, Q5_K_M = 17, Q6_K = 18, Q2_K_S = 21, IQ4_NL = 25, IQ4_XS = 30, BF16 = 32,
};

// Case-insensitive: "Q4_K_M", "q8_0", "f16", "bf16", "f32".
std::optional<FileType> fileTypeFromName(std::string_view name);
std::string_view fileTypeName(FileType type);
// Every name fileTypeFromName accepts, for --help.
std::vector<std::string_view> fileTypeNames();
// The type most tensors of the mix get.
TensorType baseType(FileType type);

// What the planner needs to know about the model (from its GGUF metadata).
struct ModelShape {
    std::string architecture;
    int nLayer = 0;
    int nHead = 0;
    int nHeadKv = 0;
    int nExpert = 0;
    int gqa() const { return nHeadKv > 0 ? nHead / nHeadKv : 1; }
};

struct TensorDesc {
    std::string name;
    int nDims = 0;
    int64_t ne0 = 0;         // row length
    TensorType type = TensorType::F32; // current storage type
};

// Decides each tensor's type. Some rules depend on how many attn_v tensors came before, as in
// llama.cpp, so call typeFor once per tensor in file order.
class MixPlanner {
public:
    MixPlanner(FileType fileType, ModelShape shape, const std::vector<TensorDesc>& tensors);

    TensorType typeFor(const TensorDesc& tensor);
    // How many tensors fell back to another type because of their row length.
    int fallbackCount() const { return m_fallbacks; }

private:
    TensorType mixType(const TensorDesc& tensor, TensorType type);
    TensorType fallback(const TensorDesc& tensor, TensorType type);

    FileType m_fileType;
    ModelShape m_shape;
    bool m_tiedEmbeddings = true;
    int m_nAttentionV = 0;
    int m_iAttentionV = 0;
    int m_iFfnDown = 0;
    int m_fallbacks = 0;
};

} // namespace engine::quant
