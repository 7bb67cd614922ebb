// Writes synthetic models with real shapes for `inkstone-cli bench` (issue 4's benchmark):
//   bench_engine_models OUT.gguf qwen2-0.5b|llama-1b|llama-7b F16|Q8_0|Q4_0|Q4_K_M
// Weights are random (normal, std 0.02; norms 1): speed does not depend on their values. To
// write gigabytes quickly, each tensor repeats a block of 64 distinct quantized rows. Tensor
// types follow llama-quantize's choices for these files (tied embeddings at Q6_K for Q4_x and
// K-quant files, Q8_0 where a row is not a multiple of 256; Q4_K_M's Q6_K attn_v/ffn_down
// layers), so the bytes read per token match llama.cpp's files of the same name.

#include "gguf/GgufWriter.h"
#include "quant/Quant.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace engine;
using quant::TensorType;

namespace {

struct Shape {
    const char* arch;
    int embd, layers, heads, headsKv, ff, vocab;
    bool qkvBias;
};

constexpr Shape kQwen2{"qwen2", 896, 24, 14, 2, 4864, 151936, true};
constexpr Shape kLlama{"llama", 2048, 16, 32, 8, 8192, 128256, false};
// A 7B-class shape (Llama 2 7B's dimensions, here with tied embeddings) for the Stop latency.
constexpr Shape kLlama7b{"llama", 4096, 32, 32, 32, 11008, 32000, false};

// GPT-2's byte -> printable character map (UTF-8), so any text encodes to the first 256 ids.
std::string byteToken(int b)
{
    auto printable = [](int c) { return (c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255); };
    int cp = b;
    if (!printable(b)) {
        cp = 256;
        for (int c = 0; c < b; ++c)
            cp += printable(c) ? 0 : 1;
    }
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

// llama-quantize falls back when the row length is not a multiple of 256.
TensorType fit(TensorType t, int64_t cols)
{
    if (cols % 256 == 0)
        return t;
    switch (t) {
    case TensorType::Q4_K: return TensorType::Q5_0;
    case TensorType::Q5_K: return TensorType::Q5_1;
    case TensorType::Q6_K: return TensorType::Q8_0;
    default: return t;
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s OUT.gguf qwen2-0.5b|llama-1b|llama-7b F16|Q8_0|Q4_0|Q4_K_M\n", argv[0]);
        return 1;
    }
    const std::string out = argv[1], shapeName = argv[2], typeName = argv[3];
    const Shape s = shapeName == "llama-1b" ? kLlama : shapeName == "llama-7b" ? kLlama7b : kQwen2;
    TensorType base;
    bool kMix = false;
    if (typeName == "F16")
        base = TensorType::F16;
    else if (typeName == "Q8_0")
        base = TensorType::Q8_0;
    else if (typeName == "Q4_0")
        base = TensorType::Q4_0;
    else if (typeName == "Q4_K_M") {
        base = TensorType::Q4_K;
        kMix = true;
    } else {
        std::fprintf(stderr, "unknown type %s\n", typeName.c_str());
        return 1;
    }

    gguf::GgufWriter w;
    const std::string a = s.arch;
    w.setValue("general.architecture", gguf::Value::string(a));
    w.setValue("general.name", gguf::Value::string(shapeName + "-synthetic"));
    w.setValue(a + ".context_length", gguf::Value::u32(4096));
    w.setValue(a + ".embedding_length", gguf::Value::u32(s.embd));
    w.setValue(a + ".block_count", gguf::Value::u32(s.layers));
    w.setValue(a + ".feed_forward_length", gguf::Value::u32(s.ff));
    w.setValue(a + ".attention.head_count", gguf::Value::u32(s.heads));
    w.setValue(a + ".attention.head_count_kv", gguf::Value::u32(s.headsKv));
    w.setValue(a + ".attention.layer_norm_rms_epsilon", gguf::Value::f32(1e-6f));
    w.setValue(a + ".rope.freq_base", gguf::Value::f32(1e6f));
    // A byte-level vocabulary padded with filler tokens to the model's size.
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (int i = 0; i < s.vocab; ++i) {
        std::string text = i < 256 ? byteToken(i) : "tok";
        if (i >= 256)
            text += std::to_string(i);
        tokens.push_back(std::move(text));
        types.push_back(1);
    }
    w.setValue("tokenizer.ggml.model", gguf::Value::string("gpt2"));
    w.setValue("tokenizer.ggml.pre", gguf::Value::string("default"));
    w.setValue("tokenizer.ggml.tokens", gguf::Value::stringArray(tokens));
    w.setValue("tokenizer.ggml.token_type", gguf::Value::int32Array(types));
    w.setValue("tokenizer.ggml.merges", gguf::Value::stringArray({}));
    w.setValue("tokenizer.ggml.eos_token_id", gguf::Value::u32(s.vocab - 1));

    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    auto matrix = [&](const std::string& name, int64_t cols, int64_t rows, TensorType type) {
        type = fit(type, cols);
        const uint64_t rb = *quant::rowBytes(type, cols);
        constexpr int kDistinct = 64;
        std::vector<uint8_t> block(rb * kDistinct);
        std::vector<float> row(cols);
        for (int r = 0; r < kDistinct; ++r) {
            for (float& x : row)
                x = normal(rng);
            quant::quantizeRow(type, row.data(), block.data() + r * rb, cols);
        }
        auto res = w.addTensorDeferred(name, type, {cols, rows}, [block, rb, rows](std::span<uint8_t> dst) -> Result<void> {
            for (int64_t r = 0; r < rows; ++r)
                std::memcpy(dst.data() + r * rb, block.data() + (r % kDistinct) * rb, rb);
            return {};
        });
        if (!res)
            std::fprintf(stderr, "%s: %s\n", name.c_str(), res.error().message().c_str());
    };
    auto vector = [&](const std::string& name, int64_t n, float value) {
        std::vector<float> v(n, value);
        (void)w.addTensorF32(name, {n}, v);
    };

    const int hd = s.embd / s.heads;
    // Tied embeddings: token_embd is the output matrix, so it gets the output's type.
    const TensorType outType = base == TensorType::F16 || base == TensorType::Q8_0 ? base : TensorType::Q6_K;
    matrix("token_embd.weight", s.embd, s.vocab, outType);
    for (int il = 0; il < s.layers; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        // Q4_K_M: attn_v and ffn_down in Q6_K for the first and last eighth and every third layer.
        const bool moreBits = kMix && (il < s.layers / 8 || il >= 7 * s.layers / 8 || (il - s.layers / 8) % 3 == 2);
        vector(p + "attn_norm.weight", s.embd, 1.0f);
        matrix(p + "attn_q.weight", s.embd, s.heads * hd, base);
        matrix(p + "attn_k.weight", s.embd, s.headsKv * hd, base);
        matrix(p + "attn_v.weight", s.embd, s.headsKv * hd, moreBits ? TensorType::Q6_K : base);
        if (s.qkvBias) {
            vector(p + "attn_q.bias", s.heads * hd, 0.0f);
            vector(p + "attn_k.bias", s.headsKv * hd, 0.0f);
            vector(p + "attn_v.bias", s.headsKv * hd, 0.0f);
        }
        matrix(p + "attn_output.weight", s.heads * hd, s.embd, base);
        vector(p + "ffn_norm.weight", s.embd, 1.0f);
        matrix(p + "ffn_gate.weight", s.embd, s.ff, base);
        matrix(p + "ffn_up.weight", s.embd, s.ff, base);
        matrix(p + "ffn_down.weight", s.ff, s.embd, moreBits ? TensorType::Q6_K : base);
    }
    vector("output_norm.weight", s.embd, 1.0f);
    auto r = w.write(out);
    if (!r) {
        std::fprintf(stderr, "%s\n", r.error().message().c_str());
        return 2;
    }
    std::printf("wrote %s\n", out.c_str());
    return 0;
}
