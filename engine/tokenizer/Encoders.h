#pragma once
// The two merge algorithms behind Tokenizer::encode, applied to one fragment of plain text (the
// text between special tokens). Both keep the candidate merges in a priority queue over a linked
// list of symbols, so a word of n bytes costs O(n log n), never O(n^2).

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace engine::tokenizer {

class Vocab;

// Words repeat: within one encode call, the ids of each short piece are remembered (as Hugging
// Face's BPE does with its word cache). The keys view the caller's text, which outlives the cache.
class PieceCache {
public:
    static constexpr size_t kMaxPieceBytes = 48;
    static constexpr size_t kMaxEntries = 1 << 16;

    // Appends the cached ids of piece to out; false when not cached.
    bool lookup(std::string_view piece, std::vector<int32_t>& out) const
    {
        const auto it = m_map.find(piece);
        if (it == m_map.end())
            return false;
        out.insert(out.end(), m_ids.begin() + it->second.first, m_ids.begin() + it->second.second);
        return true;
    }
    void store(std::string_view piece, const int32_t* ids, size_t count)
    {
        if (piece.size() > kMaxPieceBytes || m_map.size() >= kMaxEntries)
            return;
        const auto begin = std::ptrdiff_t(m_ids.size());
        m_ids.insert(m_ids.end(), ids, ids + count);
        m_map.emplace(piece, std::make_pair(begin, std::ptrdiff_t(m_ids.size())));
    }

private:
    std::unordered_map<std::string_view, std::pair<std::ptrdiff_t, std::ptrdiff_t>> m_map;
    std::vector<int32_t> m_ids;
};

// Byte-level BPE: pre-tokenize, map bytes to GPT-2's byte alphabet, merge by rank.
void encodeBpe(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

// SentencePiece-style BPE: spaces become U+2581, symbols are UTF-8 characters, the pair whose
// concatenation is the highest-scoring token merges first; leftovers use byte tokens <0xXX>.
// prefixSpace: prepend one space first (add_space_prefix at the start of the text or after a
// special token).
void encodeSpm(const Vocab& vocab, std::string_view text, bool prefixSpace, std::vector<int32_t>& out);

// WordPiece (BERT): normalize (drop control characters, optionally strip accents via NFD and
// lowercase), split at whitespace, punctuation and CJK characters, then match each word greedily
// longest-first against "▁word" (the GGUF form of word-initial tokens); a word that cannot be
// covered becomes [UNK].
void encodeWpm(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

} // namespace engine::tokenizer
