#include "gguf/GgufValue.h"

#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace engine::gguf {
namespace {

const std::vector<Value>& emptyItems()
{
    static const std::vector<Value> empty;
    return empty;
}

bool isUnsigned(ValueType t)
{
    return t == ValueType::UInt8 || t == ValueType::UInt16 || t == ValueType::UInt32 || t == ValueType::UInt64;
}

bool isSigned(ValueType t)
{
    return t == ValueType::Int8 || t == ValueType::Int16 || t == ValueType::Int32 || t == ValueType::Int64;
}

bool isFloat(ValueType t)
{
    return t == ValueType::Float32 || t == ValueType::Float64;
}

// Strings in metadata are arbitrary bytes (tokens, templates); the display form keeps them on
// one line so `info` output stays one entry per line.
void appendQuoted(std::string& out, const std::string& s, size_t maxChars)
{
    out += '"';
    size_t n = 0;
    for (const char c : s) {
        if (n++ == maxChars) {
            out += "...";
            break;
        }
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

// The shortest text that reads back as the same value (1e-05, not 9.99999975e-06), in plain
// notation for the magnitudes hyperparameters have (500000, not 5e+05).
template <typename F>
std::string shortestFloatText(F v)
{
    char buf[64];
    const F mag = v < 0 ? -v : v;
    const bool plain = mag == 0 || (mag >= F(1e-3) && mag < F(1e15));
    const auto r = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

} // namespace

std::string_view valueTypeName(ValueType type)
{
    switch (type) {
    case ValueType::UInt8: return "u8";
    case ValueType::Int8: return "i8";
    case ValueType::UInt16: return "u16";
    case ValueType::Int16: return "i16";
    case ValueType::UInt32: return "u32";
    case ValueType::Int32: return "i32";
    case ValueType::Float32: return "f32";
    case ValueType::Bool: return "bool";
    case ValueType::String: return "string";
    case ValueType::Array: return "array";
    case ValueType::UInt64: return "u64";
    case ValueType::Int64: return "i64";
    case ValueType::Float64: return "f64";
    }
    return "unknown";
}

Value::Value() = default;

Value Value::u8(uint8_t v) { Value r; r.m_type = ValueType::UInt8; r.m_bits = v; return r; }
Value Value::i8(int8_t v) { Value r; r.m_type = ValueType::Int8; r.m_bits = static_cast<uint64_t>(static_cast<int64_t>(v)); return r; }
Value Value::u16(uint16_t v) { Value r; r.m_type = ValueType::UInt16; r.m_bits = v; return r; }
Value Value::i16(int16_t v) { Value r; r.m_type = ValueType::Int16; r.m_bits = static_cast<uint64_t>(static_cast<int64_t>(v)); return r; }
Value Value::u32(uint32_t v) { Value r; r.m_type = ValueType::UInt32; r.m_bits = v; return r; }
Value Value::i32(int32_t v) { Value r; r.m_type = ValueType::Int32; r.m_bits = static_cast<uint64_t>(static_cast<int64_t>(v)); return r; }
Value Value::u64(uint64_t v) { Value r; r.m_type = ValueType::UInt64; r.m_bits = v; return r; }
Value Value::i64(int64_t v) { Value r; r.m_type = ValueType::Int64; r.m_bits = static_cast<uint64_t>(v); return r; }
Value Value::f32(float v) { Value r; r.m_type = ValueType::Float32; r.m_bits = std::bit_cast<uint64_t>(static_cast<double>(v)); return r; }
Value Value::f64(double v) { Value r; r.m_type = ValueType::Float64; r.m_bits = std::bit_cast<uint64_t>(v); return r; }
Value Value::boolean(bool v) { Value r; r.m_type = ValueType::Bool; r.m_bits = v ? 1 : 0; return r; }

Value Value::string(std::string v)
{
    Value r;
    r.m_type = ValueType::String;
    r.m_string = std::move(v);
    return r;
}

Value Value::array(ValueType elementType, std::vector<Value> items)
{
#ifndef NDEBUG
    for (const Value& item : items)
        assert(item.type() == elementType && "array items must all have the element type");
#endif
    Value r;
    r.m_type = ValueType::Array;
    r.m_elementType = elementType;
    r.m_items = std::make_shared<const std::vector<Value>>(std::move(items));
    return r;
}

Value Value::stringArray(const std::vector<std::string>& items)
{
    std::vector<Value> values;
    values.reserve(items.size());
    for (const std::string& s : items)
        values.push_back(string(s));
    return array(ValueType::String, std::move(values));
}

Value Value::floatArray(const std::vector<float>& items)
{
    std::vector<Value> values;
    values.reserve(items.size());
    for (const float f : items)
        values.push_back(f32(f));
    return array(ValueType::Float32, std::move(values));
}

Value Value::int32Array(const std::vector<int32_t>& items)
{
    std::vector<Value> values;
    values.reserve(items.size());
    for (const int32_t i : items)
        values.push_back(i32(i));
    return array(ValueType::Int32, std::move(values));
}

std::optional<int64_t> Value::toInt() const
{
    if (m_type == ValueType::Bool || isSigned(m_type))
        return static_cast<int64_t>(m_bits);
    if (isUnsigned(m_type)) {
        if (m_bits > static_cast<uint64_t>(INT64_MAX))
            return std::nullopt;
        return static_cast<int64_t>(m_bits);
    }
    return std::nullopt;
}

std::optional<uint64_t> Value::toUInt() const
{
    if (isUnsigned(m_type))
        return m_bits;
    if (isSigned(m_type) && static_cast<int64_t>(m_bits) >= 0)
        return m_bits;
    return std::nullopt;
}

std::optional<double> Value::toDouble() const
{
    if (isFloat(m_type))
        return std::bit_cast<double>(m_bits);
    if (isSigned(m_type))
        return static_cast<double>(static_cast<int64_t>(m_bits));
    if (isUnsigned(m_type))
        return static_cast<double>(m_bits);
    return std::nullopt;
}

std::optional<bool> Value::toBool() const
{
    if (m_type == ValueType::Bool)
        return m_bits != 0;
    return std::nullopt;
}

const std::string* Value::asString() const
{
    return m_type == ValueType::String ? &m_string : nullptr;
}

const std::vector<Value>& Value::items() const
{
    return m_items ? *m_items : emptyItems();
}

std::string Value::toDisplayString(size_t maxItems) const
{
    std::string out;
    switch (m_type) {
    case ValueType::String:
        appendQuoted(out, m_string, 200);
        return out;
    case ValueType::Bool:
        return m_bits ? "true" : "false";
    case ValueType::Float32:
        return shortestFloatText(static_cast<float>(std::bit_cast<double>(m_bits)));
    case ValueType::Float64:
        return shortestFloatText(std::bit_cast<double>(m_bits));
    case ValueType::Array: {
        const std::vector<Value>& list = items();
        out += '[';
        for (size_t i = 0; i < list.size() && i < maxItems; ++i) {
            if (i)
                out += ", ";
            out += list[i].toDisplayString(maxItems);
        }
        if (list.size() > maxItems)
            out += ", ... (" + std::to_string(list.size()) + " items)";
        out += ']';
        return out;
    }
    default:
        if (isSigned(m_type))
            return std::to_string(static_cast<int64_t>(m_bits));
        return std::to_string(m_bits);
    }
}

bool Value::operator==(const Value& other) const
{
    if (m_type != other.m_type)
        return false;
    switch (m_type) {
    case ValueType::String:
        return m_string == other.m_string;
    case ValueType::Array:
        return m_elementType == other.m_elementType && items() == other.items();
    default:
        // Bit-wise, so a NaN read back from a file equals the NaN that was written.
        return m_bits == other.m_bits;
    }
}

} // namespace engine::gguf
