#include "chat/PostProcess.h"

#include "chat/PyString.h"

#include <algorithm>
#include <vector>

namespace engine::chat {
namespace {

std::string lowerAscii(std::string_view s) { return py::lower(s); }

std::string trim(std::string_view s) { return py::strip(s, std::nullopt, true, true); }

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string canonicalLanguage(std::string_view lang)
{
    const std::string l = lowerAscii(trim(lang));
    static const std::pair<const char*, const char*> aliases[] = {
        {"c++", "cpp"},   {"cxx", "cpp"},         {"cc", "cpp"},   {"py", "python"}, {"python3", "python"},
        {"js", "javascript"}, {"node", "javascript"}, {"ts", "typescript"}, {"sh", "bash"}, {"shell", "bash"},
        {"zsh", "bash"},  {"rs", "rust"},         {"golang", "go"}, {"c#", "csharp"}, {"cs", "csharp"},
        {"kt", "kotlin"}, {"rb", "ruby"},         {"yml", "yaml"}, {"md", "markdown"}, {"objc", "objective-c"},
    };
    for (const auto& [from, to] : aliases)
        if (l == from)
            return to;
    return l;
}

struct Fence {
    size_t blockStart;   // first byte of the opening fence line
    size_t contentStart; // first byte after the opening line
    size_t contentEnd;   // first byte of the closing fence line (or end)
    size_t blockEnd;     // first byte after the closing line
    std::string language;
};

std::vector<Fence> findFences(std::string_view s)
{
    std::vector<Fence> out;
    size_t pos = 0;
    while (pos < s.size()) {
        const size_t lineEnd = std::min(s.find('\n', pos), s.size());
        std::string_view line = s.substr(pos, lineEnd - pos);
        size_t indent = 0;
        while (indent < line.size() && indent < 4 && line[indent] == ' ')
            ++indent;
        const std::string_view rest = line.substr(indent);
        if (indent < 4 && (startsWith(rest, "```") || startsWith(rest, "~~~"))) {
            const char fc = rest[0];
            size_t n = 0;
            while (n < rest.size() && rest[n] == fc)
                ++n;
            Fence f;
            f.blockStart = pos;
            f.contentStart = std::min(lineEnd + 1, s.size());
            const std::string info = trim(rest.substr(n));
            f.language = info.substr(0, info.find_first_of(" \t{"));
            // The closing fence: same character, at least as long, nothing else on the line.
            size_t p = f.contentStart;
            f.contentEnd = f.blockEnd = s.size();
            while (p < s.size()) {
                const size_t e = std::min(s.find('\n', p), s.size());
                const std::string t = trim(s.substr(p, e - p));
                if (t.size() >= n && std::all_of(t.begin(), t.end(), [&](char c) { return c == fc; })) {
                    f.contentEnd = p;
                    f.blockEnd = std::min(e + 1, s.size());
                    break;
                }
                p = e + 1;
            }
            out.push_back(f);
            pos = f.blockEnd;
            continue;
        }
        pos = lineEnd + 1;
    }
    return out;
}

std::string withoutFinalNewline(std::string_view s)
{
    std::string out(s);
    if (!out.empty() && out.back() == '\n')
        out.pop_back();
    if (!out.empty() && out.back() == '\r')
        out.pop_back();
    return out;
}

bool isQuotePair(std::string_view s, std::string_view open, std::string_view close)
{
    return s.size() >= open.size() + close.size() && startsWith(s, open) &&
           s.substr(s.size() - close.size()) == close;
}

} // namespace

std::string stripReasoning(std::string_view answer)
{
    std::string s(answer);
    static const char* const tags[] = {"think", "thinking", "reasoning"};
    for (const char* tag : tags) {
        const std::string open = std::string("<") + tag + ">";
        const std::string close = std::string("</") + tag + ">";
        // Some templates put the opening tag in the prompt, so the reply starts inside the block.
        const size_t firstClose = s.find(close);
        const size_t firstOpen = s.find(open);
        if (firstClose != std::string::npos && (firstOpen == std::string::npos || firstClose < firstOpen))
            s.erase(0, firstClose + close.size());
        for (;;) {
            const size_t b = s.find(open);
            if (b == std::string::npos)
                break;
            const size_t e = s.find(close, b);
            s.erase(b, e == std::string::npos ? std::string::npos : e + close.size() - b);
        }
    }
    return s;
}

CodeAnswer extractCode(std::string_view answer, std::string_view preferredLanguage)
{
    const std::string s = stripReasoning(answer);
    const std::vector<Fence> fences = findFences(s);
    CodeAnswer out;
    if (fences.empty()) {
        out.code = trim(s);
        return out;
    }
    const std::string want = canonicalLanguage(preferredLanguage);
    const Fence* chosen = &fences.front();
    if (!want.empty())
        for (const auto& f : fences)
            if (canonicalLanguage(f.language) == want) {
                chosen = &f;
                break;
            }
    out.fenced = true;
    out.language = chosen->language;
    out.code = withoutFinalNewline(std::string_view(s).substr(chosen->contentStart, chosen->contentEnd - chosen->contentStart));
    const std::string before = trim(s.substr(0, chosen->blockStart));
    const std::string after = trim(s.substr(chosen->blockEnd));
    out.explanation = before.empty() ? after : after.empty() ? before : before + "\n\n" + after;
    return out;
}

std::string extractPlainText(std::string_view answer, std::string_view source)
{
    std::string s = trim(stripReasoning(answer));
    const std::string src = trim(source);

    // A fence around the whole answer, when the source was not a code block itself.
    const auto fences = findFences(s);
    if (fences.size() == 1 && fences[0].blockStart == 0 && fences[0].blockEnd >= s.size() && !startsWith(src, "```") &&
        !startsWith(src, "~~~"))
        s = withoutFinalNewline(std::string_view(s).substr(fences[0].contentStart, fences[0].contentEnd - fences[0].contentStart));

    // A preamble line such as "Here is the translation:" or "Sure! Rewritten text:".
    const size_t nl = s.find('\n');
    if (nl != std::string::npos) {
        const std::string first = trim(s.substr(0, nl));
        const std::string lower = lowerAscii(first);
        const bool looksLikePreamble =
            !first.empty() && first.back() == ':' && first.size() < 120 &&
            (lower.find("here") != std::string::npos || lower.find("translation") != std::string::npos ||
             lower.find("rewritten") != std::string::npos || lower.find("revised") != std::string::npos ||
             lower.find("corrected") != std::string::npos || lower.find("sure") != std::string::npos ||
             lower.find("version") != std::string::npos || lower.find("text") != std::string::npos ||
             lower.find("翻译") != std::string::npos || lower.find("译文") != std::string::npos);
        const bool sourceStartsSame = !src.empty() && lowerAscii(src.substr(0, src.find('\n'))) == lower;
        if (looksLikePreamble && !sourceStartsSame)
            s = trim(s.substr(nl + 1));
    }

    // A trailing explanation paragraph the task did not ask for.
    const size_t para = s.rfind("\n\n");
    if (para != std::string::npos) {
        const std::string last = lowerAscii(trim(s.substr(para)));
        const bool isNote = startsWith(last, "note:") || startsWith(last, "(note") || startsWith(last, "*note") ||
                            startsWith(last, "notes:") || startsWith(last, "explanation:");
        if (isNote && lowerAscii(src).find(last.substr(0, 5)) == std::string::npos)
            s = trim(s.substr(0, para));
    }

    // Quotes around the whole answer, unless the source was quoted the same way.
    static const std::pair<const char*, const char*> quotes[] = {
        {"\"", "\""}, {"'", "'"}, {"\xE2\x80\x9C", "\xE2\x80\x9D"}, {"\xE2\x80\x98", "\xE2\x80\x99"},
        {"\xE3\x80\x8C", "\xE3\x80\x8D"}, {"\xC2\xAB", "\xC2\xBB"}};
    for (const auto& [open, close] : quotes) {
        if (isQuotePair(s, open, close) && !isQuotePair(src, open, close)) {
            const std::string inner = s.substr(std::string_view(open).size(),
                                               s.size() - std::string_view(open).size() - std::string_view(close).size());
            if (inner.find(close) == std::string::npos) // "a" and "b" is not one quoted answer
                s = inner;
            break;
        }
    }

    // The source's own leading and trailing whitespace, so a replacement drops into place.
    const size_t lead = source.size() - py::strip(source, std::nullopt, true, false).size();
    const size_t tail = source.size() - py::strip(source, std::nullopt, false, true).size();
    if (src.empty())
        return s;
    return std::string(source.substr(0, lead)) + s + std::string(source.substr(source.size() - tail));
}

} // namespace engine::chat
