#include "tokenizer/Tokenizer.h"

#include "tokenizer/Encoders.h"
#include "tokenizer/Vocab.h"

#include <algorithm>

namespace engine::tokenizer {

namespace {
constexpr size_t kMaxBlockBytes = size_t(1) << 30;

// C's isspace in the "C" locale, which llama.cpp uses for lstrip/rstrip.
bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
} // namespace

Tokenizer::Tokenizer(std::unique_ptr<Vocab> vocab) : m_vocab(std::move(vocab)) {}
Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::fromGguf(const gguf::GgufFile& file)
{
    auto vocab = Vocab::load(file);
    if (!vocab)
        return vocab.error();
    return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(vocab).value()));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool addSpecial, bool parseSpecial) const
{
    const Vocab& v = *m_vocab;
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    if (addSpecial && v.addBos)
        out.push_back(v.bos);

    // Special tokens first: leftmost, longest match (as Hugging Face's added-token matcher);
    // user-defined tokens always, control and unknown tokens only with parseSpecial.
    const auto allowed = [&](int32_t id) {
        return parseSpecial || v.types[size_t(id)] == TokenType::UserDefined;
    };
    bool afterSpecial = true; // SentencePiece adds its prefix space at the start and after a special
    const auto encodeText = [&](std::string_view fragment) {
        while (!fragment.empty()) {
            // The encoders index bytes with 32 bits: beyond 1 GiB, cut at a newline (or at least
            // at a character boundary). Only absurdly large inputs are affected.
            size_t cut = fragment.size();
            if (cut > kMaxBlockBytes) {
                cut = fragment.rfind('\n', kMaxBlockBytes);
                if (cut == std::string_view::npos || cut == 0) {
                    cut = kMaxBlockBytes;
                    while (cut > 1 && (static_cast<uint8_t>(fragment[cut]) & 0xC0) == 0x80)
                        --cut;
                } else {
                    ++cut; // keep the newline with the block before it
                }
            }
            const std::string_view block = fragment.substr(0, cut);
            if (v.kind == ModelKind::Bpe)
                encodeBpe(v, block, out);
            else if (v.kind == ModelKind::Spm)
                encodeSpm(v, block, v.addSpacePrefix && afterSpecial, out);
            else
                encodeWpm(v, block, out);
            afterSpecial = false;
            fragment.remove_prefix(cut);
        }
    };
    size_t textStart = 0;
    if (!v.specials.empty()) {
        for (size_t pos = 0; pos < text.size();) {
            const auto [id, length] = v.specials.longest(text, pos, allowed);
            if (id == kNoToken) {
                ++pos;
                continue;
            }
            size_t before = pos;
            if (v.lstrip[size_t(id)])
                while (before > textStart && isAsciiSpace(text[before - 1]))
                    --before;
            encodeText(text.substr(textStart, before - textStart));
            out.push_back(id);
            afterSpecial = true;
            pos += length;
            if (v.rstrip[size_t(id)])
                while (pos < text.size() && isAsciiSpace(text[pos]))
                    ++pos;
            textStart = pos;
        }
    }
    encodeText(text.substr(textStart));

    if (addSpecial && v.addEos)
        out.push_back(v.eos);
    if (addSpecial && v.addSep)
        out.push_back(v.sep);
    return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool showSpecial) const
{
    std::string out;
    bool first = true;
    for (const int32_t id : ids) {
        const Vocab& v = *m_vocab;
        if (!v.valid(id))
            continue;
        const TokenType t = v.types[size_t(id)];
        if (!showSpecial && (t == TokenType::Control || t == TokenType::Unknown))
            continue;
        std::string_view piece = v.pieces[size_t(id)];
        if (piece.empty())
            continue;
        if (first && piece[0] == ' ' &&
            ((m_vocab->addSpacePrefix && m_vocab->kind == ModelKind::Spm) || m_vocab->kind == ModelKind::WordPiece))
            piece.remove_prefix(1);
        first = false;
        out.append(piece);
    }
    return out;
}

std::string Tokenizer::tokenPiece(int32_t id, bool showSpecial) const
{
    const Vocab& v = *m_vocab;
    if (!v.valid(id))
        return {};
    const TokenType t = v.types[size_t(id)];
    if (!showSpecial && (t == TokenType::Control || t == TokenType::Unknown))
        return {};
    return v.pieces[size_t(id)];
}

const std::string& Tokenizer::tokenText(int32_t id) const
{
    static const std::string empty;
    return m_vocab->valid(id) ? m_vocab->texts[size_t(id)] : empty;
}

TokenType Tokenizer::tokenType(int32_t id) const
{
    return m_vocab->valid(id) ? m_vocab->types[size_t(id)] : TokenType::Undefined;
}

std::optional<int32_t> Tokenizer::findToken(std::string_view text) const { return m_vocab->find(text); }
int32_t Tokenizer::vocabSize() const { return m_vocab->size(); }
ModelKind Tokenizer::kind() const { return m_vocab->kind; }
const std::string& Tokenizer::preName() const { return m_vocab->preName; }

const std::string& Tokenizer::preUsed() const
{
    static const std::string none;
    return m_vocab->pre ? m_vocab->pre->usedName() : none;
}

int32_t Tokenizer::bos() const { return m_vocab->bos; }
int32_t Tokenizer::eos() const { return m_vocab->eos; }
int32_t Tokenizer::eot() const { return m_vocab->eot; }
int32_t Tokenizer::pad() const { return m_vocab->pad; }
int32_t Tokenizer::unk() const { return m_vocab->unk; }
bool Tokenizer::addBos() const { return m_vocab->addBos; }
bool Tokenizer::addEos() const { return m_vocab->addEos; }

bool Tokenizer::isEndOfGeneration(int32_t id) const
{
    const auto& eog = m_vocab->endOfGeneration;
    return std::binary_search(eog.begin(), eog.end(), id);
}

bool Tokenizer::isControl(int32_t id) const { return tokenType(id) == TokenType::Control; }

} // namespace engine::tokenizer
