#pragma once
// Unicode properties the pre-tokenizer needs: general category (\p{L}, \p{Lu}, \p{N}, \p{P} ...)
// and White_Space (\s), from a generated range table (UnicodeData.cpp, made by
// tools/gen_unicode_data.py; kUnicodeVersion says which Unicode version), plus lenient UTF-8
// decoding that treats invalid bytes the way llama.cpp does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engine::tokenizer::unicode {

enum Flag : uint16_t {
    kLu = 1 << 0,
    kLl = 1 << 1,
    kLt = 1 << 2,
    kLm = 1 << 3,
    kLo = 1 << 4,
    kMark = 1 << 5,       // Mn, Mc, Me
    kDigit = 1 << 6,      // Nd
    kNumberOther = 1 << 7, // Nl, No
    kPunct = 1 << 8,      // Pc, Pd, Ps, Pe, Pi, Pf, Po
    kSymbol = 1 << 9,     // Sm, Sc, Sk, So
    kSeparator = 1 << 10, // Zs, Zl, Zp
    kOther = 1 << 11,     // Cc, Cf, Cs, Co, Cn (and code points past U+10FFFF)
    kWhitespace = 1 << 12, // White_Space property

    kLetter = kLu | kLl | kLt | kLm | kLo,
    kNumber = kDigit | kNumberOther,
};

struct CodepointRange {
    uint32_t first;
    uint16_t flags;
};

struct CodepointPair {
    uint32_t from;
    uint32_t to;
};

struct Decomposition {
    uint32_t cp;
    uint32_t offset; // into kDecompositionData
    uint32_t length;
};

extern const char* const kUnicodeVersion;
extern const CodepointRange kCodepointRanges[];
extern const size_t kCodepointRangeCount;
extern const CodepointPair kLowercase[];        // sorted by from
extern const size_t kLowercaseCount;
extern const uint32_t kDecompositionData[];
extern const Decomposition kDecompositions[];   // sorted by cp; Hangul syllables not included
extern const size_t kDecompositionCount;

// Lowercase of one code point (itself when it has none).
uint32_t toLower(uint32_t cp);
// Appends the canonical decomposition (NFD) of one code point, Hangul syllables included.
void appendNfd(uint32_t cp, std::vector<uint32_t>& out);

// Flags of one code point (O(1): a two-level table built from the ranges on first use).
uint16_t flags(uint32_t cp);

constexpr uint32_t kReplacement = 0xFFFD;

// Decodes one code point at text[offset] like llama.cpp's unicode_cpt_from_utf8: the length comes
// from the lead byte and continuation bytes must be 10xxxxxx (overlong forms and surrogates are
// accepted). On an invalid or truncated sequence it returns kReplacement and consumes one byte.
uint32_t decodeOne(std::string_view text, size_t& offset);

// All code points of text, decoded with decodeOne.
std::vector<uint32_t> decode(std::string_view text);

void appendUtf8(std::string& out, uint32_t cp);

// Length of a complete, valid UTF-8 sequence starting at text[0] (strict: no overlongs, no
// surrogates, <= U+10FFFF); 0 if text starts with an invalid sequence; -1 if text is a valid but
// incomplete prefix of a sequence.
int validSequenceLength(std::string_view text);

// Byte-level BPE's byte <-> code point map (GPT-2's bytes_to_unicode): printable bytes map to
// themselves, the others to U+0100 and up.
uint32_t byteToCodepoint(uint8_t byte);
// -1 if cp is not in the map.
int codepointToByte(uint32_t cp);

} // namespace engine::tokenizer::unicode
