#include "tokenizer/Regex.h"

#include "tokenizer/UnicodeData.h"

#include <algorithm>
#include <array>
#include <utility>

namespace engine::tokenizer {

struct Regex::Node {
    enum Kind { Set, Seq, Alt, Repeat, LookAhead, Begin, End };
    Kind kind = Set;
    // Set
    std::vector<std::pair<uint32_t, uint32_t>> ranges; // inclusive code point ranges
    uint16_t anyFlags = 0;                             // matches if flags & anyFlags
    std::vector<uint16_t> notFlags;                    // matches if !(flags & m) for one of them
    bool negated = false;
    std::array<uint64_t, 2> ascii{};                   // precomputed answer for cp < 128
    // Seq / Alt: children; Repeat / LookAhead: children[0]
    std::vector<int> children;
    int min = 0;
    int max = -1; // -1: unbounded
    bool lazy = false;
    bool negative = false; // LookAhead

    bool setMatchesSlow(uint32_t cp, uint16_t f) const
    {
        bool hit = (f & anyFlags) != 0;
        for (size_t i = 0; !hit && i < notFlags.size(); ++i)
            hit = (f & notFlags[i]) == 0;
        for (size_t i = 0; !hit && i < ranges.size(); ++i)
            hit = cp >= ranges[i].first && cp <= ranges[i].second;
        return hit != negated;
    }
    bool setMatches(uint32_t cp, uint16_t f) const
    {
        if (cp < 128)
            return (ascii[cp >> 6] >> (cp & 63)) & 1;
        return setMatchesSlow(cp, f);
    }
};

namespace {

using Node = Regex::Node;

struct Parser {
    std::string_view src;
    std::vector<uint32_t> cps;
    size_t pos = 0;
    std::vector<Node>& nodes;
    std::string error;

    Parser(std::string_view s, std::vector<Node>& n) : src(s), cps(unicode::decode(s)), nodes(n) {}

