#include "tokenizer/PreTokenizer.h"

#include "core/Log.h"

#include <initializer_list>

namespace engine::tokenizer {

namespace {

// GPT-2's pattern (tokenizer.json ByteLevel use_regex=true).
constexpr const char* kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr const char* kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen35 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kTekken =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt4o =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kSeedCoder =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kBailing =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
constexpr const char* kPoro = R"( ?[^(\s|.,!?…。，、।۔،)]+)";
// Deepseek's cased-letter class. Several code points are written as \x{..} on purpose: they have
// singleton canonical decompositions (U+1FBE, U+1F7D, U+1FD3, U+1FDB, U+2126 OHM, U+212A KELVIN),
// so an editor or tool that normalizes text to NFC would silently change them (and reverse or
// widen the ranges they end).
constexpr const char* kDeepseekLetters =
    R"(\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\x{1F7D}ᾀ-ᾴᾶ-ᾼ\x{1FBE}ῂ-ῄῆ-ῌῐ-\x{1FD3}ῖ-\x{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\x{2126}ℨ\x{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+)";

struct PreSpec {
    std::initializer_list<const char*> names;
    std::initializer_list<const char*> patterns;
    bool ignoreMerges = false;
    bool addBos = false;
    bool rawUtf8 = false;
};

const PreSpec kSpecs[] = {
    {{"default"}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", "[0-9][0-9][0-9]"}},
    {{"llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "falcon-h1", "midm-2.0", "lfm2"}, {kLlama3}, true, true},
    {{"dbrx", "smaug-bpe", "chatglm-bpe", "glm4"}, {kLlama3}},
    {{"deepseek-llm"},
     {"[\r\n]", kDeepseekLetters, R"(\s?[!-/:-~！-／：-～‘-‟　-。]+)", R"(\s+$)", "[一-龥ࠀ-一가-퟿]+", R"(\p{N}+)"}},
    {{"deepseek-coder"}, {"[\r\n]", R"(\s?\p{L}+)", R"(\s?\p{P}+)", "[一-龥ࠀ-一가-퟿]+", R"(\p{N})"}},
    {{"deepseek-v3", "hunyuan-dense"},
     {R"(\p{N}{1,3})", "[一-龥぀-ゟ゠-ヿ]+",
      R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}},
    {{"falcon"}, {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, "[0-9][0-9][0-9]"}},
    {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"}, {R"(\p{N})", kGpt2}},
    {{"gpt-2", "phi-2", "mpt", "olmo", "jais", "gpt-neox", "jina-es", "jina-de", "jina-v1-en", "jina-v2-es",
      "jina-v2-de", "jina-v2-code", "roberta-bpe", "gigachat", "exaone4", "trillion", "granite-docling",
      "a.x-4.0", "mellum"},
     {kGpt2}},
    {{"qwen2", "stablelm2", "deepseek-r1-qwen", "megrez", "hunyuan", "kormo"}, {kQwen2}},
    {{"qwen35"}, {kQwen35}},
    {{"poro-chat", "bloom", "gpt3-finnish"}, {kPoro}},
    {{"viking"}, {kPoro, R"(\p{N})"}},
    {{"tekken"}, {kTekken}, true, true},
    {{"gpt-4o", "llama4", "minimax-m2"}, {kGpt4o}},
    {{"seed-coder"}, {kSeedCoder}},
    {{"bailingmoe", "bailingmoe2", "llada-moe"}, {kBailing}},
    {{"chameleon"},
     {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )", R"(\p{N})",
      R"([\p{P}!-/:-@\[-`{-~])", kGpt2},
     false, true},
    {{"gemma4", "granite-embed-multi-311m"}, {"[^\n]+|[\n]+"}, false, true, true},
};

const PreSpec* findSpec(const std::string& name)
{
    for (const PreSpec& spec : kSpecs)
        for (const char* n : spec.names)
            if (name == n)
                return &spec;
    return nullptr;
}

} // namespace

std::vector<std::string> PreTokenizer::knownNames()
{
    std::vector<std::string> names;
    for (const PreSpec& spec : kSpecs)
        for (const char* n : spec.names)
            names.emplace_back(n);
    return names;
}

Result<PreTokenizer> PreTokenizer::forName(const std::string& name)
{
    const PreSpec* spec = findSpec(name);
    PreTokenizer pre;
    if (!spec) {
        if (name.empty())
            logWarning("tokenizer: tokenizer.ggml.pre is missing; using the 'default' pre-tokenizer "
                       "(as llama.cpp does): tokenization may differ from the original model");
        else
            logWarning("tokenizer: unknown pre-tokenizer '" + name + "'; falling back to the 'default' "
                       "pre-tokenizer: tokenization may differ from the original model");
        spec = findSpec("default");
        pre.m_usedName = "default";
    } else {
        pre.m_usedName = name;
    }
    for (const char* pattern : spec->patterns) {
        auto re = Regex::compile(pattern);
        if (!re)
            return re.error();
        pre.m_regexes.push_back(std::move(re).value());
    }
    pre.m_ignoreMerges = spec->ignoreMerges;
    pre.m_defaultAddBos = spec->addBos;
    pre.m_rawUtf8 = spec->rawUtf8;
    return pre;
}

void PreTokenizer::split(const uint32_t* cps, const uint16_t* flags, size_t n,
                         std::vector<std::pair<size_t, size_t>>& pieces) const
{
    pieces.clear();
    if (n == 0)
        return;
    pieces.emplace_back(0, n);
    std::vector<std::pair<size_t, size_t>> next;
    for (const Regex& re : m_regexes) {
        next.clear();
        next.reserve(pieces.size() * 2);
        for (const auto& [begin, end] : pieces) {
            size_t pos = begin;
            size_t mb = 0, me = 0;
            while (pos < end && re.find(cps, flags, begin, end, pos, mb, me)) {
                if (mb > pos)
                    next.emplace_back(pos, mb);
                next.emplace_back(mb, me);
                pos = me;
            }
            if (pos < end)
                next.emplace_back(pos, end);
        }
        pieces.swap(next);
    }
}

} // namespace engine::tokenizer
