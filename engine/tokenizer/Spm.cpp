#include "tokenizer/Encoders.h"

#include "tokenizer/Vocab.h"

#include <queue>
#include <string>

namespace engine::tokenizer {

namespace {

struct Symbol {
    uint32_t begin; // byte range in the escaped text
    uint32_t size;  // 0 once merged into its left neighbour
    int32_t prev;
    int32_t next;
};

struct Bigram {
    float score;
    int32_t left;
    int32_t right;
    uint32_t size; // combined byte length when queued: a mismatch means the entry is stale
};

struct BigramOrder {
    // Highest score first, then leftmost (llama.cpp's llm_bigram_spm order).
    bool operator()(const Bigram& a, const Bigram& b) const
    {
        return a.score != b.score ? a.score < b.score : a.left > b.left;
    }
};

// Merges one piece of the escaped text (the whole algorithm of llama.cpp's llm_tokenizer_spm).
void mergePiece(const Vocab& vocab, std::string_view all, std::vector<Symbol>& symbols, std::vector<int32_t>& out,
                PieceCache& cache)
{
    const std::string_view whole = all.substr(symbols.front().begin,
                                              symbols.back().begin + symbols.back().size - symbols.front().begin);
    if (cache.lookup(whole, out))
        return;
    const size_t first = out.size();

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    const auto tryAdd = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0)
            return;
        const Symbol& l = symbols[size_t(left)];
        const Symbol& r = symbols[size_t(right)];
        const auto id = vocab.find(all.substr(l.begin, l.size + r.size));
        if (!id)
            return;
        queue.push(Bigram{vocab.scores[size_t(*id)], left, right, l.size + r.size});
    };
    for (size_t i = 1; i < symbols.size(); ++i)
        tryAdd(int32_t(i - 1), int32_t(i));

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[size_t(b.left)];
        Symbol& r = symbols[size_t(b.right)];
        if (l.size == 0 || r.size == 0 || l.size + r.size != b.size || l.next != b.right)
            continue;
        l.size += r.size;
        r.size = 0;
        l.next = r.next;
        if (r.next >= 0)
            symbols[size_t(r.next)].prev = b.left;
        tryAdd(l.prev, b.left);
        tryAdd(b.left, l.next);
    }

    for (int32_t i = 0; i >= 0; i = symbols[size_t(i)].next) {
        const Symbol& s = symbols[size_t(i)];
        const std::string_view piece = all.substr(s.begin, s.size);
        if (const auto id = vocab.find(piece)) {
            out.push_back(*id);
            continue;
        }
        // Every merge produced a token, so only single characters get here: byte fallback.
        for (const char c : piece) {
            const int32_t t = vocab.byteToken[static_cast<uint8_t>(c)];
            if (t != kNoToken)
                out.push_back(t);
        }
    }
    cache.store(whole, out.data() + first, out.size() - first);
}

} // namespace

void encodeSpm(const Vocab& vocab, std::string_view text, bool prefixSpace, std::vector<int32_t>& out)
{
    static constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";
    std::string escaped;
    escaped.reserve(text.size() + 3 + text.size() / 2);
    if (prefixSpace)
        escaped += kSpaceMarker;
    for (const char c : text) {
        if (c == ' ')
            escaped += kSpaceMarker;
        else
            escaped += c;
    }
    if (escaped.empty())
        return;

    const std::string_view all(escaped);
    PieceCache cache;
    std::vector<Symbol> symbols;
    uint32_t prevChar = 0;
    for (size_t offset = 0; offset < all.size();) {
        const size_t len = std::min(utf8Length(all[offset]), all.size() - offset);
        const uint32_t packed = packChar(all.substr(offset, len));
        if (!symbols.empty() && !vocab.spmPairs.find(int32_t(prevChar), int32_t(packed))) {
            // No token contains these two characters side by side: no merge can cross here.
            mergePiece(vocab, all, symbols, out, cache);
            symbols.clear();
        }
        const int32_t index = int32_t(symbols.size());
        symbols.push_back(Symbol{uint32_t(offset), uint32_t(len), index - 1, -1});
        if (index > 0)
            symbols[size_t(index - 1)].next = index;
        prevChar = packed;
        offset += len;
    }
    if (!symbols.empty())
        mergePiece(vocab, all, symbols, out, cache);
}

} // namespace engine::tokenizer
