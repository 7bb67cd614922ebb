#pragma once
// The tokenizer of a GGUF model: text <-> token ids, exactly as Hugging Face's tokenizers (and
// llama.cpp) do it for the same vocabulary.
//
//   auto tok = Tokenizer::fromGguf(file);            // Result<std::unique_ptr<Tokenizer>>
//   std::vector<int32_t> ids = (*tok)->encode(text, /*addSpecial=*/true, /*parseSpecial=*/false);
//   std::string text = (*tok)->decode(ids, /*showSpecial=*/false);
//
// Supported tokenizer.ggml.model values: "gpt2" (byte-level BPE with the pre-tokenizer chosen by
// tokenizer.ggml.pre), "llama" (SentencePiece-style BPE with scores and byte fallback) and "bert"
// (WordPiece).
// A Tokenizer is immutable after loading: encode/decode are const and safe to call from several
// threads at once. See docs/tokenizer.md.

#include "core/Result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace engine::gguf {
class GgufFile;
}

namespace engine::tokenizer {

constexpr int32_t kNoToken = -1;

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,      // <s>, <|im_start|>: recognised in text only with parseSpecial
    UserDefined = 4,  // added tokens: always recognised in text
    Unused = 5,
    Byte = 6,         // SentencePiece byte fallback, e.g. <0x0A>
};

enum class ModelKind {
    Bpe,       // "gpt2": byte-level BPE
    Spm,       // "llama": SentencePiece-style BPE
    WordPiece, // "bert": BERT normalizer + greedy longest-match WordPiece
};

class Vocab;

class Tokenizer {
public:
    // Reads the tokenizer.ggml.* keys. Errors: MissingKey (naming the key) when tokens, merges
    // (gpt2), scores (llama) or token types are absent; InvalidFile when arrays disagree in length
    // or an id is out of range; Unsupported for other tokenizer models.
    static Result<std::unique_ptr<Tokenizer>> fromGguf(const gguf::GgufFile& file);

    ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    // Text (any bytes; invalid UTF-8 is handled like llama.cpp: each invalid byte counts as U+FFFD
    // for byte-level BPE, and is byte-fallback encoded for SentencePiece) to ids.
    // addSpecial: add BOS/EOS as the model's add_bos_token/add_eos_token flags say (WordPiece:
    // [CLS] ... [SEP]).
    // parseSpecial: control tokens written in the text (e.g. "<|im_start|>") become their id;
    // without it they are tokenized as plain text. User-defined tokens are always recognised.
    std::vector<int32_t> encode(std::string_view text, bool addSpecial, bool parseSpecial) const;

    // Ids to bytes. Control tokens are dropped unless showSpecial; out-of-range ids are skipped.
    // The SentencePiece prefix space added by encode() is removed again (WordPiece: the space
    // before the first word). The result can contain
    // incomplete UTF-8 when the ids end in the middle of a character; use StreamingDecoder for
    // text shown while generating.
    std::string decode(std::span<const int32_t> ids, bool showSpecial) const;

    // The bytes one token stands for (byte-level decoded, ▁ -> space, <0x0A> -> "\n"). Control
    // and unknown tokens give their text when showSpecial, "" otherwise; unused tokens and
    // out-of-range ids give "". May be part of a UTF-8 character.
    std::string tokenPiece(int32_t id, bool showSpecial = true) const;
    // The token's text as stored in the vocabulary (e.g. "Ġworld", "▁Hello", "<0x0A>").
    const std::string& tokenText(int32_t id) const;
    TokenType tokenType(int32_t id) const;
    // Exact lookup of a vocabulary string (tokenText form).
    std::optional<int32_t> findToken(std::string_view text) const;

    int32_t vocabSize() const;
    ModelKind kind() const;
    // tokenizer.ggml.pre as read ("" when absent) and the pre-tokenizer actually used.
    const std::string& preName() const;
    const std::string& preUsed() const;

    // Special ids; kNoToken when the model has none.
    int32_t bos() const;
    int32_t eos() const;
    int32_t eot() const;
    int32_t pad() const;
    int32_t unk() const;
    bool addBos() const;
    bool addEos() const;
    // True for EOS, EOT, EOM and the usual end-of-turn control tokens (<|im_end|>, <|eot_id|>,
    // <end_of_turn>, <|endoftext|> ...): generation stops there.
    bool isEndOfGeneration(int32_t id) const;
    bool isControl(int32_t id) const;

    const Vocab& vocab() const { return *m_vocab; }

private:
    explicit Tokenizer(std::unique_ptr<Vocab> vocab);
    friend class StreamingDecoder;
    std::unique_ptr<Vocab> m_vocab;
};

// Turns ids into text while they are generated, one at a time. push() returns only complete
// UTF-8: bytes of a character split over several tokens are held back until it is complete.
// Bytes that can never form a character are replaced by U+FFFD (as Hugging Face's decode does),
// so every returned string is valid UTF-8. Concatenating push()... + flush() gives the same text
// as Tokenizer::decode for valid UTF-8 output.
class StreamingDecoder {
public:
    explicit StreamingDecoder(const Tokenizer& tokenizer, bool showSpecial = false);

    std::string push(int32_t id);
    // End of stream: whatever is still held back (an incomplete character becomes U+FFFD).
    std::string flush();
    // Start a new stream (the SentencePiece leading-space rule applies again).
    void reset();

private:
    std::string takeComplete();

    const Tokenizer& m_tokenizer;
    bool m_showSpecial;
    bool m_atStart = true;
    std::string m_pending;
};

} // namespace engine::tokenizer
