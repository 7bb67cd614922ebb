#pragma once
// Small vocabularies written with the project's GgufWriter, so the unit tests need no fixtures.

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"
#include "tokenizer/Tokenizer.h"

#include <memory>
#include <string>
#include <vector>

namespace testvocab {

using engine::gguf::Value;

// GPT-2's byte -> code point map, written out independently of the engine's.
inline std::string byteChar(int b)
{
    int n = 0;
    for (int x = 0; x < 256; ++x) {
        const bool printable = (x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255);
        const int cp = printable ? x : 256 + n++;
        if (x == b) {
            std::string s;
            if (cp < 0x80) {
                s += char(cp);
            } else {
                s += char(0xC0 | (cp >> 6));
                s += char(0x80 | (cp & 0x3F));
            }
            return s;
        }
    }
    return {};
}

// GPT-2 style text of a plain-ASCII string: spaces become "Ġ".
inline std::string mapped(const std::string& text)
{
    std::string out;
    for (const char c : text)
        out += byteChar(static_cast<unsigned char>(c));
    return out;
}

struct Spec {
    std::string model = "gpt2";
    std::string pre = "gpt-2";
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::vector<float> scores;
    std::vector<std::string> merges;
    bool writeTypes = true;
    bool writeScores = true;
    bool writeMerges = true;
    int bos = -1;
    int eos = -1;
    int addBos = -1; // -1: key absent
    std::vector<std::pair<std::string, Value>> extra;
};

// Byte-level BPE: ids 0..255 are the bytes; extra tokens and their merges follow.
inline Spec byteLevel(const std::vector<std::string>& merges)
{
    Spec s;
    for (int b = 0; b < 256; ++b) {
        s.tokens.push_back(byteChar(b));
        s.types.push_back(1);
    }
    for (const std::string& m : merges) {
        const size_t space = m.find(' ', 1);
        s.tokens.push_back(m.substr(0, space) + m.substr(space + 1));
        s.types.push_back(1);
        s.merges.push_back(m);
    }
    s.scores.assign(s.tokens.size(), 0.0f);
    return s;
}

inline void addToken(Spec& s, const std::string& text, int32_t type, float score = 0.0f)
{
    s.tokens.push_back(text);
    s.types.push_back(type);
    s.scores.push_back(score);
}

inline std::vector<uint8_t> write(const Spec& s)
{
    engine::gguf::GgufWriter w;
    w.setValue("general.architecture", Value::string("llama"));
    w.setValue("tokenizer.ggml.model", Value::string(s.model));
    if (!s.pre.empty())
        w.setValue("tokenizer.ggml.pre", Value::string(s.pre));
    w.setValue("tokenizer.ggml.tokens", Value::stringArray(s.tokens));
    if (s.writeTypes)
        w.setValue("tokenizer.ggml.token_type", Value::int32Array(s.types));
    if (s.writeScores)
        w.setValue("tokenizer.ggml.scores", Value::floatArray(s.scores));
    if (s.writeMerges && (s.model == "gpt2" || s.model == "gemma4"))
        w.setValue("tokenizer.ggml.merges", Value::stringArray(s.merges));
    if (s.bos >= 0)
        w.setValue("tokenizer.ggml.bos_token_id", Value::u32(uint32_t(s.bos)));
    if (s.eos >= 0)
        w.setValue("tokenizer.ggml.eos_token_id", Value::u32(uint32_t(s.eos)));
    if (s.addBos >= 0)
        w.setValue("tokenizer.ggml.add_bos_token", Value::boolean(s.addBos != 0));
    for (const auto& [key, value] : s.extra)
        w.setValue(key, value);
    return w.toBytes();
}

// The bytes must outlive the file; keep them together.
struct Loaded {
    std::vector<uint8_t> bytes;
    std::unique_ptr<engine::gguf::GgufFile> file;
    engine::Result<std::unique_ptr<engine::tokenizer::Tokenizer>> tokenizer =
        engine::makeError(engine::ErrorCode::Internal, "not loaded");
};

inline std::unique_ptr<Loaded> load(const Spec& s)
{
    auto l = std::make_unique<Loaded>();
    l->bytes = write(s);
    auto file = engine::gguf::GgufFile::fromMemory(l->bytes);
    if (!file) {
        l->tokenizer = file.error();
        return l;
    }
    l->file = std::move(file).value();
    l->tokenizer = engine::tokenizer::Tokenizer::fromGguf(*l->file);
    return l;
}

} // namespace testvocab
