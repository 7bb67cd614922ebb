#include "gguf/GgufWriter.h"

#include "gguf/GgufFile.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <unistd.h>

namespace engine::gguf {
namespace {

constexpr uint64_t kDefaultAlignment = 32;
constexpr uint32_t kVersion = 3;

void putRaw(std::vector<uint8_t>& out, const void* p, size_t n)
{
    // resize + memcpy rather than insert(): GCC 12's -Wstringop-overflow misfires on the
    // inlined insert of a few bytes.
    const size_t at = out.size();
    out.resize(at + n);
    if (n > 0)
        std::memcpy(out.data() + at, p, n);
}

template <typename T>
void put(std::vector<uint8_t>& out, T v)
{
    putRaw(out, &v, sizeof v);
}

void putString(std::vector<uint8_t>& out, const std::string& s)
{
    put<uint64_t>(out, s.size());
    putRaw(out, s.data(), s.size());
}

void putValueBody(std::vector<uint8_t>& out, const Value& v)
{
    switch (v.type()) {
    case ValueType::UInt8: put<uint8_t>(out, static_cast<uint8_t>(*v.toInt())); break;
    case ValueType::Int8: put<int8_t>(out, static_cast<int8_t>(*v.toInt())); break;
    case ValueType::UInt16: put<uint16_t>(out, static_cast<uint16_t>(*v.toInt())); break;
    case ValueType::Int16: put<int16_t>(out, static_cast<int16_t>(*v.toInt())); break;
    case ValueType::UInt32: put<uint32_t>(out, static_cast<uint32_t>(*v.toInt())); break;
    case ValueType::Int32: put<int32_t>(out, static_cast<int32_t>(*v.toInt())); break;
    case ValueType::Int64: put<int64_t>(out, *v.toInt()); break;
    case ValueType::UInt64: put<uint64_t>(out, *v.toUInt()); break;
    case ValueType::Float32: put<float>(out, static_cast<float>(*v.toDouble())); break;
    case ValueType::Float64: put<double>(out, *v.toDouble()); break;
    case ValueType::Bool: put<uint8_t>(out, *v.toBool() ? 1 : 0); break;
    case ValueType::String: putString(out, *v.asString()); break;
    case ValueType::Array:
        put<uint32_t>(out, static_cast<uint32_t>(v.elementType()));
        put<uint64_t>(out, v.size());
        for (const Value& item : v.items())
            putValueBody(out, item);
        break;
    }
}

uint64_t alignUp(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

} // namespace

void GgufWriter::setValue(const std::string& key, Value value)
{
    for (auto& [k, v] : m_metadata) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    m_metadata.emplace_back(key, std::move(value));
}

uint64_t GgufWriter::alignment() const
{
    for (const auto& [k, v] : m_metadata) {
        if (k == "general.alignment") {
            const std::optional<int64_t> a = v.toInt();
            if (v.type() != ValueType::Bool && a && *a > 0 && std::has_single_bit(static_cast<uint64_t>(*a)))
                return static_cast<uint64_t>(*a);
        }
    }
    return kDefaultAlignment;
}

Result<uint64_t> GgufWriter::checkTensor(const std::string& name, quant::TensorType type,
                                         const std::vector<int64_t>& shape) const
{
    const auto bad = [&](const std::string& what) {
        return makeError(ErrorCode::InvalidArgument, "tensor '" + name + "': " + what);
    };
    if (name.empty())
        return makeError(ErrorCode::InvalidArgument, "tensor name is empty");
    for (const PendingTensor& t : m_tensors) {
        if (t.name == name)
            return bad("added twice");
    }
    const quant::TypeTraits* traits = quant::traits(static_cast<uint32_t>(type));
    if (!traits)
        return bad("unknown tensor type id " + std::to_string(static_cast<uint32_t>(type)));
    if (shape.empty() || shape.size() > kMaxDims)
        return bad(std::to_string(shape.size()) + " dimensions (must be 1.." + std::to_string(kMaxDims) + ")");
    int64_t elements = 1;
    for (const int64_t ne : shape) {
        if (ne < 0)
            return bad("negative dimension " + std::to_string(ne));
        if (__builtin_mul_overflow(elements, ne, &elements))
            return bad("element count overflows");
    }
    const std::optional<uint64_t> row = quant::rowBytes(type, shape[0]);
    if (!row)
        return bad("row length " + std::to_string(shape[0]) + " is not a multiple of the " + std::string(traits->name) +
                   " block size " + std::to_string(traits->blockSize));
    const uint64_t rows = shape[0] == 0 ? 0 : static_cast<uint64_t>(elements / shape[0]);
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(*row, rows, &bytes))
        return bad("byte size overflows");
    // With ne[0] == 0 the other dimensions still count for nothing: the tensor is empty.
    return bytes;
}

Result<void> GgufWriter::addTensor(const std::string& name, quant::TensorType type, std::vector<int64_t> shape,
                                   std::span<const uint8_t> data)
{
    Result<uint64_t> bytes = checkTensor(name, type, shape);
    if (!bytes.ok())
        return bytes.error();
    if (data.size() != *bytes)
        return makeError(ErrorCode::InvalidArgument, "tensor '" + name + "': " + std::to_string(data.size()) +
                                                         " bytes of data given, its type and shape need " +
                                                         std::to_string(*bytes));
    PendingTensor t;
    t.name = name;
    t.type = type;
    t.shape = std::move(shape);
    t.data.assign(data.begin(), data.end());
    t.byteSize = *bytes;
    m_tensors.push_back(std::move(t));
    return {};
}

Result<void> GgufWriter::addTensorF32(const std::string& name, std::vector<int64_t> shape, std::span<const float> data)
{
    return addTensor(name, quant::TensorType::F32, std::move(shape),
                     std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size_bytes()));
}

