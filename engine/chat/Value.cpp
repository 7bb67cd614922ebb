#include "chat/Value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace engine::chat {

Value Value::undefined(std::string hint)
{
    Value v;
    if (!hint.empty())
        v.m_str = std::make_shared<const std::string>(std::move(hint));
    return v;
}

Value Value::none()
{
    Value v;
    v.m_kind = Kind::None;
    return v;
}

Value Value::boolean(bool b)
{
    Value v;
    v.m_kind = Kind::Bool;
    v.m_int = b ? 1 : 0;
    return v;
}

Value Value::integer(int64_t i)
{
    Value v;
    v.m_kind = Kind::Int;
    v.m_int = i;
    return v;
}

Value Value::number(double d)
{
    Value v;
    v.m_kind = Kind::Float;
    v.m_float = d;
    return v;
}

Value Value::string(std::string s)
{
    Value v;
    v.m_kind = Kind::String;
    v.m_str = std::make_shared<const std::string>(std::move(s));
    return v;
}

Value Value::list(ValueList items)
{
    Value v;
    v.m_kind = Kind::List;
    v.m_list = std::make_shared<const ValueList>(std::move(items));
    return v;
}

Value Value::tuple(ValueList items)
{
    Value v = list(std::move(items));
    v.m_int = 1;
    return v;
}

Value Value::generator(ValueList items)
{
    Value v = list(std::move(items));
    v.m_int = 2;
    return v;
}

Value Value::markup(std::string s)
{
    Value v = string(std::move(s));
    v.m_int = 1;
    return v;
}

Value Value::dict(ValueDict items)
{
    Value v;
    v.m_kind = Kind::Dict;
    v.m_dict = std::make_shared<ValueDict>(std::move(items));
    return v;
}

Value Value::makeNamespace(ValueDict items)
{
    Value v = dict(std::move(items));
    v.m_kind = Kind::Namespace;
    return v;
}

Value Value::callable(std::string name, NativeFunction fn)
{
    Value v;
    v.m_kind = Kind::Callable;
    v.m_str = std::make_shared<const std::string>(std::move(name));
    v.m_fn = std::make_shared<const NativeFunction>(std::move(fn));
    return v;
}

double Value::asDouble() const
{
    return m_kind == Kind::Float ? m_float : static_cast<double>(m_int);
}

bool Value::truthy() const
{
    switch (m_kind) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool:
    case Kind::Int: return m_int != 0;
    case Kind::Float: return m_float != 0.0;
    case Kind::String: return !m_str->empty();
    case Kind::List: return m_int == 2 || !m_list->empty(); // a generator object is always true
    case Kind::Dict: return !m_dict->empty();
    case Kind::Namespace:
    case Kind::Callable: return true;
    }
    return false;
}

const char* Value::typeName() const
{
    switch (m_kind) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return m_int == 2 ? "generator" : m_int == 1 ? "tuple" : "list";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Callable: return "function";
    }
    return "object";
}

const Value* Value::find(const Value& key) const
{
    if (!m_dict)
        return nullptr;
    for (const auto& [k, v] : *m_dict)
        if (valuesEqual(k, key))
            return &v;
    return nullptr;
}

const Value* Value::find(std::string_view key) const
{
    if (!m_dict)
        return nullptr;
    for (const auto& [k, v] : *m_dict)
        if (k.isString() && k.asString() == key)
            return &v;
    return nullptr;
}

const Value* CallArgs::get(size_t index, std::string_view name) const
{
    if (index < positional.size())
        return &positional[index];
    return named_(name);
}

const Value* CallArgs::named_(std::string_view name) const
{
    for (const auto& [k, v] : named)
        if (k == name)
            return &v;
    return nullptr;
}

bool valuesEqual(const Value& a, const Value& b)
{
    if (a.isNumber() && b.isNumber()) {
        if (a.isFloat() || b.isFloat())
            return a.asDouble() == b.asDouble();
        return a.asInt() == b.asInt();
    }
    if (a.kind() != b.kind())
        return false;
    switch (a.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return true;
    case Value::Kind::String: return a.asString() == b.asString();
    case Value::Kind::List: {
        if (a.isGenerator() || b.isGenerator()) // a generator only equals itself
            return &a.asList() == &b.asList();
        const auto& x = a.asList();
        const auto& y = b.asList();
        if (x.size() != y.size())
            return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (!valuesEqual(x[i], y[i]))
                return false;
        return true;
    }
    case Value::Kind::Dict: {
        const auto& x = a.asDict();
        if (x.size() != b.asDict().size())
            return false;
        for (const auto& [k, v] : x) {
            const Value* other = b.find(k);
            if (!other || !valuesEqual(v, *other))
                return false;
        }
        return true;
    }
    case Value::Kind::Namespace: return &a.asDict() == &b.asDict();
    case Value::Kind::Callable: return &a.function() == &b.function();
    default: return false;
    }
}

