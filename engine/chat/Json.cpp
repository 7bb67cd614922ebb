#include "chat/Json.h"

#include "chat/PyString.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace engine::chat {
namespace {

struct JsonWriter {
    const JsonOptions& opt;
    std::string out;
    std::string error;
    int depth = 0;

    void string(const std::string& s)
    {
        out += '"';
        const std::u32string u = opt.ensureAscii ? py::decode(s) : std::u32string();
        auto escapeCp = [&](char32_t c) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        };
        auto one = [&](char32_t c, const char* raw, size_t rawLen) {
            switch (c) {
            case '"': out += "\\\""; return;
            case '\\': out += "\\\\"; return;
            case '\n': out += "\\n"; return;
            case '\r': out += "\\r"; return;
            case '\t': out += "\\t"; return;
            case '\b': out += "\\b"; return;
            case '\f': out += "\\f"; return;
            default: break;
            }
            if (c < 0x20) {
                escapeCp(c);
            } else if (opt.ensureAscii && c > 0x7E) {
                if (c >= 0x10000) {
                    const char32_t v = c - 0x10000;
                    escapeCp(0xD800 + (v >> 10));
                    escapeCp(0xDC00 + (v & 0x3FF));
                } else {
                    escapeCp(c);
                }
            } else {
                out.append(raw, rawLen);
            }
        };
        if (opt.ensureAscii) {
            for (char32_t c : u) {
                std::string raw;
                py::appendUtf8(raw, c);
                one(c, raw.data(), raw.size());
            }
        } else {
            for (size_t i = 0; i < s.size(); ++i) {
                const unsigned char c = static_cast<unsigned char>(s[i]);
                one(c < 0x80 ? c : 0x80, &s[i], 1);
            }
        }
        out += '"';
    }

    void newline()
    {
        out += '\n';
        for (int i = 0; i < depth; ++i)
            out += *opt.indent;
    }

    bool keyText(const Value& k, std::string& text)
    {
        switch (k.kind()) {
        case Value::Kind::String: text = k.asString(); return true;
        case Value::Kind::Int: text = std::to_string(k.asInt()); return true;
        case Value::Kind::Float: text = number(k.asDouble()); return true;
        case Value::Kind::Bool: text = k.asBool() ? "true" : "false"; return true;
        case Value::Kind::None: text = "null"; return true;
        default:
            error = std::string("keys must be str, int, float, bool or None, not ") + k.typeName();
            return false;
        }
    }

    static std::string number(double d)
    {
        if (std::isnan(d))
            return "NaN";
        if (std::isinf(d))
            return d < 0 ? "-Infinity" : "Infinity";
        return formatPythonFloat(d);
    }

    bool value(const Value& v)
    {
        if (depth > 512) {
            error = "value nests too deeply for JSON";
            return false;
        }
        switch (v.kind()) {
        case Value::Kind::None: out += "null"; return true;
        case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return true;
        case Value::Kind::Int: out += std::to_string(v.asInt()); return true;
        case Value::Kind::Float: out += number(v.asDouble()); return true;
        case Value::Kind::String: string(v.asString()); return true;
        case Value::Kind::List: {
            if (v.isGenerator()) {
                error = "Object of type generator is not JSON serializable";
                return false;
            }
            const auto& items = v.asList();
            if (items.empty()) {
                out += "[]";
                return true;
            }
            out += '[';
            ++depth;
            for (size_t i = 0; i < items.size(); ++i) {
                if (i > 0)
                    out += opt.itemSeparator;
                if (opt.indent)
                    newline();
                if (!value(items[i]))
                    return false;
            }
            --depth;
            if (opt.indent)
                newline();
            out += ']';
            return true;
        }
        case Value::Kind::Dict: {
            const auto& dict = v.asDict();
            if (dict.empty()) {
                out += "{}";
                return true;
            }
            std::vector<std::pair<std::string, const Value*>> entries;
            for (const auto& [k, item] : dict) {
                std::string text;
                if (!keyText(k, text))
                    return false;
                entries.emplace_back(std::move(text), &item);
            }
            if (opt.sortKeys)
                std::stable_sort(entries.begin(), entries.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
            out += '{';
            ++depth;
            for (size_t i = 0; i < entries.size(); ++i) {
                if (i > 0)
                    out += opt.itemSeparator;
                if (opt.indent)
                    newline();
                string(entries[i].first);
                out += opt.keySeparator;
                if (!value(*entries[i].second))
                    return false;
            }
            --depth;
            if (opt.indent)
                newline();
            out += '}';
            return true;
        }
        default:
            error = std::string("Object of type ") + v.typeName() + " is not JSON serializable";
            return false;
        }
    }
};

class JsonReader {
public:
    explicit JsonReader(std::string_view text) : m_s(text) {}

