#include "chat/PyString.h"

namespace engine::chat::py {

std::u32string decode(std::string_view s)
{
    std::u32string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + static_cast<size_t>(len) > s.size())
            len = 1;
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < len; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
        out += cp;
        i += static_cast<size_t>(len);
    }
    return out;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string encode(std::u32string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s)
        appendUtf8(out, c);
    return out;
}

bool isSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right)
{
    const std::u32string u = decode(s);
    const std::u32string set = chars ? decode(*chars) : std::u32string();
    auto strippable = [&](char32_t c) { return chars ? set.find(c) != std::u32string::npos : isSpace(c); };
    size_t b = 0, e = u.size();
    if (left)
        while (b < e && strippable(u[b]))
            ++b;
    if (right)
        while (e > b && strippable(u[e - 1]))
            --e;
    return encode(std::u32string_view(u).substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit)
{
    std::vector<std::string> out;
    if (sep) {
        size_t pos = 0;
        while (maxSplit < 0 || static_cast<int64_t>(out.size()) < maxSplit) {
            const size_t at = s.find(*sep, pos);
            if (at == std::string_view::npos)
                break;
            out.emplace_back(s.substr(pos, at - pos));
            pos = at + sep->size();
        }
        out.emplace_back(s.substr(pos));
        return out;
    }
    const std::u32string u = decode(s);
    size_t i = 0;
    while (i < u.size()) {
        while (i < u.size() && isSpace(u[i]))
            ++i;
        if (i >= u.size())
            break;
        if (maxSplit >= 0 && static_cast<int64_t>(out.size()) >= maxSplit) {
            out.push_back(encode(std::u32string_view(u).substr(i))); // Python keeps trailing space here
            return out;
        }
        size_t j = i;
        while (j < u.size() && !isSpace(u[j]))
            ++j;
        out.push_back(encode(std::u32string_view(u).substr(i, j - i)));
        i = j;
    }
    return out;
}

std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit)
{
    if (maxSplit < 0)
        return split(s, sep, maxSplit);
    std::vector<std::string> rev;
    if (sep) {
        size_t end = s.size();
        while (static_cast<int64_t>(rev.size()) < maxSplit) {
            if (end < sep->size())
                break;
            const size_t at = s.rfind(*sep, end - sep->size());
            if (at == std::string_view::npos)
                break;
            rev.emplace_back(s.substr(at + sep->size(), end - at - sep->size()));
            end = at;
        }
        rev.emplace_back(s.substr(0, end));
    } else {
        const std::u32string u = decode(s);
        size_t e = u.size();
        while (e > 0) {
            while (e > 0 && isSpace(u[e - 1]))
                --e;
            if (e == 0)
                break;
            if (static_cast<int64_t>(rev.size()) >= maxSplit) {
                rev.push_back(encode(std::u32string_view(u).substr(0, e))); // leading space is kept
                break;
            }
            size_t b = e;
            while (b > 0 && !isSpace(u[b - 1]))
                --b;
            rev.push_back(encode(std::u32string_view(u).substr(b, e - b)));
            e = b;
        }
    }
    return std::vector<std::string>(rev.rbegin(), rev.rend());
}

std::vector<std::string> splitLines(std::string_view s, bool keepEnds)
{
    const std::u32string u = decode(s);
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i < u.size(); ++i) {
        const char32_t c = u[i];
        const bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E ||
                         c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!brk)
            continue;
        size_t end = i + 1;
        if (c == '\r' && i + 1 < u.size() && u[i + 1] == '\n')
            end = i + 2;
        out.push_back(encode(std::u32string_view(u).substr(start, (keepEnds ? end : i) - start)));
        start = end;
        i = end - 1;
    }
    if (start < u.size())
        out.push_back(encode(std::u32string_view(u).substr(start)));
    return out;
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count)
{
    std::string out;
    if (from.empty()) {
        // Python inserts `to` before every character and at the end.
        const std::u32string u = decode(s);
        int64_t done = 0;
        for (char32_t c : u) {
            if (count < 0 || done < count) {
                out += to;
                ++done;
            }
            appendUtf8(out, c);
        }
        if (count < 0 || done < count)
            out += to;
        return out;
    }
    size_t pos = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        const size_t at = s.find(from, pos);
        if (at == std::string_view::npos)
            break;
        out.append(s.substr(pos, at - pos));
        out.append(to);
        pos = at + from.size();
        ++done;
    }
    out.append(s.substr(pos));
    return out;
}

std::string upper(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 32);
    return out;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
    return out;
}

static bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string title(std::string_view s)
{
    std::string out(s);
    bool prevCased = false;
    for (char& c : out) {
        if (isAlpha(c)) {
            if (prevCased)
                c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
            else
                c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
            prevCased = true;
        } else {
            prevCased = static_cast<unsigned char>(c) >= 0x80 && prevCased;
        }
    }
    return out;
}

std::string capitalize(std::string_view s)
{
    std::string out = lower(s);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
        out[0] = static_cast<char>(out[0] - 32);
    return out;
}

} // namespace engine::chat::py
