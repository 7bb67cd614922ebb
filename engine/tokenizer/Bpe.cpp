#include "tokenizer/Encoders.h"

#include "tokenizer/UnicodeData.h"
#include "tokenizer/Vocab.h"

#include <algorithm>
#include <vector>

namespace engine::tokenizer {

namespace {

struct Candidate {
    int32_t rank;
    int32_t left;    // symbol index of the left side
    int32_t leftId;  // the ids the pair had when queued: if either changed, the entry is stale
    int32_t rightId;
    int32_t result;
};

struct CandidateOrder {
    // The heap pops the largest: lowest rank first, then leftmost.
    bool operator()(const Candidate& a, const Candidate& b) const
    {
        return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
    }
};

class BpeWord {
public:
    explicit BpeWord(const Vocab& vocab) : m_vocab(vocab) {}

    // Merges the bytes of one pre-tokenized piece and appends its tokens.
    void encode(std::string_view bytes, std::vector<int32_t>& out)
    {
        const size_t n = bytes.size();
        if (n == 0)
            return;
        if (m_vocab.pre->ignoreMerges() && n > 1) {
            m_mapped.clear();
            for (const char c : bytes)
                unicode::appendUtf8(m_mapped, unicode::byteToCodepoint(static_cast<uint8_t>(c)));
            if (const auto id = m_vocab.find(m_mapped)) {
                out.push_back(*id);
                return;
            }
        }
        if (n == 1 && m_vocab.byteToken[static_cast<uint8_t>(bytes[0])] != kNoToken) {
            out.push_back(m_vocab.byteToken[static_cast<uint8_t>(bytes[0])]);
            return;
        }
        m_id.resize(n);
        m_start.resize(n);
        for (size_t i = 0; i < n; ++i) {
            m_id[i] = m_vocab.byteSymbol[static_cast<uint8_t>(bytes[i])];
            m_start[i] = uint32_t(i);
        }
        mergeAndEmit(bytes, out);
    }

    // SentencePiece-style BPE over raw UTF-8 (Gemma 4): the symbols are characters, spaces are
    // already "▁", and leftovers become byte tokens <0xNN>.
    void encodeRaw(std::string_view word, std::vector<int32_t>& out)
    {
        if (word.empty())
            return;
        // Runs of newlines that are a token are used whole (llama.cpp's Gemma 4 rule).
        if (word.find_first_not_of('\n') == std::string_view::npos) {
            if (const auto id = m_vocab.find(word)) {
                out.push_back(*id);
                return;
            }
        }
        m_id.clear();
        m_start.clear();
        for (size_t offset = 0; offset < word.size();) {
            const size_t len = std::min(utf8Length(word[offset]), word.size() - offset);
            m_id.push_back(m_vocab.symbolOf(word.substr(offset, len)));
            m_start.push_back(uint32_t(offset));
            offset += len;
        }
        mergeAndEmit(word, out);
    }

private:
    static constexpr int32_t kDead = -2;

    // m_id/m_start hold the initial symbols of `bytes`: merge by rank, then emit.
    void mergeAndEmit(std::string_view bytes, std::vector<int32_t>& out)
    {
        const size_t n = m_id.size();
        m_prev.resize(n);
        m_next.resize(n);
        for (size_t i = 0; i < n; ++i) {
            m_prev[i] = int32_t(i) - 1;
            m_next[i] = i + 1 < n ? int32_t(i + 1) : -1;
        }
        m_queue.clear(); // a heap in a reused vector: no allocation per word
        for (size_t i = 0; i + 1 < n; ++i)
            push(int32_t(i));
        while (!m_queue.empty()) {
            std::pop_heap(m_queue.begin(), m_queue.end(), CandidateOrder{});
            const Candidate c = m_queue.back();
            m_queue.pop_back();
            const int32_t right = m_next[size_t(c.left)];
            if (m_id[size_t(c.left)] != c.leftId || right < 0 || m_id[size_t(right)] != c.rightId)
                continue; // stale: one side was merged away since
            m_id[size_t(c.left)] = c.result;
            m_id[size_t(right)] = kDead;
            const int32_t after = m_next[size_t(right)];
            m_next[size_t(c.left)] = after;
            if (after >= 0)
                m_prev[size_t(after)] = c.left;
            if (m_prev[size_t(c.left)] >= 0)
                push(m_prev[size_t(c.left)]);
            if (after >= 0)
                push(c.left);
        }
        for (int32_t i = 0; i >= 0; i = m_next[size_t(i)]) {
            const int32_t id = m_id[size_t(i)];
            if (id >= 0 && id < m_vocab.size()) {
                out.push_back(id);
                continue;
            }
            // Not a token (a merge result outside the vocabulary, or an unknown character): the
            // tokens of its bytes.
            const size_t begin = m_start[size_t(i)];
            const size_t end = m_next[size_t(i)] < 0 ? bytes.size() : m_start[size_t(m_next[size_t(i)])];
            for (size_t b = begin; b < end; ++b) {
                const int32_t t = m_vocab.byteToken[static_cast<uint8_t>(bytes[b])];
                if (t != kNoToken)
                    out.push_back(t);
            }
        }
    }

