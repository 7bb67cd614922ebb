#pragma once
// SPIR-V compiled from gpu/shaders/*.comp at build time and embedded in the library; one entry
// per variant ("matvec_q4_0", "rope_neox" ...). The table itself is generated into the build
// directory (gpu/src/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace engine::gpu {

struct EmbeddedShader {
    const char* name;
    const uint32_t* code;
    size_t bytes;
};

std::span<const EmbeddedShader> embeddedShaders();
const EmbeddedShader* findShader(std::string_view name);

} // namespace engine::gpu
