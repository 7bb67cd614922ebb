#include "tokenizer/UnicodeData.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <unordered_map>

namespace engine::tokenizer::unicode {

namespace {

constexpr uint32_t kCodepointLimit = 0x110000;
constexpr uint32_t kBlockBits = 8;
constexpr uint32_t kBlockSize = 1u << kBlockBits;

// Two-level lookup: block index per 256 code points, then the (deduplicated) block contents.
struct FlagTable {
    std::vector<uint16_t> blockOf;  // kCodepointLimit / kBlockSize entries
    std::vector<uint16_t> blocks;   // unique blocks, kBlockSize entries each

    FlagTable()
    {
        std::vector<uint16_t> dense(kCodepointLimit);
        for (size_t i = 0; i < kCodepointRangeCount; ++i) {
            const uint32_t first = kCodepointRanges[i].first;
            const uint32_t end = i + 1 < kCodepointRangeCount ? kCodepointRanges[i + 1].first : kCodepointLimit;
            for (uint32_t cp = first; cp < end; ++cp)
                dense[cp] = kCodepointRanges[i].flags;
        }
        blockOf.resize(kCodepointLimit / kBlockSize);
        // Most blocks repeat an earlier one (unassigned planes, CJK runs): store each once.
        std::unordered_map<std::string, uint16_t> seen;
        for (uint32_t b = 0; b < kCodepointLimit / kBlockSize; ++b) {
            const uint16_t* src = dense.data() + b * kBlockSize;
            std::string key(reinterpret_cast<const char*>(src), kBlockSize * sizeof(uint16_t));
            const auto [it, inserted] = seen.emplace(std::move(key), static_cast<uint16_t>(blocks.size() / kBlockSize));
            if (inserted)
                blocks.insert(blocks.end(), src, src + kBlockSize);
            blockOf[b] = it->second;
        }
    }
};

const FlagTable& flagTable()
{
    static const FlagTable table;
    return table;
}

struct ByteMap {
    std::array<uint32_t, 256> toCp{};
    std::array<int16_t, 512> toByte{};

    ByteMap()
    {
        toByte.fill(-1);
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            toCp[b] = printable ? static_cast<uint32_t>(b) : next++;
            toByte[toCp[b]] = static_cast<int16_t>(b);
        }
    }
};

const ByteMap& byteMap()
{
    static const ByteMap map;
    return map;
}

} // namespace

uint16_t flags(uint32_t cp)
{
    if (cp >= kCodepointLimit)
        return kOther;
    const FlagTable& t = flagTable();
    return t.blocks[size_t(t.blockOf[cp >> kBlockBits]) * kBlockSize + (cp & (kBlockSize - 1))];
}

uint32_t toLower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    const CodepointPair* end = kLowercase + kLowercaseCount;
    const CodepointPair* it = std::lower_bound(kLowercase, end, cp, [](const CodepointPair& p, uint32_t c) { return p.from < c; });
    return it != end && it->from == cp ? it->to : cp;
}

void appendNfd(uint32_t cp, std::vector<uint32_t>& out)
{
    // Hangul syllables: the arithmetic decomposition of the Unicode standard (3.12).
    constexpr uint32_t sBase = 0xAC00, lBase = 0x1100, vBase = 0x1161, tBase = 0x11A7;
    constexpr uint32_t vCount = 21, tCount = 28, sCount = 11172;
    if (cp >= sBase && cp < sBase + sCount) {
        const uint32_t s = cp - sBase;
        out.push_back(lBase + s / (vCount * tCount));
        out.push_back(vBase + (s % (vCount * tCount)) / tCount);
        if (s % tCount != 0)
            out.push_back(tBase + s % tCount);
        return;
    }
    if (cp < 0xC0) {
        out.push_back(cp);
        return;
    }
    const Decomposition* end = kDecompositions + kDecompositionCount;
    const Decomposition* it = std::lower_bound(kDecompositions, end, cp, [](const Decomposition& d, uint32_t c) { return d.cp < c; });
    if (it == end || it->cp != cp) {
        out.push_back(cp);
        return;
    }
    out.insert(out.end(), kDecompositionData + it->offset, kDecompositionData + it->offset + it->length);
}

uint32_t decodeOne(std::string_view text, size_t& offset)
{
    assert(offset < text.size());
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[offset + i]); };
    const auto cont = [&](size_t i) { return offset + i < text.size() && (byte(i) & 0xC0) == 0x80; };
    const uint8_t b0 = byte(0);
    if (b0 < 0x80) {
        offset += 1;
        return b0;
    }
    if ((b0 & 0x40) == 0) {
        // stray continuation byte
    } else if ((b0 & 0x20) == 0) {
        if (cont(1)) {
            const uint32_t cp = (uint32_t(b0 & 0x1F) << 6) | (byte(1) & 0x3F);
            offset += 2;
            return cp;
        }
    } else if ((b0 & 0x10) == 0) {
        if (cont(1) && cont(2)) {
            const uint32_t cp = (uint32_t(b0 & 0x0F) << 12) | (uint32_t(byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
            offset += 3;
            return cp;
        }
    } else if ((b0 & 0x08) == 0) {
        if (cont(1) && cont(2) && cont(3)) {
            const uint32_t cp = (uint32_t(b0 & 0x07) << 18) | (uint32_t(byte(1) & 0x3F) << 12)
                              | (uint32_t(byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
            offset += 4;
            return cp;
        }
    }
    offset += 1;
    return kReplacement;
}

std::vector<uint32_t> decode(std::string_view text)
{
    std::vector<uint32_t> cps;
    cps.reserve(text.size());
    size_t offset = 0;
    while (offset < text.size())
        cps.push_back(decodeOne(text, offset));
    return cps;
}

void appendUtf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        // Lenient decoding can produce values up to 0x1FFFFF: write them back with the same
        // 4-byte pattern so the bytes round-trip.
        out += static_cast<char>(0xF0 | ((cp >> 18) & 0x07));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

int validSequenceLength(std::string_view text)
{
    if (text.empty())
        return -1;
    const auto b = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const uint8_t b0 = b(0);
    if (b0 < 0x80)
        return 1;
    int need;
    uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        if (b0 == 0xE0)
            lo = 0xA0; // no overlongs
        if (b0 == 0xED)
            hi = 0x9F; // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        if (b0 == 0xF0)
            lo = 0x90;
        if (b0 == 0xF4)
            hi = 0x8F; // <= U+10FFFF
    } else {
        return 0;
    }
    for (int i = 1; i < need; ++i) {
        if (size_t(i) >= text.size())
            return -1;
        const uint8_t c = b(size_t(i));
        if (i == 1 ? (c < lo || c > hi) : (c & 0xC0) != 0x80)
            return 0;
    }
    return need;
}

uint32_t byteToCodepoint(uint8_t byte)
{
    return byteMap().toCp[byte];
}

int codepointToByte(uint32_t cp)
{
    return cp < 512 ? byteMap().toByte[cp] : -1;
}

} // namespace engine::tokenizer::unicode