    void push(int32_t left)
    {
        const int32_t right = m_next[size_t(left)];
        const MergeTable::Entry* e = m_vocab.merges.find(m_id[size_t(left)], m_id[size_t(right)]);
        if (e) {
            m_queue.push_back(Candidate{e->rank, left, m_id[size_t(left)], m_id[size_t(right)], e->result});
            std::push_heap(m_queue.begin(), m_queue.end(), CandidateOrder{});
        }
    }

    const Vocab& m_vocab;
    std::vector<int32_t> m_id;
    std::vector<uint32_t> m_start; // first byte of each initial symbol
    std::vector<int32_t> m_prev;
    std::vector<int32_t> m_next;
    std::vector<Candidate> m_queue; // max-heap under CandidateOrder

    std::string m_mapped;
};

} // namespace

void encodeBpe(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out)
{
    if (text.empty())
        return;
    if (vocab.pre->rawUtf8()) {
        // Gemma 4: spaces become "▁", the text is cut at newlines, merges run on characters.
        std::string escaped;
        escaped.reserve(text.size() + text.size() / 2);
        for (const char c : text) {
            if (c == ' ')
                escaped += "\xE2\x96\x81";
            else
                escaped += c;
        }
        BpeWord word(vocab);
        size_t pos = 0;
        while (pos < escaped.size()) {
            const bool newlines = escaped[pos] == '\n';
            size_t end = pos;
            while (end < escaped.size() && (escaped[end] == '\n') == newlines)
                ++end;
            word.encodeRaw(std::string_view(escaped).substr(pos, end - pos), out);
            pos = end;
        }
        return;
    }
    // Code points as llama.cpp sees them: each invalid byte becomes U+FFFD. offsets[i] is where
    // code point i starts in text; `faithful` says whether re-encoding the code points gives the
    // same bytes (no invalid or overlong sequences), so that pieces can be views into text.
    std::vector<uint32_t> cps;
    std::vector<uint32_t> offsets;
    cps.reserve(text.size());
    offsets.reserve(text.size() + 1);
    bool faithful = true;
    std::string scratch;
    for (size_t offset = 0; offset < text.size();) {
        offsets.push_back(uint32_t(offset));
        const size_t before = offset;
        const uint32_t cp = unicode::decodeOne(text, offset);
        cps.push_back(cp);
        if (cp >= 0x80 || offset - before != 1) {
            scratch.clear();
            unicode::appendUtf8(scratch, cp);
            faithful = faithful && scratch.size() == offset - before;
        }
    }
    offsets.push_back(uint32_t(text.size()));
    std::vector<uint16_t> flags(cps.size());
    for (size_t i = 0; i < cps.size(); ++i)
        flags[i] = unicode::flags(cps[i]);

    std::vector<std::pair<size_t, size_t>> pieces;
    vocab.pre->split(cps.data(), flags.data(), cps.size(), pieces);

    BpeWord word(vocab);
    PieceCache cache;
    std::string bytes;
    for (const auto& [begin, end] : pieces) {
        if (faithful) {
            const std::string_view piece = text.substr(offsets[begin], offsets[end] - offsets[begin]);
            if (cache.lookup(piece, out))
                continue;
            const size_t first = out.size();
            word.encode(piece, out);
            cache.store(piece, out.data() + first, out.size() - first);
            continue;
        }
        bytes.clear();
        for (size_t i = begin; i < end; ++i)
            unicode::appendUtf8(bytes, cps[i]);
        word.encode(bytes, out);
    }
}

} // namespace engine::tokenizer