std::string formatPythonFloat(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d < 0 ? "-inf" : "inf";
    // Shortest round-trip digits, then laid out the way Python's repr does: positional for
    // exponents in [-4, 16), scientific otherwise, always with a ".0" or an exponent.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    const size_t ePos = sci.find('e');
    std::string mant = sci.substr(0, ePos);
    const int exp = std::stoi(sci.substr(ePos + 1));
    bool neg = false;
    if (!mant.empty() && mant[0] == '-') {
        neg = true;
        mant.erase(0, 1);
    }
    std::string digits;
    for (char c : mant)
        if (c != '.')
            digits += c;
    std::string out;
    if (neg)
        out.push_back('-');
    const int n = static_cast<int>(digits.size());
    if (exp >= -4 && exp < 16) {
        if (exp >= 0) {
            if (exp + 1 >= n) {
                out.append(digits);
                out.append(static_cast<size_t>(exp + 1 - n), '0');
                out.append(".0");
            } else {
                out.append(digits, 0, static_cast<size_t>(exp + 1));
                out.push_back('.');
                out.append(digits, static_cast<size_t>(exp + 1), std::string::npos);
            }
        } else {
            out.append("0.");
            out.append(static_cast<size_t>(-exp - 1), '0');
            out.append(digits);
        }
    } else {
        out.push_back(digits[0]);
        if (n > 1) {
            out.push_back('.');
            out.append(digits, 1, std::string::npos);
        }
        char e[16];
        std::snprintf(e, sizeof e, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        out.append(e);
    }
    return out;
}

static std::string reprString(const std::string& s)
{
    // Python prefers single quotes, switching to double quotes when the text has a ' but no ".
    const bool hasSingle = s.find('\'') != std::string::npos;
    const bool hasDouble = s.find('"') != std::string::npos;
    const char q = (hasSingle && !hasDouble) ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c == static_cast<unsigned char>(q)) {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20 || c == 0x7f) {
                char b[8];
                std::snprintf(b, sizeof b, "\\x%02x", c);
                out += b;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += q;
    return out;
}

std::string toPythonRepr(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::String: return reprString(v.asString());
    case Value::Kind::Undefined: return "Undefined";
    case Value::Kind::List: {
        if (v.isGenerator())
            return "<generator object>";
        std::string out = v.isTuple() ? "(" : "[";
        bool first = true;
        for (const auto& item : v.asList()) {
            if (!first)
                out += ", ";
            first = false;
            out += toPythonRepr(item);
        }
        if (v.isTuple())
            return out + (v.asList().size() == 1 ? ",)" : ")");
        return out + "]";
    }
    case Value::Kind::Dict: {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, item] : v.asDict()) {
            if (!first)
                out += ", ";
            first = false;
            out += toPythonRepr(k) + ": " + toPythonRepr(item);
        }
        return out + "}";
    }
    default: return toPythonStr(v);
    }
}

std::string toPythonStr(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return v.asBool() ? "True" : "False";
    case Value::Kind::Int: return std::to_string(v.asInt());
    case Value::Kind::Float: return formatPythonFloat(v.asDouble());
    case Value::Kind::String: return v.asString();
    case Value::Kind::Namespace: return "<Namespace " + toPythonRepr(Value::dict(v.asDict())).substr(0) + ">";
    case Value::Kind::Callable: return "<function " + v.callableName() + ">";
    default: return toPythonRepr(v);
    }
}

size_t utf8Length(std::string_view s)
{
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

std::vector<size_t> utf8Offsets(std::string_view s)
{
    std::vector<size_t> out;
    out.reserve(s.size() + 1);
    for (size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
            out.push_back(i);
    out.push_back(s.size());
    return out;
}

} // namespace engine::chat
