#pragma once
// Tensor storage types, numbered as GGUF/ggml numbers them (ggml_type), with their block geometry.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace engine::quant {

enum class TensorType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3,
    // 4 and 5 were Q4_2/Q4_3, removed from ggml long ago; files using them are rejected.
    Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22,
    IQ4_XS = 23, I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
};

struct TypeTraits {
    std::string_view name;   // as llama.cpp prints it: "q4_K", "f16", "iq4_nl"
    int64_t blockSize;       // elements per block (1 for plain types)
    int64_t typeSize;        // bytes per block
    bool knownLayout;        // we know the block layout (can compute sizes); dequantizing may still be unsupported
};

// nullptr for an id ggml never defined (4, 5, > 30): a file using it is invalid.
const TypeTraits* traits(uint32_t typeId);
const TypeTraits& traits(TensorType type);

inline std::string_view typeName(TensorType t) { return traits(t).name; }

// Case-insensitive lookup by name ("Q4_K", "q4_k", "f16").
std::optional<TensorType> typeFromName(std::string_view name);

// Bytes for a row of n elements; nullopt when n is not a multiple of the block size.
std::optional<uint64_t> rowBytes(TensorType type, int64_t n);

} // namespace engine::quant
