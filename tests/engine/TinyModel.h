#pragma once
// A tiny llama-shaped model written with our own GgufWriter: random weights from a fixed seed
// (our own generator, so the file is identical on every platform), a byte-level BPE vocabulary
// (the 256 bytes plus a few merges, <|bos|> and <|endoftext|>). Options let a test break it
// (another architecture, a missing tensor, a wrong shape).

#include "gguf/GgufWriter.h"
#include "quant/Quant.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace testing {

struct TinyModelOptions {
    std::string architecture = "llama";
    std::string skipTensor;          // leave this tensor out
    std::string badShapeTensor;      // give this tensor one row too many
    int contextLength = 128;
    int layers = 2;
    engine::quant::TensorType matrixType = engine::quant::TensorType::F32;
    uint64_t seed = 42;
};

class TinyRng {
public:
    explicit TinyRng(uint64_t seed) : m_state(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next()
    {   // splitmix64
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform() { return static_cast<float>((next() >> 40) * (1.0 / 16777216.0)); }
    float normal()
    {   // Box-Muller
        const float u1 = std::max(uniform(), 1e-7f);
        const float u2 = uniform();
        return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
    }

private:
    uint64_t m_state;
};

// GPT-2's byte -> printable unicode map, as UTF-8.
inline std::string byteToken(int b)
{
    int cp = b;
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (!printable) {
        int n = 0;
        for (int c = 0; c < b; ++c)
            if (!((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255)))
                ++n;
        cp = 256 + n;
    }
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

constexpr int kTinyEmbd = 64;
constexpr int kTinyLayers = 2;   // TinyModelOptions::layers by default
constexpr int kTinyHeads = 4;
constexpr int kTinyHeadsKv = 2;
constexpr int kTinyFf = 128;
constexpr int32_t kTinyBos = 260;
constexpr int32_t kTinyEos = 261;
constexpr int kTinyVocab = 262;

inline std::vector<uint8_t> tinyModelBytes(const TinyModelOptions& o = {})
{
    using engine::gguf::Value;
    engine::gguf::GgufWriter w;
    const std::string a = o.architecture;
    w.setValue("general.architecture", Value::string(a));
    w.setValue("general.name", Value::string("tiny-test"));
    w.setValue(a + ".context_length", Value::u32(o.contextLength));
    w.setValue(a + ".embedding_length", Value::u32(kTinyEmbd));
    w.setValue(a + ".block_count", Value::u32(o.layers));
    w.setValue(a + ".feed_forward_length", Value::u32(kTinyFf));
    w.setValue(a + ".attention.head_count", Value::u32(kTinyHeads));
    w.setValue(a + ".attention.head_count_kv", Value::u32(kTinyHeadsKv));
    w.setValue(a + ".attention.layer_norm_rms_epsilon", Value::f32(1e-5f));
    w.setValue(a + ".rope.freq_base", Value::f32(10000.0f));

    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(byteToken(b));
        types.push_back(1);
    }
    // Four merges so encode() has something to do: "Ġt", "he", "Ġthe", "in".
    for (const char* t : {"\xC4\xA0t", "he", "\xC4\xA0the", "in"}) {
        tokens.push_back(t);
        types.push_back(1);
    }
    tokens.push_back("<|bos|>");
    types.push_back(3);
    tokens.push_back("<|endoftext|>");
    types.push_back(3);
    w.setValue("tokenizer.ggml.model", Value::string("gpt2"));
    w.setValue("tokenizer.ggml.pre", Value::string("gpt-2"));
    w.setValue("tokenizer.ggml.tokens", Value::stringArray(tokens));
    w.setValue("tokenizer.ggml.token_type", Value::int32Array(types));
    w.setValue("tokenizer.ggml.merges", Value::stringArray({"\xC4\xA0 t", "h e", "\xC4\xA0t he", "i n"}));
    w.setValue("tokenizer.ggml.bos_token_id", Value::u32(kTinyBos));
    w.setValue("tokenizer.ggml.eos_token_id", Value::u32(kTinyEos));
    w.setValue("tokenizer.ggml.add_bos_token", Value::boolean(false));

    TinyRng rng(o.seed);
    auto add = [&](const std::string& name, int64_t cols, int64_t rows, bool norm) {
        if (name == o.skipTensor)
            return;
        if (name == o.badShapeTensor)
            ++rows;
        std::vector<float> v(static_cast<size_t>(cols * rows));
        for (float& x : v)
            x = norm ? 1.0f + 0.1f * rng.normal() : 0.08f * rng.normal();
        std::vector<int64_t> shape = rows == 1 ? std::vector<int64_t>{cols} : std::vector<int64_t>{cols, rows};
        if (norm || o.matrixType == engine::quant::TensorType::F32) {
            (void)w.addTensorF32(name, shape, v);
            return;
        }
        const uint64_t rb = *engine::quant::rowBytes(o.matrixType, cols);
        std::vector<uint8_t> q(rb * rows);
        for (int64_t r = 0; r < rows; ++r)
            engine::quant::quantizeRow(o.matrixType, v.data() + r * cols, q.data() + r * rb, cols);
        (void)w.addTensor(name, o.matrixType, shape, q);
    };
    const int hd = kTinyEmbd / kTinyHeads;
    add("token_embd.weight", kTinyEmbd, kTinyVocab, false);
    for (int il = 0; il < o.layers; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        add(p + "attn_norm.weight", kTinyEmbd, 1, true);
        add(p + "attn_q.weight", kTinyEmbd, kTinyHeads * hd, false);
        add(p + "attn_k.weight", kTinyEmbd, kTinyHeadsKv * hd, false);
        add(p + "attn_v.weight", kTinyEmbd, kTinyHeadsKv * hd, false);
        add(p + "attn_output.weight", kTinyHeads * hd, kTinyEmbd, false);
        add(p + "ffn_norm.weight", kTinyEmbd, 1, true);
        add(p + "ffn_gate.weight", kTinyEmbd, kTinyFf, false);
        add(p + "ffn_up.weight", kTinyEmbd, kTinyFf, false);
        add(p + "ffn_down.weight", kTinyFf, kTinyEmbd, false);
    }
    add("output_norm.weight", kTinyEmbd, 1, true);
    add("output.weight", kTinyEmbd, kTinyVocab, false);
    return w.toBytes();
}

} // namespace testing

#include <fstream>

namespace testing {

inline bool writeTinyModel(const std::string& path, const TinyModelOptions& o = {})
{
    const std::vector<uint8_t> bytes = tinyModelBytes(o);
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return !bytes.empty() && out.good();
}

} // namespace testing
