#include "tokenizer/Tokenizer.h"

#include "tokenizer/UnicodeData.h"
#include "tokenizer/Vocab.h"

namespace engine::tokenizer {

namespace {
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";
}

StreamingDecoder::StreamingDecoder(const Tokenizer& tokenizer, bool showSpecial)
    : m_tokenizer(tokenizer), m_showSpecial(showSpecial)
{
}

std::string StreamingDecoder::push(int32_t id)
{
    std::string piece = m_tokenizer.tokenPiece(id, m_showSpecial);
    if (piece.empty())
        return {};
    const Vocab& v = m_tokenizer.vocab();
    // Same rule as Tokenizer::decode: the SentencePiece prefix space of the first piece goes.
    if (m_atStart && piece[0] == ' ' &&
        ((v.kind == ModelKind::Spm && v.addSpacePrefix) || v.kind == ModelKind::WordPiece))
        piece.erase(0, 1);
    m_atStart = false;
    m_pending += piece;
    return takeComplete();
}

std::string StreamingDecoder::takeComplete()
{
    std::string out;
    size_t pos = 0;
    const std::string_view pending(m_pending);
    while (pos < pending.size()) {
        const int len = unicode::validSequenceLength(pending.substr(pos));
        if (len > 0) {
            out.append(pending.substr(pos, size_t(len)));
            pos += size_t(len);
        } else if (len < 0) {
            break; // a character still waiting for its last bytes
        } else {
            // Never valid: one U+FFFD for the maximal invalid prefix (as Rust's from_utf8_lossy).
            size_t skip = 1;
            while (pos + skip < pending.size() && (static_cast<uint8_t>(pending[pos + skip]) & 0xC0) == 0x80 &&
                   unicode::validSequenceLength(pending.substr(pos, skip + 1)) < 0)
                ++skip;
            out.append(kReplacementUtf8);
            pos += skip;
        }
    }
    m_pending.erase(0, pos);
    return out;
}

std::string StreamingDecoder::flush()
{
    std::string out = takeComplete();
    if (!m_pending.empty())
        out.append(kReplacementUtf8);
    m_pending.clear();
    return out;
}

void StreamingDecoder::reset()
{
    m_pending.clear();
    m_atStart = true;
}

} // namespace engine::tokenizer
