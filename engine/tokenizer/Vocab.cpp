#include "tokenizer/Vocab.h"

#include "core/Log.h"
#include "gguf/GgufFile.h"
#include "tokenizer/UnicodeData.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace engine::tokenizer {

// ---- MergeTable ---------------------------------------------------------------------------------

void MergeTable::reserve(size_t count)
{
    size_t cap = 16;
    while (cap < count * 2)
        cap <<= 1;
    if (cap > m_slots.size()) {
        std::vector<Entry> old;
        old.swap(m_slots);
        m_slots.assign(cap, Entry{});
        m_mask = cap - 1;
        m_count = 0;
        for (const Entry& e : old)
            if (e.key != kEmpty)
                insert(int32_t(e.key >> 32), int32_t(uint32_t(e.key)), e.rank, e.result);
    }
}

void MergeTable::grow()
{
    reserve(std::max<size_t>(m_count + 1, m_slots.size()));
}

void MergeTable::insert(int32_t left, int32_t right, int32_t rank, int32_t result)
{
    const uint64_t key = makeKey(left, right);
    if (key == kEmpty) {
        if (!m_hasEmptyKey)
            m_emptyKeyEntry = Entry{key, rank, result};
        m_hasEmptyKey = true;
        return;
    }
    if ((m_count + 1) * 2 > m_slots.size())
        grow();
    for (size_t i = hash(key) & m_mask;; i = (i + 1) & m_mask) {
        Entry& e = m_slots[i];
        if (e.key == key)
            return;
        if (e.key == kEmpty) {
            e = Entry{key, rank, result};
            ++m_count;
            return;
        }
    }
}

// ---- SpecialTrie --------------------------------------------------------------------------------

void SpecialTrie::insert(std::string_view text, int32_t id)
{
    if (text.empty())
        return;
    if (m_nodes.empty())
        m_nodes.emplace_back();
    m_first[static_cast<uint8_t>(text[0])] = true;
    int node = 0;
    for (const char ch : text) {
        const uint8_t b = static_cast<uint8_t>(ch);
        int next = child(node, b);
        if (next < 0) {
            next = int(m_nodes.size());
            m_nodes[size_t(node)].children.emplace_back(b, next);
            m_nodes.emplace_back();
        }
        node = next;
    }
    if (m_nodes[size_t(node)].id == kNoToken)
        m_nodes[size_t(node)].id = id;
}

// ---- loading ------------------------------------------------------------------------------------

namespace {

constexpr const char* kKeyModel = "tokenizer.ggml.model";
constexpr const char* kKeyPre = "tokenizer.ggml.pre";
constexpr const char* kKeyTokens = "tokenizer.ggml.tokens";
constexpr const char* kKeyScores = "tokenizer.ggml.scores";
constexpr const char* kKeyTypes = "tokenizer.ggml.token_type";
constexpr const char* kKeyMerges = "tokenizer.ggml.merges";

Error missing(const char* key, const std::string& why)
{
    return makeError(ErrorCode::MissingKey, std::string("tokenizer: key '") + key + "' is missing (" + why + ")");
}

std::string byteLevelDecode(std::string_view text)
{
    std::string out;
    size_t offset = 0;
    while (offset < text.size()) {
        const size_t start = offset;
        const uint32_t cp = unicode::decodeOne(text, offset);
        const int byte = unicode::codepointToByte(cp);
        if (byte >= 0)
            out += static_cast<char>(byte);
        else
            out.append(text.substr(start, offset - start)); // not a byte-level character: keep as is
    }
    return out;
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to)
{
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t hit = text.find(from, pos);
        if (hit == std::string_view::npos)
            break;
        out.append(text.substr(pos, hit - pos));
        out.append(to);
        pos = hit + from.size();
    }
    out.append(text.substr(pos));
    return out;
}

// "<0x0A>" -> 10; -1 if text is not a byte token.
int parseByteToken(std::string_view text)
{
    if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>')
        return -1;
    int value = 0;
    for (size_t i = 3; i < 5; ++i) {
        const char c = text[i];
        value <<= 4;
        if (c >= '0' && c <= '9') value |= c - '0';
        else if (c >= 'A' && c <= 'F') value |= c - 'A' + 10;
        else if (c >= 'a' && c <= 'f') value |= c - 'a' + 10;
        else return -1;
    }
    return value;
}

} // namespace

