#pragma once
// A GGUF metadata value: one of the 13 GGUF value types, arrays (possibly nested) included.
// Values own their data (strings are copied out of the mapping): metadata is small next to
// tensors, and owning values let the writer and the reader share one type.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::gguf {

enum class ValueType : uint32_t {
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6,
    Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};
constexpr uint32_t kValueTypeCount = 13;

std::string_view valueTypeName(ValueType type);

class Value {
public:
    Value(); // UInt8 0

    static Value u8(uint8_t v);
    static Value i8(int8_t v);
    static Value u16(uint16_t v);
    static Value i16(int16_t v);
    static Value u32(uint32_t v);
    static Value i32(int32_t v);
    static Value f32(float v);
    static Value boolean(bool v);
    static Value string(std::string v);
    static Value u64(uint64_t v);
    static Value i64(int64_t v);
    static Value f64(double v);
    // elementType is needed for empty arrays; every item must have that type.
    static Value array(ValueType elementType, std::vector<Value> items);
    static Value stringArray(const std::vector<std::string>& items);
    static Value floatArray(const std::vector<float>& items);
    static Value int32Array(const std::vector<int32_t>& items);

    ValueType type() const { return m_type; }
    bool isArray() const { return m_type == ValueType::Array; }
    bool isString() const { return m_type == ValueType::String; }

    // Any integer type (or bool), if the value fits in int64_t.
    std::optional<int64_t> toInt() const;
    // Any unsigned integer type, or a signed one holding a value >= 0 (u64 values above
    // INT64_MAX need this instead of toInt()).
    std::optional<uint64_t> toUInt() const;
    // Any integer or float type.
    std::optional<double> toDouble() const;
    std::optional<bool> toBool() const;
    // nullptr unless this is a String.
    const std::string* asString() const;

    // Arrays. elementType()/items() are only meaningful when isArray().
    ValueType elementType() const { return m_elementType; }
    const std::vector<Value>& items() const;
    size_t size() const { return items().size(); }

    // Human-readable rendering for `inkstone-cli info`; long arrays are abbreviated.
    std::string toDisplayString(size_t maxItems = 8) const;

    bool operator==(const Value& other) const;

private:
    ValueType m_type = ValueType::UInt8;
    ValueType m_elementType = ValueType::UInt8;
    uint64_t m_bits = 0;        // integers, bool, float (as double) stored bit-wise per m_type
    std::string m_string;
    std::shared_ptr<const std::vector<Value>> m_items;
};

} // namespace engine::gguf
