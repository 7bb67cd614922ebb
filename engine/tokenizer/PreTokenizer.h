#pragma once
// Byte-level BPE pre-tokenization: the regex splits chosen by tokenizer.ggml.pre. The patterns
// are those of each model's Hugging Face tokenizer.json (as catalogued by llama.cpp's
// llama-vocab.cpp); several patterns are applied one after the other, each splitting the pieces
// the previous one produced, and text between matches stays a piece of its own.

#include "core/Result.h"
#include "tokenizer/Regex.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace engine::tokenizer {

class PreTokenizer {
public:
    // name: tokenizer.ggml.pre ("" when absent). Unknown names fall back to llama.cpp's default
    // pre-tokenizer with a warning in the log; usedName() then says "default".
    static Result<PreTokenizer> forName(const std::string& name);

    // Every tokenizer.ggml.pre value with its own patterns.
    static std::vector<std::string> knownNames();

    const std::string& usedName() const { return m_usedName; }
    // HF "ignore_merges": a piece that is itself a token is emitted whole (llama3, tekken).
    bool ignoreMerges() const { return m_ignoreMerges; }
    // Default for add_bos_token when the key is absent (llama.cpp's per-pre defaults).
    bool defaultAddBos() const { return m_defaultAddBos; }
    // SentencePiece-style BPE on raw UTF-8 with "▁" for spaces and <0xNN> byte tokens instead of
    // GPT-2's byte alphabet (Gemma 4: the "[^\n]+|[\n]+" split).
    bool rawUtf8() const { return m_rawUtf8; }

    // Splits code points cps[0, n) (with their unicode::flags) into pieces [begin, end).
    void split(const uint32_t* cps, const uint16_t* flags, size_t n,
               std::vector<std::pair<size_t, size_t>>& pieces) const;

private:
    std::string m_usedName;
    std::vector<Regex> m_regexes;
    bool m_ignoreMerges = false;
    bool m_defaultAddBos = false;
    bool m_rawUtf8 = false;
};

} // namespace engine::tokenizer
