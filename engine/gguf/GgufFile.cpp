#include "gguf/GgufFile.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader decodes little-endian fields with memcpy; port it before using a big-endian host");

namespace engine::gguf {
namespace {

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
constexpr uint64_t kDefaultAlignment = 32;
constexpr char kAlignmentKey[] = "general.alignment";

// Size on disk of a scalar value type; 0 for String and Array, whose size is variable.
uint64_t scalarSize(ValueType t)
{
    switch (t) {
    case ValueType::UInt8: case ValueType::Int8: case ValueType::Bool: return 1;
    case ValueType::UInt16: case ValueType::Int16: return 2;
    case ValueType::UInt32: case ValueType::Int32: case ValueType::Float32: return 4;
    case ValueType::UInt64: case ValueType::Int64: case ValueType::Float64: return 8;
    case ValueType::String: case ValueType::Array: return 0;
    }
    return 0;
}

// The fewest bytes one element of an array of type t can occupy: used to reject a count the rest
// of the file cannot possibly hold before anything is allocated for it.
uint64_t minEncodedSize(ValueType t)
{
    if (t == ValueType::String)
        return 8;       // length prefix
    if (t == ValueType::Array)
        return 4 + 8;   // element type + count
    return scalarSize(t);
}

std::string hex32(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// Names from a hostile file go into one-line error messages: keep them short and printable.
std::string printable(std::string_view s)
{
    std::string out;
    const size_t limit = 80;
    for (size_t i = 0; i < s.size() && i < limit; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > limit)
        out += "...";
    return out;
}

// Closes a descriptor on every path out of open().
class FdGuard {
public:
    explicit FdGuard(int fd) : m_fd(fd) {}
    ~FdGuard()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

} // namespace

// Reads the header, metadata and tensor infos, validating each field against the bytes that
// remain before using it. Primitive reads return false after recording the first error, so the
// hot path (hundreds of thousands of vocabulary strings) builds no error objects.
struct GgufFile::Parser {
    const uint8_t* base;
    uint64_t size;
    const ReadLimits& limits;
    GgufFile& file;
    uint64_t pos = 0;
    uint64_t totalArrayElements = 0;
    std::string context;          // "key 'x': " or "tensor 'y': ", prefixed to errors
    std::optional<Error> error;

    Parser(const uint8_t* b, uint64_t s, const ReadLimits& l, GgufFile& f) : base(b), size(s), limits(l), file(f) {}

    uint64_t remaining() const { return size - pos; }

    bool fail(ErrorCode code, const std::string& what, uint64_t at)
    {
        if (!error)
            error = makeError(code, context + what + " (at byte " + std::to_string(at) + ")");
        return false;
    }
    bool fail(const std::string& what, uint64_t at) { return fail(ErrorCode::InvalidFile, what, at); }

    bool need(uint64_t n, const char* what)
    {
        if (n <= remaining())
            return true;
        return fail(std::string("file ends inside ") + what + " (needs " + std::to_string(n) + " bytes, " +
                        std::to_string(remaining()) + " left; file size " + std::to_string(size) + ")",
                    pos);
    }

    template <typename T>
    bool readRaw(T& out, const char* what)
    {
        if (!need(sizeof(T), what))
            return false;
        std::memcpy(&out, base + pos, sizeof(T));
        pos += sizeof(T);
        return true;
    }

    bool failStringLength(uint64_t len, const char* what, uint64_t at)
    {
        if (len > limits.maxStringLength)
            return fail(std::string(what) + " length " + std::to_string(len) + " exceeds the limit of " +
                            std::to_string(limits.maxStringLength) + " bytes",
                        at);
        return fail(std::string(what) + " of length " + std::to_string(len) + " runs past the end of the file (size " +
                        std::to_string(size) + ")",
                    at);
    }

    bool readString(std::string& out, const char* what)
    {
        const uint64_t at = pos;
        uint64_t len = 0;
        if (!readRaw(len, what))
            return false;
        if (len > limits.maxStringLength || len > remaining())
            return failStringLength(len, what, at);
        out.assign(reinterpret_cast<const char*>(base + pos), static_cast<size_t>(len));
        pos += len;
        return true;
    }

    bool readValueType(ValueType& out, const char* what)
    {
        const uint64_t at = pos;
        uint32_t raw = 0;
        if (!readRaw(raw, what))
            return false;
        if (raw >= kValueTypeCount)
            return fail("unknown " + std::string(what) + " " + std::to_string(raw), at);
        out = static_cast<ValueType>(raw);
        return true;
    }

    bool readScalar(ValueType type, Value& out)
    {
        switch (type) {
        case ValueType::UInt8: { uint8_t v; if (!readRaw(v, "a u8 value")) return false; out = Value::u8(v); return true; }
        case ValueType::Int8: { int8_t v; if (!readRaw(v, "an i8 value")) return false; out = Value::i8(v); return true; }
        case ValueType::UInt16: { uint16_t v; if (!readRaw(v, "a u16 value")) return false; out = Value::u16(v); return true; }
        case ValueType::Int16: { int16_t v; if (!readRaw(v, "an i16 value")) return false; out = Value::i16(v); return true; }
        case ValueType::UInt32: { uint32_t v; if (!readRaw(v, "a u32 value")) return false; out = Value::u32(v); return true; }
        case ValueType::Int32: { int32_t v; if (!readRaw(v, "an i32 value")) return false; out = Value::i32(v); return true; }
        case ValueType::Float32: { float v; if (!readRaw(v, "an f32 value")) return false; out = Value::f32(v); return true; }
        case ValueType::UInt64: { uint64_t v; if (!readRaw(v, "a u64 value")) return false; out = Value::u64(v); return true; }
        case ValueType::Int64: { int64_t v; if (!readRaw(v, "an i64 value")) return false; out = Value::i64(v); return true; }
        case ValueType::Float64: { double v; if (!readRaw(v, "an f64 value")) return false; out = Value::f64(v); return true; }
        case ValueType::Bool: {
            const uint64_t at = pos;
            uint8_t v;
            if (!readRaw(v, "a bool value"))
                return false;
            if (v > 1)
                return fail("bool value " + std::to_string(v) + " is neither 0 nor 1", at);
            out = Value::boolean(v != 0);
            return true;
        }
        case ValueType::String: {
            std::string s;
            if (!readString(s, "string value"))
                return false;
            out = Value::string(std::move(s));
            return true;
        }
        case ValueType::Array:
            break;
        }
        return false; // arrays go through readValue
    }

    bool readValue(ValueType type, Value& out, uint32_t depth)
    {
        if (type != ValueType::Array)
            return readScalar(type, out);

        const uint64_t at = pos;
        if (depth >= limits.maxArrayNesting)
            return fail("arrays nested deeper than " + std::to_string(limits.maxArrayNesting) + " levels", at);
        ValueType elementType;
        if (!readValueType(elementType, "array element type"))
            return false;
        const uint64_t countAt = pos;
        uint64_t count = 0;
        if (!readRaw(count, "an array length"))
            return false;
        if (count > limits.maxArrayLength)
            return fail("array length " + std::to_string(count) + " exceeds the limit of " +
                            std::to_string(limits.maxArrayLength) + " elements",
                        countAt);
        if (count > limits.maxTotalArrayElements - totalArrayElements)
            return fail("arrays hold more than " + std::to_string(limits.maxTotalArrayElements) +
                            " elements in total",
                        countAt);
        // Checked before reserving: each element needs at least minEncodedSize bytes.
        if (count > remaining() / minEncodedSize(elementType))
            return fail("array of " + std::to_string(count) + " " + std::string(valueTypeName(elementType)) +
                            " elements runs past the end of the file (size " + std::to_string(size) + ")",
                        countAt);
        totalArrayElements += count;

        std::vector<Value> items;
        items.reserve(static_cast<size_t>(count));
        if (elementType == ValueType::String) {
            // The hot case (vocabularies, merges): strings straight from the mapping into place.
            for (uint64_t i = 0; i < count; ++i) {
                const uint64_t itemAt = pos;
                uint64_t len = 0;
                if (!readRaw(len, "a string length"))
                    return false;
                if (len > limits.maxStringLength || len > remaining())
                    return failStringLength(len, "string item", itemAt);
                items.push_back(Value::string(std::string(reinterpret_cast<const char*>(base + pos), static_cast<size_t>(len))));
                pos += len;
            }
            out = Value::array(elementType, std::move(items));
            return true;
        }
        for (uint64_t i = 0; i < count; ++i) {
            // A nested array is written as its own element type and count, like a top-level one.
            items.emplace_back();
            if (!readValue(elementType, items.back(), depth + 1))
                return false;
        }
        out = Value::array(elementType, std::move(items));
        return true;
    }

    Result<void> parse()
    {
        if (!parseHeaderAndMetadata() || !parseTensorInfos() || !validateTensors())
            return *error;
        return {};
    }

    bool parseHeaderAndMetadata()
    {
        if (size < 4)
            return fail("file is too small to be a GGUF file (" + std::to_string(size) + " bytes)", 0);
        if (std::memcmp(base, kMagic, 4) != 0) {
            uint32_t magic;
            std::memcpy(&magic, base, 4);
            return fail("not a GGUF file: bad magic " + hex32(magic) + " (expected \"GGUF\")", 0);
        }
        pos = 4;
        uint32_t version = 0;
        if (!readRaw(version, "the version field"))
            return false;
        const uint32_t swapped = __builtin_bswap32(version);
        if (version == 1)
            return fail(ErrorCode::Unsupported, "GGUF version 1 is not supported (only versions 2 and 3)", 4);
        if (version != 2 && version != 3) {
            if ((version & 0xffffu) == 0 && swapped >= 1 && swapped <= 3)
                return fail(ErrorCode::Unsupported,
                            "big-endian GGUF file (version field " + hex32(version) +
                                " is version " + std::to_string(swapped) +
                                " byte-swapped); only little-endian files are supported",
                            4);
            return fail(ErrorCode::Unsupported,
                        "unsupported GGUF version " + std::to_string(version) + " (only versions 2 and 3)", 4);
        }
        file.m_version = version;

        uint64_t tensorCount = 0;
        uint64_t kvCount = 0;
        const uint64_t tensorCountAt = pos;
        if (!readRaw(tensorCount, "the tensor count"))
            return false;
        const uint64_t kvCountAt = pos;
        if (!readRaw(kvCount, "the metadata key-value count"))
            return false;
        if (tensorCount > limits.maxTensorCount)
            return fail("tensor count " + std::to_string(tensorCount) + " exceeds the limit of " +
                            std::to_string(limits.maxTensorCount),
                        tensorCountAt);
        if (kvCount > limits.maxKeyValueCount)
            return fail("metadata key-value count " + std::to_string(kvCount) + " exceeds the limit of " +
                            std::to_string(limits.maxKeyValueCount),
                        kvCountAt);
        // A key-value pair needs at least 13 bytes (key length, type, a one-byte value) and a
        // tensor info at least 32 (name length, dims count, one dim, type, offset).
        if (kvCount > remaining() / 13)
            return fail("metadata key-value count " + std::to_string(kvCount) + " cannot fit in the file (size " +
                            std::to_string(size) + ")",
                        kvCountAt);
        if (tensorCount > remaining() / 32)
            return fail("tensor count " + std::to_string(tensorCount) + " cannot fit in the file (size " +
                            std::to_string(size) + ")",
                        tensorCountAt);

        file.m_metadata.reserve(static_cast<size_t>(kvCount));
        file.m_tensors.reserve(static_cast<size_t>(tensorCount));
        m_tensorCount = tensorCount;

        for (uint64_t i = 0; i < kvCount; ++i) {
            context.clear();
            const uint64_t keyAt = pos;
            std::string key;
            if (!readString(key, "metadata key"))
                return false;
            context = "key '" + printable(key) + "': ";
            if (file.m_metadataIndex.count(key))
                return fail("duplicate metadata key", keyAt);
            ValueType type;
            if (!readValueType(type, "value type"))
                return false;
            Value value;
            if (!readValue(type, value, 0))
                return false;
            file.m_metadataIndex.emplace(key, file.m_metadata.size());
            file.m_metadata.emplace_back(std::move(key), std::move(value));
            m_keyOffsets.push_back(keyAt);
        }
        context.clear();

        if (const auto it = file.m_metadataIndex.find(std::string_view(kAlignmentKey)); it != file.m_metadataIndex.end()) {
            const Value& v = file.m_metadata[it->second].second;
            const uint64_t at = m_keyOffsets[it->second];
            const std::optional<int64_t> a = v.toInt();
            if (v.type() == ValueType::Bool || !a)
                return fail(std::string(kAlignmentKey) + " must be an integer, not " +
                                std::string(valueTypeName(v.type())),
                            at);
            if (*a <= 0 || !std::has_single_bit(static_cast<uint64_t>(*a)))
                return fail(std::string(kAlignmentKey) + " " + std::to_string(*a) + " is not a nonzero power of two", at);
            file.m_alignment = static_cast<uint64_t>(*a);
        } else {
            file.m_alignment = kDefaultAlignment;
        }
        return true;
    }

    bool parseTensorInfos()
    {
        for (uint64_t i = 0; i < m_tensorCount; ++i) {
            context = "tensor #" + std::to_string(i) + ": ";
            const uint64_t infoAt = pos;
            TensorInfo info;
            if (!readString(info.name, "tensor name"))
                return false;
            context = "tensor '" + printable(info.name) + "': ";
            if (file.m_tensorIndex.count(info.name))
                return fail("duplicate tensor name", infoAt);

            const uint64_t dimsAt = pos;
            if (!readRaw(info.nDims, "the dimension count"))
                return false;
            if (info.nDims == 0 || info.nDims > kMaxDims)
                return fail("dimension count " + std::to_string(info.nDims) + " is outside 1.." + std::to_string(kMaxDims),
                            dimsAt);
            for (uint32_t d = 0; d < info.nDims; ++d) {
                const uint64_t neAt = pos;
                uint64_t raw = 0;
                if (!readRaw(raw, "a dimension"))
                    return false;
                if (raw > static_cast<uint64_t>(INT64_MAX))
                    return fail("dimension " + std::to_string(d) + " is negative (" +
                                    std::to_string(static_cast<int64_t>(raw)) + ")",
                                neAt);
                info.ne[d] = static_cast<int64_t>(raw);
            }

            const uint64_t typeAt = pos;
            uint32_t typeId = 0;
            if (!readRaw(typeId, "the tensor type"))
                return false;
            const quant::TypeTraits* traits = quant::traits(typeId);
            if (!traits)
                return fail("unknown tensor type id " + std::to_string(typeId), typeAt);
            info.type = static_cast<quant::TensorType>(typeId);

            const uint64_t offsetAt = pos;
            if (!readRaw(info.offset, "the tensor data offset"))
                return false;

            // Element count and byte size, overflow-checked.
            int64_t elements = 1;
            for (uint32_t d = 0; d < kMaxDims; ++d) {
                if (__builtin_mul_overflow(elements, info.ne[d], &elements))
                    return fail("element count overflows (shape " + shapeString(info) + ")", dimsAt);
            }
            // Checked on its own: with ne[0] == 0 the element count is 0 whatever the other
            // dimensions are, yet TensorInfo::rows() multiplies them (found by fuzzing).
            int64_t rowCount = 1;
            for (uint32_t d = 1; d < kMaxDims; ++d) {
                if (__builtin_mul_overflow(rowCount, info.ne[d], &rowCount))
                    return fail("row count overflows (shape " + shapeString(info) + ")", dimsAt);
            }
            if (info.ne[0] % traits->blockSize != 0)
                return fail("row length " + std::to_string(info.ne[0]) + " is not a multiple of the " +
                                std::string(traits->name) + " block size " + std::to_string(traits->blockSize),
                            dimsAt);
            const uint64_t rowBytes = static_cast<uint64_t>(info.ne[0] / traits->blockSize) *
                                      static_cast<uint64_t>(traits->typeSize);
            const uint64_t rows = static_cast<uint64_t>(rowCount);
            if (__builtin_mul_overflow(rowBytes, rows, &info.byteSize))
                return fail("byte size overflows (shape " + shapeString(info) + ")", dimsAt);

            file.m_tensorIndex.emplace(info.name, file.m_tensors.size());
            file.m_tensors.push_back(std::move(info));
            m_offsetFieldAt.push_back(offsetAt);
        }
        context.clear();

        // The data section starts at the next multiple of the alignment after the tensor infos.
        uint64_t dataOffset = 0;
        if (__builtin_add_overflow(pos, file.m_alignment - 1, &dataOffset))
            return fail("data section offset overflows", pos);
        file.m_dataOffset = dataOffset & ~(file.m_alignment - 1);
        return true;
    }

    bool validateTensors()
    {
        std::vector<size_t> order;
        order.reserve(file.m_tensors.size());
        for (size_t i = 0; i < file.m_tensors.size(); ++i) {
            const TensorInfo& t = file.m_tensors[i];
            context = "tensor '" + printable(t.name) + "': ";
            const uint64_t at = m_offsetFieldAt[i];
            if (t.offset % file.m_alignment != 0)
                return fail("data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                                std::to_string(file.m_alignment),
                            at);
            uint64_t begin = 0;
            uint64_t end = 0;
            if (__builtin_add_overflow(file.m_dataOffset, t.offset, &begin) ||
                __builtin_add_overflow(begin, t.byteSize, &end))
                return fail("data range overflows (offset " + std::to_string(t.offset) + ", " +
                                std::to_string(t.byteSize) + " bytes)",
                            at);
            if (end > size)
                return fail("data range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                ") ends past the end of the file (size " + std::to_string(size) + ")",
                            at);
            if (t.byteSize > 0)
                order.push_back(i);
        }
        std::sort(order.begin(), order.end(),
                  [&](size_t a, size_t b) { return file.m_tensors[a].offset < file.m_tensors[b].offset; });
        for (size_t k = 1; k < order.size(); ++k) {
            const TensorInfo& prev = file.m_tensors[order[k - 1]];
            const TensorInfo& cur = file.m_tensors[order[k]];
            if (prev.offset + prev.byteSize > cur.offset) {
                context = "tensor '" + printable(cur.name) + "': ";
                return fail("data range [" + std::to_string(cur.offset) + ", " +
                                std::to_string(cur.offset + cur.byteSize) + ") overlaps tensor '" +
                                printable(prev.name) + "' [" + std::to_string(prev.offset) + ", " +
                                std::to_string(prev.offset + prev.byteSize) + ") (offsets relative to the data section)",
                            m_offsetFieldAt[order[k]]);
            }
        }
        context.clear();
        return true;
    }

    static std::string shapeString(const TensorInfo& t)
    {
        std::string s = "[";
        for (uint32_t d = 0; d < t.nDims; ++d) {
            if (d)
                s += ", ";
            s += std::to_string(t.ne[d]);
        }
        return s + "]";
    }

    uint64_t m_tensorCount = 0;
    std::vector<uint64_t> m_keyOffsets;     // where each key starts, for errors about its value
    std::vector<uint64_t> m_offsetFieldAt;  // where each tensor's offset field is
};

Result<std::unique_ptr<GgufFile>> GgufFile::parse(std::unique_ptr<GgufFile> file, const ReadLimits& limits)
{
    // Limits bound every allocation, but a machine can still be short of memory: report it as a
    // value instead of letting bad_alloc escape the library.
    try {
        Parser parser(file->m_base, file->m_size, limits, *file);
        Result<void> r = parser.parse();
        if (!r.ok())
            return r.error();
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while reading the GGUF metadata");
    } catch (const std::length_error&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while reading the GGUF metadata");
    }
    return file;
}

Result<std::unique_ptr<GgufFile>> GgufFile::fromMemory(std::span<const uint8_t> bytes, const ReadLimits& limits)
{
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->m_base = bytes.data();
    file->m_size = bytes.size();
    return parse(std::move(file), limits);
}

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::string& path, const ReadLimits& limits)
{
    // O_NONBLOCK: opening a FIFO or a device must not wait for a writer (`info` never hangs);
    // anything but a regular file is refused right after.
    FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0)
        return makeError(ErrorCode::Io, "cannot open '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return makeError(ErrorCode::Io, "cannot stat '" + path + "': " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::Io, "'" + path + "' is not a regular file");
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size < 4)
        return makeError(ErrorCode::InvalidFile,
                         "file is too small to be a GGUF file (" + std::to_string(size) + " bytes) (at byte 0)");