size_t utf8Length(char lead)
{
    static constexpr size_t lookup[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lookup[static_cast<uint8_t>(lead) >> 4];
}

uint32_t packChar(std::string_view utf8)
{
    uint32_t packed = 0;
    for (size_t i = 0; i < utf8.size() && i < 4; ++i)
        packed |= uint32_t(static_cast<uint8_t>(utf8[i])) << (8 * i);
    return packed;
}

namespace {

// Texts llama.cpp treats as end of generation (besides the eos/eot/eom keys).
constexpr const char* kEndOfGenerationTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<|eom_id|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
};
constexpr const char* kEndOfTurnTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
};

} // namespace

Result<std::unique_ptr<Vocab>> Vocab::load(const gguf::GgufFile& file)
{
    auto vocab = std::make_unique<Vocab>();
    Vocab& v = *vocab;

    const std::optional<std::string> model = file.getString(kKeyModel);
    if (!model)
        return missing(kKeyModel, "the file has no tokenizer");
    if (*model == "gpt2" || *model == "gemma4")
        v.kind = ModelKind::Bpe;
    else if (*model == "llama")
        v.kind = ModelKind::Spm;
    else if (*model == "bert")
        v.kind = ModelKind::WordPiece;
    else
        return makeError(ErrorCode::Unsupported, "tokenizer: tokenizer.ggml.model '" + *model +
                                                     "' is not supported (supported: gpt2, llama, bert)");

    // Tokens.
    const gguf::Value* tokens = file.find(kKeyTokens);
    if (!tokens)
        return missing(kKeyTokens, "the token list");
    if (!tokens->isArray() || tokens->elementType() != gguf::ValueType::String)
        return makeError(ErrorCode::InvalidFile, std::string("tokenizer: '") + kKeyTokens + "' is not an array of strings");
    const size_t n = tokens->size();
    if (n == 0 || n > size_t(INT32_MAX / 2))
        return makeError(ErrorCode::InvalidFile, std::string("tokenizer: '") + kKeyTokens + "' has " +
                                                     std::to_string(n) + " entries");
    v.texts.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        std::string text = *tokens->items()[i].asString();
        if (text.empty())
            text = "[EMPTY_" + std::to_string(i) + "]"; // as llama.cpp: keeps lookups unambiguous
        v.maxTokenBytes = std::max(v.maxTokenBytes, text.size());
        v.texts.push_back(std::move(text));
    }

    // Token types (required: they decide what is special and what decodes how).
    if (!file.find(kKeyTypes))
        return missing(kKeyTypes, "token types decide which tokens are special");
    const std::optional<std::vector<int64_t>> types = file.getIntArray(kKeyTypes);
    if (!types)
        return makeError(ErrorCode::InvalidFile, std::string("tokenizer: '") + kKeyTypes + "' is not an integer array");
    if (types->size() < n)
        return makeError(ErrorCode::InvalidFile, std::string("tokenizer: '") + kKeyTypes + "' has " +
                                                     std::to_string(types->size()) + " entries for " +
                                                     std::to_string(n) + " tokens");
    v.types.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t t = (*types)[i];
        v.types[i] = (t >= 0 && t <= 6) ? static_cast<TokenType>(t) : TokenType::Undefined;
    }

    // Scores (required for SentencePiece, where they drive the merges).
    if (file.find(kKeyScores)) {
        const std::optional<std::vector<float>> scores = file.getFloatArray(kKeyScores);
        if (!scores || scores->size() < n)
            return makeError(ErrorCode::InvalidFile, std::string("tokenizer: '") + kKeyScores +
                                                         "' is not a numeric array with one entry per token");
        v.scores.assign(scores->begin(), scores->begin() + std::ptrdiff_t(n));
    } else if (v.kind == ModelKind::Spm) {
        return missing(kKeyScores, "SentencePiece merges are driven by token scores");
    } else {
        v.scores.assign(n, 0.0f);
    }

    v.textToId.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        const auto [it, inserted] = v.textToId.emplace(std::string_view(v.texts[i]), int32_t(i));
        if (!inserted)
            logWarning("tokenizer: token " + std::to_string(i) + " duplicates token " +
                       std::to_string(it->second) + "; the first one is used for encoding");
    }

    // Pre-tokenizer and merges (byte-level BPE).
    v.preName = file.getString(kKeyPre).value_or(std::string());
    if (v.kind == ModelKind::Bpe) {
        // llama.cpp: the "gemma4" model always uses the gemma4 pre-tokenizer.
        auto pre = PreTokenizer::forName(*model == "gemma4" ? std::string("gemma4") : v.preName);
        if (!pre)
            return pre.error();
        v.pre = std::move(pre).value();

        const gguf::Value* merges = file.find(kKeyMerges);
        if (!merges)
            return missing(kKeyMerges, "byte-level BPE needs its merges");
        if (!merges->isArray() || merges->elementType() != gguf::ValueType::String)
            return makeError(ErrorCode::InvalidFile, std::string("tokenizer: '") + kKeyMerges + "' is not an array of strings");

        const auto symbolId = [&](std::string_view text) -> int32_t {
            if (const auto id = v.find(text))
                return *id;
            const auto [it, inserted] = v.extraIds.emplace(std::string(text), int32_t(n + v.extraTexts.size()));
            if (inserted)
                v.extraTexts.emplace_back(text);
            return it->second;
        };
        v.merges.reserve(merges->size());
        int32_t rank = 0;
        for (const gguf::Value& item : merges->items()) {
            const std::string& merge = *item.asString();
            // As llama.cpp: the separator is the first space after the first byte.
            const size_t space = merge.find(' ', 1);
            if (space == std::string::npos || space + 1 >= merge.size()) {
                ++rank;
                continue;
            }
            const std::string_view left(merge.data(), space);
            const std::string_view right(merge.data() + space + 1, merge.size() - space - 1);
            const int32_t l = symbolId(left);
            const int32_t r = symbolId(right);
            const int32_t result = symbolId(std::string(left) + std::string(right));
            v.merges.insert(l, r, rank++, result);
        }
        for (int b = 0; b < 256; ++b) {
            if (v.pre->rawUtf8()) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "<0x%02X>", b);
                v.byteToken[size_t(b)] = v.find(hex).value_or(kNoToken);
                continue;
            }
            std::string mapped;
            unicode::appendUtf8(mapped, unicode::byteToCodepoint(uint8_t(b)));
            v.byteSymbol[size_t(b)] = symbolId(mapped);
            v.byteToken[size_t(b)] = v.find(mapped).value_or(kNoToken);
        }
    } else if (v.kind == ModelKind::Spm) {
        for (const std::string& text : v.texts) {
            uint32_t prev = 0;
            for (size_t offset = 0; offset < text.size();) {
                const size_t len = std::min(utf8Length(text[offset]), text.size() - offset);
                const uint32_t packed = packChar(std::string_view(text).substr(offset, len));
                if (offset > 0)
                    v.spmPairs.insert(int32_t(prev), int32_t(packed), 0, 0);
                prev = packed;
                offset += len;
            }
        }
        for (int b = 0; b < 256; ++b) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "<0x%02X>", b);
            std::optional<int32_t> id = v.find(hex);
            if (!id)
                id = v.find(std::string(1, char(b)));
            v.byteToken[size_t(b)] = id.value_or(kNoToken);
            v.byteSymbol[size_t(b)] = v.byteToken[size_t(b)];
        }
    }

    // Decoded pieces.
    v.pieces.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const std::string& text = v.texts[i];
        switch (v.types[i]) {
        case TokenType::Normal:
            // WordPiece: "▁word" starts a word, a bare "piece" continues one (GGUF's form of "##").
            if (v.kind == ModelKind::Bpe && !v.pre->rawUtf8())
                v.pieces[i] = byteLevelDecode(text);
            else
                v.pieces[i] = replaceAll(text, "\xE2\x96\x81", " ");
            break;
        case TokenType::Byte: {
            const int b = parseByteToken(text);
            v.pieces[i] = b >= 0 ? std::string(1, char(b)) : text;
            break;
        }
        case TokenType::Control:
        case TokenType::Unknown:
        case TokenType::UserDefined:
            v.pieces[i] = text;
            break;
        case TokenType::Unused:
        case TokenType::Undefined:
            break; // decodes to nothing, as in llama.cpp
        }
    }

    // Special ids.
    const auto readId = [&](const char* key, int32_t fallback) {
        const std::optional<int64_t> id = file.getInt(key);
        if (!id)
            return v.valid(fallback) ? fallback : kNoToken;
        if (*id < 0 || *id >= int64_t(n)) {
            logWarning(std::string("tokenizer: '") + key + "' = " + std::to_string(*id) +
                       " is outside the vocabulary; ignored");
            return v.valid(fallback) ? fallback : kNoToken;
        }
        return int32_t(*id);
    };
    // Defaults when the keys are absent: llama.cpp's per-model defaults.
    const bool spm = v.kind == ModelKind::Spm;
    const bool wpm = v.kind == ModelKind::WordPiece;
    v.bos = readId("tokenizer.ggml.bos_token_id", spm ? 1 : wpm ? 101 : kNoToken);
    v.eos = readId("tokenizer.ggml.eos_token_id", spm ? 2 : kNoToken);
    v.eot = readId("tokenizer.ggml.eot_token_id", kNoToken);
    v.eom = readId("tokenizer.ggml.eom_token_id", kNoToken);
    v.unk = readId("tokenizer.ggml.unknown_token_id", spm ? 0 : wpm ? 100 : kNoToken);
    v.sep = readId("tokenizer.ggml.seperator_token_id", wpm ? 102 : kNoToken);
    v.pad = readId("tokenizer.ggml.padding_token_id", wpm ? 0 : kNoToken);

    v.addBos = file.getBool("tokenizer.ggml.add_bos_token").value_or(spm || wpm ? true : v.pre->defaultAddBos());
    if (v.pre && v.pre->rawUtf8() && !v.addBos) {
        logWarning("tokenizer: add_bos_token overridden to true for Gemma 4 (as llama.cpp does)");
        v.addBos = true;
    }
    v.addSep = wpm && v.sep != kNoToken;
    v.lowercase = file.getBool("tokenizer.ggml.normalizer.lowercase").value_or(true);
    v.stripAccents = file.getBool("tokenizer.ggml.normalizer.strip_accents").value_or(v.lowercase);
    v.addEos = file.getBool("tokenizer.ggml.add_eos_token").value_or(false);
    v.addSpacePrefix = file.getBool("tokenizer.ggml.add_space_prefix").value_or(spm);
    if (v.addBos && v.bos == kNoToken) {
        logWarning("tokenizer: add_bos_token is set but the model has no BOS token; not adding one");
        v.addBos = false;
    }
    if (v.addEos && v.eos == kNoToken) {
        logWarning("tokenizer: add_eos_token is set but the model has no EOS token; not adding one");
        v.addEos = false;
    }

    // End of generation: the eos/eot/eom ids plus the usual end-of-turn tokens (as llama.cpp).
    if (v.eot == kNoToken) {
        for (const char* text : kEndOfTurnTexts) {
            if (const auto id = v.find(text)) {
                v.eot = *id;
                break;
            }
        }
    }
    for (const int32_t id : {v.eos, v.eot, v.eom})
        if (id != kNoToken)
            v.endOfGeneration.push_back(id);
    for (const char* text : kEndOfGenerationTexts)
        if (const auto id = v.find(text); id && v.types[size_t(*id)] == TokenType::Control)
            v.endOfGeneration.push_back(*id);
    std::sort(v.endOfGeneration.begin(), v.endOfGeneration.end());
    v.endOfGeneration.erase(std::unique(v.endOfGeneration.begin(), v.endOfGeneration.end()), v.endOfGeneration.end());

    // Special tokens recognised in text.
    v.rstrip.assign(n, false);
    v.lstrip.assign(n, false);
    for (size_t i = 0; i < n; ++i) {
        const TokenType t = v.types[i];
        if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown)
            v.specials.insert(v.texts[i], int32_t(i));
    }
    // As llama.cpp: Phi-3's special tokens strip the whitespace after them (their tokenizer.json
    // says rstrip), and jina-v2's <mask> the whitespace before it.
    std::string name = file.getString("general.name").value_or(std::string());
    for (char& c : name)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (size_t i = 0; i < n; ++i) {
            const TokenType t = v.types[i];
            v.rstrip[i] = t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
        }
        for (const char* text : {"<unk>", "<s>", "<|endoftext|>"})
            if (const auto id = v.find(text))
                v.rstrip[size_t(*id)] = false;
    }
    if (v.preName == "jina-v2-de" || v.preName == "jina-v2-es" || v.preName == "jina-v2-code")
        if (const auto id = v.find("<mask>"))
            v.lstrip[size_t(*id)] = true;
    return vocab;
}

} // namespace engine::tokenizer
