#pragma once
// The vocabulary read from a GGUF file's tokenizer.ggml.* keys, with the lookup structures the
// encoders need: text -> id, BPE merge ranks keyed by id pairs, byte tokens, the trie of special
// tokens, and the decoded piece of every token. Immutable after load().

#include "core/Result.h"
#include "tokenizer/PreTokenizer.h"
#include "tokenizer/Tokenizer.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace engine::gguf {
class GgufFile;
}

namespace engine::tokenizer {

// (left id, right id) -> (rank, merged id), open addressing. Ids at or above the vocabulary size
// stand for merge results that are not tokens themselves (Vocab::extraTexts). Also used as a set of
// adjacent character pairs (Vocab::spmPairs).
class MergeTable {
public:
    struct Entry {
        uint64_t key = kEmpty;
        int32_t rank = 0;
        int32_t result = 0;
    };
    void reserve(size_t count);
    // Keeps the first (lowest-rank) entry when a pair repeats.
    void insert(int32_t left, int32_t right, int32_t rank, int32_t result);
    const Entry* find(int32_t left, int32_t right) const
    {
        const uint64_t key = makeKey(left, right);
        if (m_slots.empty() || key == kEmpty)
            return key == kEmpty && m_hasEmptyKey ? &m_emptyKeyEntry : nullptr;
        for (size_t i = hash(key) & m_mask;; i = (i + 1) & m_mask) {
            const Entry& e = m_slots[i];
            if (e.key == key)
                return &e;
            if (e.key == kEmpty)
                return nullptr;
        }
    }
    size_t size() const { return m_count; }

private:
    static constexpr uint64_t kEmpty = ~uint64_t(0);
    static uint64_t makeKey(int32_t l, int32_t r) { return (uint64_t(uint32_t(l)) << 32) | uint32_t(r); }
    static size_t hash(uint64_t k) { return size_t((k * 0x9E3779B97F4A7C15ull) >> 20); }
    void grow();
    std::vector<Entry> m_slots;
    size_t m_mask = 0;
    size_t m_count = 0;
    // The all-ones key marks empty slots, so that one pair is stored aside.
    bool m_hasEmptyKey = false;
    Entry m_emptyKeyEntry;
};

// Special tokens (control, user-defined, unknown) for the leftmost-longest scan of the text.
class SpecialTrie {
public:
    void insert(std::string_view text, int32_t id);
    // Longest token at text[pos...] whose id `allowed` accepts; {kNoToken, 0} if none.
    template <typename Allowed>
    std::pair<int32_t, size_t> longest(std::string_view text, size_t pos, const Allowed& allowed) const
    {
        std::pair<int32_t, size_t> best{kNoToken, 0};
        if (m_nodes.empty() || !m_first[static_cast<uint8_t>(text[pos])])
            return best;
        int node = 0;
        for (size_t i = pos; i < text.size(); ++i) {
            node = child(node, static_cast<uint8_t>(text[i]));
            if (node < 0)
                break;
            const int32_t id = m_nodes[size_t(node)].id;
            if (id != kNoToken && allowed(id))
                best = {id, i + 1 - pos};
        }
        return best;
    }
    bool empty() const { return m_nodes.size() <= 1; }

private:
    struct Node {
        std::vector<std::pair<uint8_t, int>> children;
        int32_t id = kNoToken;
    };
    int child(int node, uint8_t b) const
    {
        for (const auto& [c, n] : m_nodes[size_t(node)].children)
            if (c == b)
                return n;
        return -1;
    }
    std::vector<Node> m_nodes;
    std::array<bool, 256> m_first{};
};

// Length of the UTF-8 sequence a lead byte announces (1 for continuation and invalid bytes), as
// llama.cpp's unicode_len_utf8; and up to 4 bytes of a character packed into 32 bits.
size_t utf8Length(char lead);
uint32_t packChar(std::string_view utf8);

class Vocab {
public:
    static Result<std::unique_ptr<Vocab>> load(const gguf::GgufFile& file);

    int32_t size() const { return int32_t(texts.size()); }
    bool valid(int32_t id) const { return id >= 0 && id < size(); }
    std::optional<int32_t> find(std::string_view text) const
    {
        const auto it = textToId.find(text);
        if (it == textToId.end())
            return std::nullopt;
        return it->second;
    }

    ModelKind kind = ModelKind::Bpe;
    std::string preName;
    std::optional<PreTokenizer> pre; // byte-level BPE only

    std::vector<std::string> texts;
    std::vector<float> scores;
    std::vector<TokenType> types;
    std::vector<std::string> pieces; // what each token decodes to (special tokens: their text)
    std::unordered_map<std::string_view, int32_t> textToId;

    MergeTable merges;
    std::vector<std::string> extraTexts;  // merge results that are not tokens (ids size()+i)
    std::unordered_map<std::string, int32_t> extraIds;
    // Symbol id of a text for merging: its token, else its extra id, else -3 (merges with nothing).
    int32_t symbolOf(std::string_view text) const
    {
        if (const auto id = find(text))
            return *id;
        const auto it = extraIds.find(std::string(text));
        return it == extraIds.end() ? -3 : it->second;
    }
    std::array<int32_t, 256> byteSymbol{}; // BPE: symbol id of each raw byte (may be an extra id)
    std::array<int32_t, 256> byteToken{};  // token emitted for a raw byte, or kNoToken
    // SentencePiece: every pair of adjacent characters (UTF-8 bytes packed in 32 bits) that occurs
    // inside some token. Where a pair of the text is not in here, no merge can ever join the two
    // characters, so the text is cut there and the pieces merged separately (same result, small
    // priority queues).
    MergeTable spmPairs;

    SpecialTrie specials;
    // Added-token attributes llama.cpp sets by model name (the GGUF has no key for them):
    // whitespace after an rstrip token / before an lstrip token is dropped when it is matched.
    std::vector<bool> rstrip;
    std::vector<bool> lstrip;

    int32_t bos = kNoToken;
    int32_t eos = kNoToken;
    int32_t eot = kNoToken;
    int32_t eom = kNoToken;
    int32_t pad = kNoToken;
    int32_t unk = kNoToken;
    int32_t sep = kNoToken;
    bool addBos = false;
    bool addSep = false;       // WordPiece: [SEP] at the end
    bool lowercase = false;    // WordPiece normalizer
    bool stripAccents = false; // WordPiece normalizer
    size_t maxTokenBytes = 0;
    bool addEos = false;
    bool addSpacePrefix = false;
    std::vector<int32_t> endOfGeneration; // sorted
};

} // namespace engine::tokenizer
