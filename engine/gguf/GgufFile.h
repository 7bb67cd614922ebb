#pragma once
// Reading GGUF files (v2 and v3). The file is memory-mapped read-only; tensors are zero-copy
// views into the mapping. Every count, length and offset is validated against the file size
// before use: a hostile or truncated file yields an Error naming what is wrong and at which
// byte offset, never a crash, an unbounded allocation or a hang.

#include "core/Result.h"
#include "gguf/GgufValue.h"
#include "quant/TensorType.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace engine::gguf {

constexpr uint32_t kMaxDims = 4;

struct TensorInfo {
    std::string name;
    quant::TensorType type = quant::TensorType::F32;
    uint32_t nDims = 0;
    int64_t ne[kMaxDims] = {1, 1, 1, 1}; // ne[0] is the contiguous (row) dimension, as in ggml
    uint64_t offset = 0;                 // relative to the data section
    uint64_t byteSize = 0;               // computed from type and shape
    int64_t elementCount() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
};

// A tensor's bytes inside the mapping, valid as long as the GgufFile lives.
struct TensorView {
    const TensorInfo* info = nullptr;
    const uint8_t* data = nullptr;
};

// Limits applied to untrusted files. The defaults are far above any real model and far below
// what would let a file make us allocate gigabytes of metadata.
struct ReadLimits {
    uint64_t maxStringLength = 64ull << 20;   // 64 MiB (a chat template or a merge is far less)
    uint64_t maxArrayLength = 64ull << 20;    // elements, per array
    uint64_t maxTotalArrayElements = 256ull << 20;
    uint32_t maxArrayNesting = 8;
    uint64_t maxKeyValueCount = 1ull << 20;
    uint64_t maxTensorCount = 1ull << 20;
};

class GgufFile {
public:
    // Maps and validates the file. Errors: Io (cannot open/map), InvalidFile (with byte offset),
    // Unsupported (big-endian, unknown version).
    static Result<std::unique_ptr<GgufFile>> open(const std::string& path, const ReadLimits& limits = {});
    // Same validation over a caller-owned buffer (used by the fuzzer and tests). The buffer must
    // outlive the GgufFile.
    static Result<std::unique_ptr<GgufFile>> fromMemory(std::span<const uint8_t> bytes, const ReadLimits& limits = {});

    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    uint32_t version() const { return m_version; }
    uint64_t fileSize() const { return m_size; }
    uint64_t alignment() const { return m_alignment; }
    uint64_t dataOffset() const { return m_dataOffset; }
    const std::string& path() const { return m_path; }

    // Metadata, in file order.
    const std::vector<std::pair<std::string, Value>>& metadata() const { return m_metadata; }
    const Value* find(std::string_view key) const;
    std::optional<int64_t> getInt(std::string_view key) const;
    std::optional<double> getDouble(std::string_view key) const;
    std::optional<bool> getBool(std::string_view key) const;
    std::optional<std::string> getString(std::string_view key) const;
    // The string items of a string array (nullopt if absent or not an array of strings).
    std::optional<std::vector<std::string>> getStringArray(std::string_view key) const;
    std::optional<std::vector<float>> getFloatArray(std::string_view key) const;
    std::optional<std::vector<int64_t>> getIntArray(std::string_view key) const;
    // general.architecture, or "" when absent.
    std::string architecture() const;

    // Tensors, in file order.
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    const TensorInfo* findTensor(std::string_view name) const;
    TensorView tensor(const TensorInfo& info) const;
    std::optional<TensorView> tensor(std::string_view name) const;
    // Sum of the tensors' byte sizes (padding excluded).
    uint64_t tensorDataSize() const;

private:
    GgufFile() = default;
    struct Parser;
    static Result<std::unique_ptr<GgufFile>> parse(std::unique_ptr<GgufFile> file, const ReadLimits& limits);

    std::string m_path;
    const uint8_t* m_base = nullptr;
    uint64_t m_size = 0;
    void* m_mapping = nullptr; // owned mmap region, or nullptr for fromMemory
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    uint64_t m_dataOffset = 0;
    std::vector<std::pair<std::string, Value>> m_metadata;
    std::map<std::string, size_t, std::less<>> m_metadataIndex;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, size_t, std::less<>> m_tensorIndex;
};

} // namespace engine::gguf