    void* mapping = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (mapping == MAP_FAILED)
        return makeError(ErrorCode::Io, "cannot map '" + path + "': " + std::strerror(errno));
    // The descriptor closes when fd goes out of scope; the mapping keeps the file alive.

    std::unique_ptr<GgufFile> file(new GgufFile());
    file->m_path = path;
    file->m_mapping = mapping; // owned from here on: the destructor unmaps it
    file->m_base = static_cast<const uint8_t*>(mapping);
    file->m_size = size;
    return parse(std::move(file), limits);
}

GgufFile::~GgufFile()
{
    if (m_mapping)
        ::munmap(m_mapping, static_cast<size_t>(m_size));
}

const Value* GgufFile::find(std::string_view key) const
{
    const auto it = m_metadataIndex.find(key);
    return it == m_metadataIndex.end() ? nullptr : &m_metadata[it->second].second;
}

std::optional<int64_t> GgufFile::getInt(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->toInt() : std::nullopt;
}

std::optional<double> GgufFile::getDouble(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->toDouble() : std::nullopt;
}

std::optional<bool> GgufFile::getBool(std::string_view key) const
{
    const Value* v = find(key);
    return v ? v->toBool() : std::nullopt;
}

std::optional<std::string> GgufFile::getString(std::string_view key) const
{
    const Value* v = find(key);
    if (!v || !v->asString())
        return std::nullopt;
    return *v->asString();
}