    Result<Value> run()
    {
        Value v;
        if (!value(v, 0))
            return fail();
        skipWs();
        if (m_pos != m_s.size()) {
            m_error = "unexpected data after the JSON value";
            return fail();
        }
        return v;
    }

private:
    Error fail() const
    {
        int line = 1, col = 1;
        for (size_t i = 0; i < m_pos && i < m_s.size(); ++i) {
            if (m_s[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return makeError(ErrorCode::InvalidArgument,
                         "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + m_error);
    }

    void skipWs()
    {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }

    bool literal(std::string_view word)
    {
        if (m_s.substr(m_pos, word.size()) != word) {
            m_error = "unexpected character";
            return false;
        }
        m_pos += word.size();
        return true;
    }

    bool value(Value& out, int depth)
    {
        if (depth > 256) {
            m_error = "nesting deeper than 256 levels";
            return false;
        }
        skipWs();
        if (m_pos >= m_s.size()) {
            m_error = "unexpected end of input";
            return false;
        }
        const char c = m_s[m_pos];
        if (c == '{') {
            ++m_pos;
            ValueDict items;
            skipWs();
            if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                ++m_pos;
                out = Value::dict(std::move(items));
                return true;
            }
            for (;;) {
                skipWs();
                std::string key;
                if (m_pos >= m_s.size() || m_s[m_pos] != '"') {
                    m_error = "expected a string key";
                    return false;
                }
                if (!string(key))
                    return false;
                skipWs();
                if (m_pos >= m_s.size() || m_s[m_pos] != ':') {
                    m_error = "expected ':'";
                    return false;
                }
                ++m_pos;
                Value item;
                if (!value(item, depth + 1))
                    return false;
                auto it = std::find_if(items.begin(), items.end(),
                                       [&](const auto& kv) { return kv.first.asString() == key; });
                if (it != items.end())
                    it->second = std::move(item);
                else
                    items.emplace_back(Value::string(std::move(key)), std::move(item));
                skipWs();
                if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                    ++m_pos;
                    break;
                }
                m_error = "expected ',' or '}'";
                return false;
            }
            out = Value::dict(std::move(items));
            return true;
        }
        if (c == '[') {
            ++m_pos;
            ValueList items;
            skipWs();
            if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                ++m_pos;
                out = Value::list(std::move(items));
                return true;
            }
            for (;;) {
                Value item;
                if (!value(item, depth + 1))
                    return false;
                items.push_back(std::move(item));
                skipWs();
                if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                    ++m_pos;
                    break;
                }
                m_error = "expected ',' or ']'";
                return false;
            }
            out = Value::list(std::move(items));
            return true;
        }
        if (c == '"') {
            std::string s;
            if (!string(s))
                return false;
            out = Value::string(std::move(s));
            return true;
        }
        if (c == 't') {
            out = Value::boolean(true);
            return literal("true");
        }
        if (c == 'f') {
            out = Value::boolean(false);
            return literal("false");
        }
        if (c == 'n') {
            out = Value::none();
            return literal("null");
        }
        return number(out);
    }

    bool number(Value& out)
    {
        const size_t start = m_pos;
        if (m_pos < m_s.size() && m_s[m_pos] == '-')
            ++m_pos;
        auto digits = [&] {
            const size_t b = m_pos;
            while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9')
                ++m_pos;
            return m_pos > b;
        };
        if (!digits()) {
            m_error = "unexpected character";
            return false;
        }
        bool isFloat = false;
        if (m_pos < m_s.size() && m_s[m_pos] == '.') {
            ++m_pos;
            isFloat = true;
            if (!digits()) {
                m_error = "expected digits after '.'";
                return false;
            }
        }
        if (m_pos < m_s.size() && (m_s[m_pos] == 'e' || m_s[m_pos] == 'E')) {
            ++m_pos;
            isFloat = true;
            if (m_pos < m_s.size() && (m_s[m_pos] == '+' || m_s[m_pos] == '-'))
                ++m_pos;
            if (!digits()) {
                m_error = "expected exponent digits";
                return false;
            }
        }
        const std::string text(m_s.substr(start, m_pos - start));
        if (!isFloat) {
            errno = 0;
            const long long v = std::strtoll(text.c_str(), nullptr, 10);
            if (errno != ERANGE) {
                out = Value::integer(v);
                return true;
            }
        }
        out = Value::number(std::strtod(text.c_str(), nullptr));
        return true;
    }

    bool hex4(uint32_t& v)
    {
        if (m_pos + 4 > m_s.size()) {
            m_error = "truncated \\u escape";
            return false;
        }
        v = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = m_s[m_pos++];
            v <<= 4;
            if (h >= '0' && h <= '9')
                v |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                v |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                v |= static_cast<uint32_t>(h - 'A' + 10);
            else {
                m_error = "invalid \\u escape";
                return false;
            }
        }
        return true;
    }

    bool string(std::string& out)
    {
        ++m_pos; // opening quote
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos++];
            if (c == '"')
                return true;
            if (static_cast<unsigned char>(c) < 0x20) {
                m_error = "control character in string";
                return false;
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_pos >= m_s.size())
                break;
            const char e = m_s[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                uint32_t cp;
                if (!hex4(cp))
                    return false;
                if (cp >= 0xD800 && cp < 0xDC00 && m_s.substr(m_pos, 2) == "\\u") {
                    const size_t save = m_pos;
                    m_pos += 2;
                    uint32_t lo;
                    if (!hex4(lo))
                        return false;
                    if (lo >= 0xDC00 && lo < 0xE000)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    else
                        m_pos = save;
                }
                py::appendUtf8(out, cp);
                break;
            }
            default: m_error = "invalid escape"; return false;
            }
        }
        m_error = "unterminated string";
        return false;
    }

    std::string_view m_s;
    size_t m_pos = 0;
    std::string m_error;
};

} // namespace

Result<std::string> toJson(const Value& v, const JsonOptions& options)
{
    JsonWriter w{options, {}, {}, 0};
    if (!w.value(v))
        return makeError(ErrorCode::Template, w.error);
    return std::move(w.out);
}

Result<Value> parseJson(std::string_view text)
{
    return JsonReader(text).run();
}

} // namespace engine::chat
