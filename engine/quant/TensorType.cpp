#include "quant/TensorType.h"

#include <array>
#include <cctype>

namespace engine::quant {
namespace {

constexpr uint32_t kTypeCount = 31;

// Block sizes and byte sizes from ggml's type_traits (ggml.c); QK_K = 256.
constexpr std::array<TypeTraits, kTypeCount> kTraits = {{
    {"f32", 1, 4, true},
    {"f16", 1, 2, true},
    {"q4_0", 32, 18, true},
    {"q4_1", 32, 20, true},
    {"", 0, 0, false}, // Q4_2 (removed)
    {"", 0, 0, false}, // Q4_3 (removed)
    {"q5_0", 32, 22, true},
    {"q5_1", 32, 24, true},
    {"q8_0", 32, 34, true},
    {"q8_1", 32, 36, true},
    {"q2_K", 256, 84, true},
    {"q3_K", 256, 110, true},
    {"q4_K", 256, 144, true},
    {"q5_K", 256, 176, true},
    {"q6_K", 256, 210, true},
    {"q8_K", 256, 292, true},
    {"iq2_xxs", 256, 66, true},
    {"iq2_xs", 256, 74, true},
    {"iq3_xxs", 256, 98, true},
    {"iq1_s", 256, 50, true},
    {"iq4_nl", 32, 18, true},
    {"iq3_s", 256, 110, true},
    {"iq2_s", 256, 82, true},
    {"iq4_xs", 256, 136, true},
    {"i8", 1, 1, true},
    {"i16", 1, 2, true},
    {"i32", 1, 4, true},
    {"i64", 1, 8, true},
    {"f64", 1, 8, true},
    {"iq1_m", 256, 56, true},
    {"bf16", 1, 2, true},
}};

} // namespace

const TypeTraits* traits(uint32_t typeId)
{
    if (typeId >= kTypeCount || !kTraits[typeId].knownLayout)
        return nullptr;
    return &kTraits[typeId];
}

const TypeTraits& traits(TensorType type)
{
    return kTraits[static_cast<uint32_t>(type)];
}

std::optional<TensorType> typeFromName(std::string_view name)
{
    for (uint32_t id = 0; id < kTypeCount; ++id) {
        const std::string_view n = kTraits[id].name;
        if (n.empty() || n.size() != name.size())
            continue;
        bool same = true;
        for (size_t i = 0; i < n.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(n[i])) == std::tolower(static_cast<unsigned char>(name[i]));
        if (same)
            return static_cast<TensorType>(id);
    }
    return std::nullopt;
}

std::optional<uint64_t> rowBytes(TensorType type, int64_t n)
{
    const TypeTraits& t = traits(type);
    if (n < 0 || t.blockSize <= 0 || n % t.blockSize != 0)
        return std::nullopt;
    return static_cast<uint64_t>(n / t.blockSize) * static_cast<uint64_t>(t.typeSize);
}

} // namespace engine::quant