std::optional<std::vector<std::string>> GgufFile::getStringArray(std::string_view key) const
{
    const Value* v = find(key);
    if (!v || !v->isArray() || v->elementType() != ValueType::String)
        return std::nullopt;
    std::vector<std::string> out;
    out.reserve(v->size());
    for (const Value& item : v->items())
        out.push_back(*item.asString());
    return out;
}

std::optional<std::vector<float>> GgufFile::getFloatArray(std::string_view key) const
{
    const Value* v = find(key);
    if (!v || !v->isArray())
        return std::nullopt;
    std::vector<float> out;
    out.reserve(v->size());
    for (const Value& item : v->items()) {
        const std::optional<double> d = item.toDouble();
        if (!d)
            return std::nullopt;
        out.push_back(static_cast<float>(*d));
    }
    return out;
}

std::optional<std::vector<int64_t>> GgufFile::getIntArray(std::string_view key) const
{
    const Value* v = find(key);
    if (!v || !v->isArray())
        return std::nullopt;
    std::vector<int64_t> out;
    out.reserve(v->size());
    for (const Value& item : v->items()) {
        const std::optional<int64_t> i = item.toInt();
        if (!i)
            return std::nullopt;
        out.push_back(*i);
    }
    return out;
}

std::string GgufFile::architecture() const
{
    return getString("general.architecture").value_or(std::string());
}

const TensorInfo* GgufFile::findTensor(std::string_view name) const
{
    const auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

TensorView GgufFile::tensor(const TensorInfo& info) const
{
    return TensorView{&info, m_base + m_dataOffset + info.offset};
}

std::optional<TensorView> GgufFile::tensor(std::string_view name) const
{
    const TensorInfo* info = findTensor(name);
    if (!info)
        return std::nullopt;
    return tensor(*info);
}

uint64_t GgufFile::tensorDataSize() const
{
    uint64_t total = 0;
    for (const TensorInfo& t : m_tensors)
        total += t.byteSize;
    return total;
}

} // namespace engine::gguf