    bool atEnd() const { return pos >= cps.size(); }
    uint32_t peek() const { return cps[pos]; }
    bool eat(uint32_t c)
    {
        if (!atEnd() && cps[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }
    int fail(const std::string& what)
    {
        if (error.empty())
            error = what + " at code point " + std::to_string(pos);
        return -1;
    }
    int add(Node n)
    {
        nodes.push_back(std::move(n));
        return int(nodes.size()) - 1;
    }

    static void addCaseless(Node& n, uint32_t c, bool icase)
    {
        n.ranges.emplace_back(c, c);
        if (icase && c < 128 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            n.ranges.emplace_back(c ^ 0x20, c ^ 0x20);
    }

    // \p{Name} → flag mask; 0 when unknown.
    static uint16_t propertyMask(const std::string& name)
    {
        using namespace unicode;
        static const std::pair<const char*, uint16_t> table[] = {
            {"L", kLetter}, {"Lu", kLu}, {"Ll", kLl}, {"Lt", kLt}, {"Lm", kLm}, {"Lo", kLo},
            {"M", kMark}, {"Mn", kMark}, {"Mc", kMark}, {"Me", kMark},
            {"N", kNumber}, {"Nd", kDigit}, {"Nl", kNumberOther}, {"No", kNumberOther},
            {"P", kPunct}, {"S", kSymbol}, {"Z", kSeparator}, {"C", kOther},
        };
        for (const auto& [n, m] : table)
            if (name == n)
                return m;
        return 0;
    }

    // After "\x": {HHHH} or HH. Returns false on error.
    bool parseHex(uint32_t& cp)
    {
        const bool braced = eat('{');
        cp = 0;
        int digits = 0;
        while (!atEnd() && digits < (braced ? 6 : 2)) {
            const uint32_t c = peek();
            uint32_t v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            else break;
            cp = cp * 16 + v;
            ++digits;
            ++pos;
        }
        if (digits == 0 || (braced && !eat('}')))
            return fail("bad \\x escape"), false;
        return true;
    }

    // Parses an escape after '\' into a class node's items. Returns false on error.
    bool parseEscapeInto(Node& set, bool icase)
    {
        if (atEnd())
            return fail("pattern ends after '\\'"), false;
        const uint32_t c = cps[pos++];
        switch (c) {
        case 'r': set.ranges.emplace_back('\r', '\r'); return true;
        case 'n': set.ranges.emplace_back('\n', '\n'); return true;
        case 't': set.ranges.emplace_back('\t', '\t'); return true;
        case 'f': set.ranges.emplace_back('\f', '\f'); return true;
        case 'v': set.ranges.emplace_back('\v', '\v'); return true;
        case 'x': {
            uint32_t cp = 0;
            if (!parseHex(cp))
                return false;
            addCaseless(set, cp, icase);
            return true;
        }
        case 's': set.anyFlags |= unicode::kWhitespace; return true;
        case 'S': set.notFlags.push_back(unicode::kWhitespace); return true;
        case 'd': set.anyFlags |= unicode::kDigit; return true;
        case 'D': set.notFlags.push_back(unicode::kDigit); return true;
        case 'p':
        case 'P': {
            if (!eat('{'))
                return fail("expected '{' after \\p"), false;
            std::string name;
            while (!atEnd() && peek() != '}')
                name += char(cps[pos++]);
            if (!eat('}'))
                return fail("unterminated \\p{"), false;
            const uint16_t mask = propertyMask(name);
            if (mask == 0)
                return fail("unsupported property \\p{" + name + "}"), false;
            if (c == 'p')
                set.anyFlags |= mask;
            else
                set.notFlags.push_back(mask);
            return true;
        }
        default:
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return fail(std::string("unsupported escape \\") + char(c)), false;
            addCaseless(set, c, icase);
            return true;
        }
    }

    int parseClass(bool icase)
    {
        Node set;
        set.kind = Node::Set;
        set.negated = eat('^');
        bool first = true;
        while (!atEnd() && (peek() != ']' || first)) {
            first = false;
            uint32_t lo;
            if (peek() == '\\' && pos + 1 < cps.size() && cps[pos + 1] == 'x') {
                pos += 2;
                if (!parseHex(lo))
                    return -1;
            } else if (eat('\\')) {
                if (!parseEscapeInto(set, icase))
                    return -1;
                continue;
            } else {
                lo = cps[pos++];
            }
            if (!atEnd() && peek() == '-' && pos + 1 < cps.size() && cps[pos + 1] != ']') {
                ++pos;
                uint32_t hi = cps[pos++];
                if (hi == '\\') {
                    if (atEnd())
                        return fail("pattern ends in a range");
                    hi = cps[pos++];
                    if (hi == 'x' && !parseHex(hi))
                        return -1;
                }
                if (hi < lo)
                    return fail("reversed range in class");
                set.ranges.emplace_back(lo, hi);
                if (icase)
                    for (uint32_t ch = lo; ch <= hi && ch < 128; ++ch)
                        addCaseless(set, ch, true);
            } else {
                addCaseless(set, lo, icase);
            }
        }
        if (!eat(']'))
            return fail("unterminated class");
        return add(std::move(set));
    }

    int parseAtom(bool icase)
    {
        const uint32_t c = cps[pos++];
        if (c == '(') {
            bool ci = icase;
            int look = 0; // 1: (?=  2: (?!
            if (eat('?')) {
                if (eat(':')) {
                } else if (eat('=')) {
                    look = 1;
                } else if (eat('!')) {
                    look = 2;
                } else if (eat('i')) {
                    if (!eat(':'))
                        return fail("only (?i:...) groups are supported");
                    ci = true;
                } else {
                    return fail("unsupported group kind");
                }
            }
            const int inner = parseAlt(ci);
            if (inner < 0)
                return -1;
            if (!eat(')'))
                return fail("missing ')'");
            if (look == 0)
                return inner;
            Node n;
            n.kind = Node::LookAhead;
            n.negative = look == 2;
            n.children = {inner};
            return add(std::move(n));
        }
        if (c == '[')
            return parseClass(icase);
        if (c == '^' || c == '$') {
            Node n;
            n.kind = c == '^' ? Node::Begin : Node::End;
            return add(std::move(n));
        }
        Node set;
        set.kind = Node::Set;
        if (c == '.') {
            set.negated = true;
            set.ranges.emplace_back('\n', '\n');
        } else if (c == '\\') {
            if (!parseEscapeInto(set, icase))
                return -1;
        } else if (c == ')' || c == '*' || c == '+' || c == '?' || c == '{' || c == '|') {
            --pos;
            return fail("unexpected metacharacter");
        } else {
            addCaseless(set, c, icase);
        }
        return add(std::move(set));
    }

    bool parseNumber(int& out)
    {
        if (atEnd() || peek() < '0' || peek() > '9')
            return false;
        out = 0;
        while (!atEnd() && peek() >= '0' && peek() <= '9' && out < 100000)
            out = out * 10 + int(cps[pos++] - '0');
        return true;
    }

    int parseQuantified(bool icase)
    {
        int atom = parseAtom(icase);
        if (atom < 0)
            return -1;
        while (!atEnd()) {
            int mn, mx;
            const uint32_t c = peek();
            if (c == '?') { mn = 0; mx = 1; ++pos; }
            else if (c == '*') { mn = 0; mx = -1; ++pos; }
            else if (c == '+') { mn = 1; mx = -1; ++pos; }
            else if (c == '{') {
                const size_t save = pos++;
                if (!parseNumber(mn)) { pos = save; break; }
                mx = mn;
                if (eat(',')) {
                    if (!parseNumber(mx))
                        mx = -1;
                }
                if (!eat('}') || (mx >= 0 && mx < mn))
                    return fail("bad {n,m} quantifier");
            } else {
                break;
            }
            Node n;
            n.kind = Node::Repeat;
            n.min = mn;
            n.max = mx;
            n.lazy = eat('?');
            if (!n.lazy && !atEnd() && peek() == '+')
                return fail("possessive quantifiers are not supported");
            n.children = {atom};
            atom = add(std::move(n));
        }
        return atom;
    }

    int parseSeq(bool icase)
    {
        Node seq;
        seq.kind = Node::Seq;
        while (!atEnd() && peek() != '|' && peek() != ')') {
            const int item = parseQuantified(icase);
            if (item < 0)
                return -1;
            seq.children.push_back(item);
        }
        if (seq.children.size() == 1)
            return seq.children[0];
        return add(std::move(seq));
    }

    int parseAlt(bool icase)
    {
        Node alt;
        alt.kind = Node::Alt;
        while (true) {
            const int s = parseSeq(icase);
            if (s < 0)
                return -1;
            alt.children.push_back(s);
            if (!eat('|'))
                break;
        }
        if (alt.children.size() == 1)
            return alt.children[0];
        return add(std::move(alt));
    }
};

// A non-owning callable reference: continuations are lambdas on the caller's stack.
struct Cont {
    bool (*fn)(const void*, size_t);
    const void* ctx;
    bool operator()(size_t p) const { return fn(ctx, p); }
};
template <typename F>
Cont makeCont(const F& f)
{
    return Cont{[](const void* c, size_t p) { return (*static_cast<const F*>(c))(p); }, &f};
}

// Deep recursion only comes from quantified groups (never from a quantified class); patterns
// that would recurse this far give up on the match instead of overflowing the stack.
constexpr int kMaxDepth = 20000;

struct Matcher {
    const std::vector<Node>& nodes;
    const uint32_t* cps;
    const uint16_t* flags;
    size_t begin;
    size_t end;
    int depth = 0;

    bool setAt(const Node& n, size_t p) const { return p < end && n.setMatches(cps[p], flags[p]); }

    bool match(int id, size_t pos, Cont k)
    {
        const Node& n = nodes[size_t(id)];
        switch (n.kind) {
        case Node::Set:
            return setAt(n, pos) && k(pos + 1);
        // Oniguruma's Ruby syntax (what tokenizers uses): ^ and $ are line anchors.
        case Node::Begin:
            return (pos == begin || cps[pos - 1] == '\n') && k(pos);
        case Node::End:
            return (pos == end || cps[pos] == '\n') && k(pos);
        case Node::Seq:
            return matchSeq(n, 0, pos, k);
        case Node::Alt:
            for (const int c : n.children)
                if (match(c, pos, k))
                    return true;
            return false;
        case Node::LookAhead: {
            const auto accept = [](size_t) { return true; };
            if (++depth > kMaxDepth) {
                --depth;
                return false;
            }
            const bool found = match(n.children[0], pos, makeCont(accept));
            --depth;
            return found != n.negative && k(pos);
        }
        case Node::Repeat:
            if (nodes[size_t(n.children[0])].kind == Node::Set)
                return matchSetRepeat(n, pos, k);
            return matchRepeat(n, 0, pos, k);
        }
        return false;
    }

    bool matchSeq(const Node& n, size_t i, size_t pos, Cont k)
    {
        if (i == n.children.size())
            return k(pos);
        if (++depth > kMaxDepth) {
            --depth;
            return false;
        }
        const auto rest = [&](size_t p) { return matchSeq(n, i + 1, p, k); };
        const bool r = match(n.children[i], pos, makeCont(rest));
        --depth;
        return r;
    }

    bool matchSetRepeat(const Node& n, size_t pos, Cont k)
    {
        const Node& set = nodes[size_t(n.children[0])];
        const size_t limit = n.max < 0 ? end : std::min(end, pos + size_t(n.max));
        if (n.lazy) {
            size_t count = 0;
            while (count < size_t(n.min)) {
                if (!setAt(set, pos + count))
                    return false;
                ++count;
            }
            while (true) {
                if (k(pos + count))
                    return true;
                if (pos + count >= limit || !setAt(set, pos + count))
                    return false;
                ++count;
            }
        }
        size_t stop = pos;
        while (stop < limit && set.setMatches(cps[stop], flags[stop]))
            ++stop;
        if (stop - pos < size_t(n.min))
            return false;
        for (size_t p = stop;; --p) {
            if (k(p))
                return true;
            if (p == pos + size_t(n.min))
                return false;
        }
    }

    bool matchRepeat(const Node& n, int count, size_t pos, Cont k)
    {
        if (++depth > kMaxDepth) {
            --depth;
            return false;
        }
        bool r = false;
        const bool canStop = count >= n.min;
        const bool canGo = n.max < 0 || count < n.max;
        const auto more = [&](size_t p) {
            // An iteration that consumed nothing cannot make progress: stop looping.
            if (p == pos && canStop)
                return false;
            return matchRepeat(n, count + 1, p, k);
        };
        if (n.lazy) {
            r = (canStop && k(pos)) || (canGo && match(n.children[0], pos, makeCont(more)));
        } else {
            r = (canGo && match(n.children[0], pos, makeCont(more))) || (canStop && k(pos));
        }
        --depth;
        return r;
    }
};

} // namespace

Regex::Regex() = default;
Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

Result<Regex> Regex::compile(std::string_view pattern)
{
    Regex re;
    re.m_pattern = std::string(pattern);
    Parser parser(pattern, re.m_nodes);
    int root = parser.cps.empty() ? -1 : parser.parseAlt(false);
    if (root >= 0 && !parser.atEnd())
        root = parser.fail("unbalanced ')'");
    if (root < 0) {
        const std::string why = parser.error.empty() ? std::string("empty pattern") : parser.error;
        return makeError(ErrorCode::Unsupported, "pre-tokenizer regex: " + why + " in '" + re.m_pattern + "'");
    }
    re.m_root = root;
    for (Node& n : re.m_nodes) {
        if (n.kind != Node::Set)
            continue;
        for (uint32_t cp = 0; cp < 128; ++cp)
            if (n.setMatchesSlow(cp, unicode::flags(cp)))
                n.ascii[cp >> 6] |= uint64_t(1) << (cp & 63);
    }
    return re;
}

bool Regex::find(const uint32_t* cps, const uint16_t* flags, size_t begin, size_t end, size_t from,
                 size_t& matchBegin, size_t& matchEnd) const
{
    if (m_root < 0)
        return false;
    Matcher m{m_nodes, cps, flags, begin, end};
    for (size_t start = from; start < end; ++start) {
        size_t found = 0;
        const auto accept = [&](size_t p) {
            if (p == start)
                return false; // empty matches are not pieces
            found = p;
            return true;
        };
        if (m.match(m_root, start, makeCont(accept))) {
            matchBegin = start;
            matchEnd = found;
            return true;
        }
    }
    return false;
}

} // namespace engine::tokenizer
