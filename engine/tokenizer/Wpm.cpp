#include "tokenizer/Encoders.h"

#include "tokenizer/UnicodeData.h"
#include "tokenizer/Vocab.h"

#include <algorithm>
#include <string>

namespace engine::tokenizer {

namespace {

// The CJK ideograph blocks BERT isolates (tokenizers' BertNormalizer::is_chinese_char, including
// its 0x2B920 start of Extension E that llama.cpp copies).
bool isChineseChar(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// BERT's normalizer and pre-tokenizer, as llama.cpp's llm_tokenizer_wpm_session::preprocess.
std::vector<std::string> splitWords(const Vocab& vocab, std::string_view text)
{
    std::vector<uint32_t> cps = unicode::decode(text);
    if (vocab.stripAccents) {
        std::vector<uint32_t> nfd;
        nfd.reserve(cps.size());
        for (const uint32_t cp : cps)
            unicode::appendNfd(cp, nfd);
        cps.swap(nfd);
    }
    std::vector<std::string> words(1);
    for (const uint32_t cp : cps) {
        const uint16_t f = unicode::flags(cp);
        if (f & unicode::kWhitespace) {
            if (!words.back().empty())
                words.emplace_back();
            continue;
        }
        if (cp == 0 || cp == unicode::kReplacement || (f & unicode::kOther))
            continue;
        if (vocab.stripAccents && (f & unicode::kMark))
            continue;
        std::string s;
        unicode::appendUtf8(s, vocab.lowercase ? unicode::toLower(cp) : cp);
        if ((f & unicode::kPunct) || (cp < 0x7F && (f & unicode::kSymbol)) || isChineseChar(cp)) {
            if (!words.back().empty())
                words.emplace_back();
            words.back() = s;
            words.emplace_back();
        } else {
            words.back() += s;
        }
    }
    if (words.back().empty())
        words.pop_back();
    return words;
}

} // namespace

void encodeWpm(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out)
{
    for (const std::string& word : splitWords(vocab, text)) {
        const std::string marked = "\xE2\x96\x81" + word; // GGUF spells word-initial tokens "▁word"
        const size_t n = marked.size();
        const size_t start = out.size();
        bool covered = true;
        for (size_t i = 0; i < n;) {
            size_t matched = 0;
            for (size_t j = std::min(n, i + vocab.maxTokenBytes); j > i; --j) {
                if (const auto id = vocab.find(std::string_view(marked).substr(i, j - i))) {
                    out.push_back(*id);
                    matched = j - i;
                    break;
                }
            }
            if (matched == 0) {
                covered = false;
                break;
            }
            i += matched;
        }
        if (!covered)
            out.resize(start);
        if (out.size() == start && vocab.unk != kNoToken)
            out.push_back(vocab.unk);
    }
}

} // namespace engine::tokenizer