Result<uint64_t> GgufWriter::addTensorDeferred(const std::string& name, quant::TensorType type,
                                               std::vector<int64_t> shape, TensorFill fill)
{
    Result<uint64_t> bytes = checkTensor(name, type, shape);
    if (!bytes.ok())
        return bytes.error();
    if (!fill)
        return makeError(ErrorCode::InvalidArgument, "tensor '" + name + "': no fill function");
    PendingTensor t;
    t.name = name;
    t.type = type;
    t.shape = std::move(shape);
    t.byteSize = *bytes;
    t.fill = std::move(fill);
    m_tensors.push_back(std::move(t));
    return *bytes;
}

Result<void> GgufWriter::serialize(const Sink& sink) const
{
    for (const auto& [k, v] : m_metadata) {
        if (k == "general.alignment") {
            const std::optional<int64_t> a = v.toInt();
            if (v.type() == ValueType::Bool || !a || *a <= 0 || !std::has_single_bit(static_cast<uint64_t>(*a)))
                return makeError(ErrorCode::InvalidArgument,
                                 "general.alignment must be a nonzero power of two, not " + v.toDisplayString());
        }
    }
    const uint64_t align = alignment();

    std::vector<uint8_t> header;
    putRaw(header, "GGUF", 4);
    put<uint32_t>(header, kVersion);
    put<uint64_t>(header, m_tensors.size());
    put<uint64_t>(header, m_metadata.size());
    for (const auto& [key, value] : m_metadata) {
        putString(header, key);
        put<uint32_t>(header, static_cast<uint32_t>(value.type()));
        putValueBody(header, value);
    }
    uint64_t offset = 0;
    for (const PendingTensor& t : m_tensors) {
        putString(header, t.name);
        put<uint32_t>(header, static_cast<uint32_t>(t.shape.size()));
        for (const int64_t ne : t.shape)
            put<int64_t>(header, ne);
        put<uint32_t>(header, static_cast<uint32_t>(t.type));
        put<uint64_t>(header, offset);
        offset = alignUp(offset + t.byteSize, align);
    }
    header.resize(alignUp(header.size(), align), 0);
    if (Result<void> r = sink(header.data(), header.size()); !r.ok())
        return r;

    static const uint8_t zeros[256] = {};
    std::vector<uint8_t> scratch; // reused by deferred tensors
    for (const PendingTensor& t : m_tensors) {
        if (t.fill) {
            scratch.resize(static_cast<size_t>(t.byteSize));
            if (Result<void> r = t.fill(std::span<uint8_t>(scratch.data(), scratch.size())); !r.ok())
                return r;
            if (Result<void> r = sink(scratch.data(), scratch.size()); !r.ok())
                return r;
        } else if (Result<void> r = sink(t.data.data(), t.data.size()); !r.ok()) {
            return r;
        }
        uint64_t pad = alignUp(t.byteSize, align) - t.byteSize;
        while (pad > 0) {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(pad, sizeof zeros));
            if (Result<void> r = sink(zeros, n); !r.ok())
                return r;
            pad -= n;
        }
    }
    return {};
}

Result<std::vector<uint8_t>> GgufWriter::toBytesChecked() const
{
    std::vector<uint8_t> out;
    try {
        Result<void> r = serialize([&](const uint8_t* data, size_t size) -> Result<void> {
            out.insert(out.end(), data, data + size);
            return {};
        });
        if (!r.ok())
            return r.error();
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while building a GGUF image");
    }
    return out;
}

std::vector<uint8_t> GgufWriter::toBytes() const
{
    Result<std::vector<uint8_t>> r = toBytesChecked();
    return r.ok() ? std::move(r).value() : std::vector<uint8_t>();
}

Result<void> GgufWriter::write(const std::string& path) const
{
    const std::string partPath = path + ".part";
    std::FILE* f = std::fopen(partPath.c_str(), "wbe");
    if (!f)
        return makeError(ErrorCode::Io, "cannot create '" + partPath + "': " + std::strerror(errno));
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);

    uint64_t written = 0;
    Result<void> r = serialize([&](const uint8_t* data, size_t size) -> Result<void> {
        if (size > 0 && std::fwrite(data, 1, size, f) != size)
            return makeError(ErrorCode::Io, "cannot write '" + partPath + "' at byte " + std::to_string(written) + ": " +
                                                std::strerror(errno));
        written += size;
        return {};
    });
    // Flush and sync before the rename, so the real name only ever points at a complete file.
    if (r.ok() && (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0))
        r = makeError(ErrorCode::Io, "cannot write '" + partPath + "': " + std::strerror(errno));
    if (std::fclose(f) != 0 && r.ok())
        r = makeError(ErrorCode::Io, "cannot close '" + partPath + "': " + std::strerror(errno));
    if (r.ok() && std::rename(partPath.c_str(), path.c_str()) != 0)
        r = makeError(ErrorCode::Io, "cannot rename '" + partPath + "' to '" + path + "': " + std::strerror(errno));
    if (!r.ok())
        std::remove(partPath.c_str());
    return r;
}

} // namespace engine::gguf
