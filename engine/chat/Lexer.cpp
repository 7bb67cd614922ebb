#include "chat/Lexer.h"
#include "chat/PyString.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace engine::chat {
namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
    Lexer(std::string source, const LexerOptions& options) : m_src(std::move(source)), m_opt(options)
    {
        m_lineStarts.push_back(0);
        for (size_t i = 0; i < m_src.size(); ++i)
            if (m_src[i] == '\n')
                m_lineStarts.push_back(i + 1);
    }

    Result<std::vector<Token>> run()
    {
        size_t pos = 0;
        bool lineStarting = true;
        const size_t n = m_src.size();
        while (pos < n) {
            size_t start = pos;
            char kind = 0;
            for (;;) {
                start = m_src.find('{', start);
                if (start == std::string::npos || start + 1 >= n) {
                    start = std::string::npos;
                    break;
                }
                const char next = m_src[start + 1];
                if (next == '{' || next == '%' || next == '#') {
                    kind = next;
                    break;
                }
                ++start;
            }
            if (start == std::string::npos) {
                pushText(m_src.substr(pos), pos);
                break;
            }
            size_t p = start + 2;
            char sign = 0;
            if (p < n && (m_src[p] == '-' || m_src[p] == '+')) {
                sign = m_src[p];
                ++p;
            }
            std::string text = m_src.substr(pos, start - pos);
            const bool raw = kind == '%' && isRawBegin(p);
            stripBefore(text, sign, kind != '{', lineStarting);
            pushText(std::move(text), pos);

            if (kind == '#') {
                size_t end = m_src.find("#}", p);
                if (end == std::string::npos)
                    return fail(start, "unclosed comment: missing '#}'");
                size_t after = end + 2;
                if (end > p && m_src[end - 1] == '-')
                    after = skipSpaces(after);
                else if (!(end > p && m_src[end - 1] == '+') && m_opt.trimBlocks && after < n && m_src[after] == '\n')
                    ++after;
                lineStarting = m_src[after - 1] == '\n';
                pos = after;
                continue;
            }
            if (raw) {
                auto r = lexRaw(p, lineStarting);
                if (!r.ok())
                    return r.error();
                pos = *r;
                continue;
            }
            auto r = lexTag(start, p, kind);
            if (!r.ok())
                return r.error();
            pos = *r;
            lineStarting = pos > 0 && m_src[pos - 1] == '\n';
        }
        Token end;
        end.type = TokenType::End;
        locate(end, n);
        m_tokens.push_back(end);
        return std::move(m_tokens);
    }

private:
    void locate(Token& t, size_t offset) const
    {
        auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset);
        const size_t line = static_cast<size_t>(it - m_lineStarts.begin());
        t.line = static_cast<int>(line);
        t.column = static_cast<int>(offset - m_lineStarts[line - 1] + 1);
    }

    Error fail(size_t offset, const std::string& what) const
    {
        Token t;
        locate(t, offset);
        return makeError(ErrorCode::Template, "syntax error at line " + std::to_string(t.line) + ", column " +
                                                  std::to_string(t.column) + ": " + what);
    }

    size_t skipSpaces(size_t p) const
    {
        while (p < m_src.size() && isSpace(m_src[p]))
            ++p;
        return p;
    }

    void pushText(std::string text, size_t offset)
    {
        if (text.empty())
            return;
        Token t;
        t.type = TokenType::Text;
        t.text = std::move(text);
        locate(t, offset);
        m_tokens.push_back(std::move(t));
    }

    // Jinja2: '-' strips all whitespace before the tag; otherwise lstrip_blocks removes the
    // spaces and tabs between the start of the line and a block or comment tag.
    void stripBefore(std::string& text, char sign, bool blockOrComment, bool lineStarting) const
    {
        if (sign == '-') {
            size_t e = text.size();
            while (e > 0 && isSpace(text[e - 1]))
                --e;
            text.resize(e);
        } else if (sign != '+' && m_opt.lstripBlocks && blockOrComment) {
            const size_t nl = text.rfind('\n');
            const size_t lpos = nl == std::string::npos ? 0 : nl + 1;
            if ((lpos > 0 || lineStarting) && lpos < text.size()) {
                bool allSpace = true;
                for (size_t i = lpos; i < text.size(); ++i)
                    allSpace = allSpace && isSpace(text[i]);
                if (allSpace)
                    text.resize(lpos);
            }
        }
    }

    bool matchWord(size_t& p, std::string_view word) const
    {
        if (m_src.compare(p, word.size(), word) != 0)
            return false;
        const size_t e = p + word.size();
        if (e < m_src.size() && (isNameStart(m_src[e]) || isDigit(m_src[e])))
            return false;
        p = e;
        return true;
    }

    bool isRawBegin(size_t p) const
    {
        p = skipSpaces(p);
        if (!matchWord(p, "raw"))
            return false;
        p = skipSpaces(p);
        return m_src.compare(p, 2, "%}") == 0 || m_src.compare(p, 3, "-%}") == 0;
    }

    Result<size_t> lexRaw(size_t p, bool& lineStarting)
    {
        p = skipSpaces(p);
        matchWord(p, "raw");
        p = skipSpaces(p);
        if (m_src[p] == '-')
            p = skipSpaces(p + 3);
        else
            p += 2;
        const size_t contentStart = p;
        lineStarting = m_src[p - 1] == '\n';
        size_t search = p;
        for (;;) {
            const size_t tag = m_src.find("{%", search);
            if (tag == std::string::npos)
                return fail(contentStart, "unclosed {% raw %} block: missing {% endraw %}");
            size_t q = tag + 2;
            char sign = 0;
            if (q < m_src.size() && (m_src[q] == '-' || m_src[q] == '+'))
                sign = m_src[q++];
            q = skipSpaces(q);
            if (!matchWord(q, "endraw")) {
                search = tag + 2;
                continue;
            }
            q = skipSpaces(q);
            size_t after;
            if (m_src.compare(q, 3, "-%}") == 0)
                after = skipSpaces(q + 3);
            else if (m_src.compare(q, 3, "+%}") == 0)
                after = q + 3;
            else if (m_src.compare(q, 2, "%}") == 0) {
                after = q + 2;
                if (m_opt.trimBlocks && after < m_src.size() && m_src[after] == '\n')
                    ++after;
            } else {
                return fail(q, "expected '%}' after endraw");
            }
            std::string text = m_src.substr(contentStart, tag - contentStart);
            stripBefore(text, sign, true, lineStarting);
            pushText(std::move(text), contentStart);
            lineStarting = m_src[after - 1] == '\n';
            return after;
        }
    }

    Result<size_t> lexTag(size_t start, size_t p, char kind)
    {
        Token begin;
        begin.type = kind == '{' ? TokenType::VarBegin : TokenType::BlockBegin;
        locate(begin, start);
        m_tokens.push_back(begin);
        std::vector<char> balance;
        const size_t n = m_src.size();
        for (;;) {
            p = skipSpaces(p);
            if (p >= n)
                return fail(start, kind == '{' ? "unclosed '{{': missing '}}'" : "unclosed '{%': missing '%}'");
            if (balance.empty()) {
                if (kind == '{') {
                    if (m_src.compare(p, 3, "-}}") == 0)
                        return closeTag(TokenType::VarEnd, p, skipSpaces(p + 3));
                    if (m_src.compare(p, 2, "}}") == 0)
                        return closeTag(TokenType::VarEnd, p, p + 2);
                } else {
                    if (m_src.compare(p, 3, "-%}") == 0)
                        return closeTag(TokenType::BlockEnd, p, skipSpaces(p + 3));
                    if (m_src.compare(p, 3, "+%}") == 0)
                        return closeTag(TokenType::BlockEnd, p, p + 3);
                    if (m_src.compare(p, 2, "%}") == 0) {
                        size_t after = p + 2;
                        if (m_opt.trimBlocks && after < n && m_src[after] == '\n')
                            ++after;
                        return closeTag(TokenType::BlockEnd, p, after);
                    }
                }
            }
            Token t;
            locate(t, p);
            const char c = m_src[p];
            if (isNameStart(c)) {
                size_t e = p;
                while (e < n && (isNameStart(m_src[e]) || isDigit(m_src[e])))
                    ++e;
                t.type = TokenType::Name;
                t.text = m_src.substr(p, e - p);
                p = e;
            } else if (isDigit(c)) {
                p = lexNumber(p, t);
            } else if (c == '\'' || c == '"') {
                auto r = lexString(p, t);
                if (!r.ok())
                    return r.error();
                p = *r;
            } else {
                static const char* const ops[] = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%",
                                                  "~",  "<",  ">",  "=",  "(",  ")",  "[", "]", "{", "}", ",",
                                                  ".",  ":",  "|",  ";"};
                const char* found = nullptr;
                for (const char* op : ops) {
                    const size_t len = std::char_traits<char>::length(op);
                    if (m_src.compare(p, len, op) == 0) {
                        found = op;
                        break;
                    }
                }
                if (!found)
                    return fail(p, std::string("unexpected character '") + c + "'");
                t.type = TokenType::Operator;
                t.text = found;
                p += t.text.size();
                if (c == '(' || c == '[' || c == '{') {
                    balance.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
                } else if (c == ')' || c == ']' || c == '}') {
                    if (balance.empty() || balance.back() != c)
                        return fail(p - 1, std::string("unexpected '") + c + "'");
                    balance.pop_back();
                }
            }
            m_tokens.push_back(std::move(t));
        }
    }

    Result<size_t> closeTag(TokenType type, size_t at, size_t after)
    {
        Token t;
        t.type = type;
        locate(t, at);
        m_tokens.push_back(t);
        return after;
    }

    size_t lexNumber(size_t p, Token& t) const
    {
        const size_t n = m_src.size();
        std::string digits;
        auto readDigits = [&](size_t& q) {
            while (q < n && (isDigit(m_src[q]) || (m_src[q] == '_' && q + 1 < n && isDigit(m_src[q + 1])))) {
                if (m_src[q] != '_')
                    digits += m_src[q];
                ++q;
            }
        };
        size_t q = p;
        readDigits(q);
        bool isFloat = false;
        if (q + 1 < n && m_src[q] == '.' && isDigit(m_src[q + 1])) {
            isFloat = true;
            digits += '.';
            ++q;
            readDigits(q);
        }
        if (q < n && (m_src[q] == 'e' || m_src[q] == 'E')) {
            size_t r = q + 1;
            if (r < n && (m_src[r] == '+' || m_src[r] == '-'))
                ++r;
            if (r < n && isDigit(m_src[r])) {
                isFloat = true;
                digits += 'e';
                digits.append(m_src, q + 1, r - q - 1);
                q = r;
                readDigits(q);
            }
        }
        if (isFloat) {
            t.type = TokenType::Float;
            t.floatValue = std::strtod(digits.c_str(), nullptr);
        } else {
            t.type = TokenType::Integer;
            errno = 0;
            t.intValue = std::strtoll(digits.c_str(), nullptr, 10);
            if (errno == ERANGE) { // Python has big integers; a double is the closest we offer
                t.type = TokenType::Float;
                t.floatValue = std::strtod(digits.c_str(), nullptr);
            }
        }
        t.text = m_src.substr(p, q - p);
        return q;
    }

    // Python string literal escapes, as Jinja2 decodes them.
    Result<size_t> lexString(size_t p, Token& t) const
    {
        const char quote = m_src[p];
        const size_t n = m_src.size();
        std::string out;
        size_t q = p + 1;
        while (q < n && m_src[q] != quote) {
            char c = m_src[q];
            if (c != '\\') {
                out += c;
                ++q;
                continue;
            }
            if (q + 1 >= n)
                break;
            const char e = m_src[q + 1];
            q += 2;
            auto hex = [&](int count) -> bool {
                if (q + count > n)
                    return false;
                uint32_t cp = 0;
                for (int i = 0; i < count; ++i) {
                    const char h = m_src[q + i];
                    cp <<= 4;
                    if (isDigit(h))
                        cp |= static_cast<uint32_t>(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        cp |= static_cast<uint32_t>(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        cp |= static_cast<uint32_t>(h - 'A' + 10);
                    else
                        return false;
                }
                q += count;
                py::appendUtf8(out, static_cast<char32_t>(cp));
                return true;
            };
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'v': out += '\v'; break;
            case '\n': break; // line continuation
            case 'x':
                if (!hex(2))
                    return fail(q, "invalid \\x escape in string literal");
                break;
            case 'u':
                if (!hex(4))
                    return fail(q, "invalid \\u escape in string literal");
                break;
            case 'U':
                if (!hex(8))
                    return fail(q, "invalid \\U escape in string literal");
                break;
            default:
                if (e >= '0' && e <= '7') {
                    uint32_t cp = static_cast<uint32_t>(e - '0');
                    for (int i = 0; i < 2 && q < n && m_src[q] >= '0' && m_src[q] <= '7'; ++i, ++q)
                        cp = cp * 8 + static_cast<uint32_t>(m_src[q] - '0');
                    py::appendUtf8(out, static_cast<char32_t>(cp));
                } else { // unknown escapes keep their backslash, as in Python
                    out += '\\';
                    out += e;
                }
            }
        }
        if (q >= n)
            return fail(p, "unterminated string literal");
        t.type = TokenType::String;
        t.text = std::move(out);
        return q + 1;
    }

    std::string m_src;
    LexerOptions m_opt;
    std::vector<size_t> m_lineStarts;
    std::vector<Token> m_tokens;
};

std::string normalizeNewlines(std::string_view source, bool keepTrailingNewline)
{
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n')
                ++i;
        } else {
            out += source[i];
        }
    }
    if (!keepTrailingNewline && !out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

} // namespace

Result<std::vector<Token>> tokenize(std::string_view source, const LexerOptions& options)
{
    Lexer lexer(normalizeNewlines(source, options.keepTrailingNewline), options);
    return lexer.run();
}

} // namespace engine::chat
