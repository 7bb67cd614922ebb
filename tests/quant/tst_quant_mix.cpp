// The quantization mixes on a Llama-2-7B-shaped model (32 layers, no GQA), against the
// per-type tensor counts llama.cpp's loader prints for the files its llama-quantize writes
// (e.g. Q4_K_M: "type q4_K: 193 tensors, type q6_K: 33 tensors").

#include "quant/QuantMix.h"

#include <QtTest>

#include <map>

using namespace engine::quant;

namespace {

// Tensors of a Llama-2-7B GGUF in llama.cpp's loader order.
std::vector<TensorDesc> llama7b()
{
    std::vector<TensorDesc> t;
    t.push_back({"output.weight", 2, 4096, TensorType::F16});
    t.push_back({"output_norm.weight", 1, 4096, TensorType::F32});
    t.push_back({"token_embd.weight", 2, 4096, TensorType::F16});
    for (int i = 0; i < 32; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        t.push_back({p + "attn_k.weight", 2, 4096, TensorType::F16});
        t.push_back({p + "attn_norm.weight", 1, 4096, TensorType::F32});
        t.push_back({p + "attn_output.weight", 2, 4096, TensorType::F16});
        t.push_back({p + "attn_q.weight", 2, 4096, TensorType::F16});
        t.push_back({p + "attn_v.weight", 2, 4096, TensorType::F16});
        t.push_back({p + "ffn_down.weight", 2, 11008, TensorType::F16});
        t.push_back({p + "ffn_gate.weight", 2, 4096, TensorType::F16});
        t.push_back({p + "ffn_norm.weight", 1, 4096, TensorType::F32});
        t.push_back({p + "ffn_up.weight", 2, 4096, TensorType::F16});
    }
    return t;
}

std::map<TensorType, int> counts(FileType ft)
{
    const auto tensors = llama7b();
    MixPlanner planner(ft, ModelShape{"llama", 32, 32, 32, 0}, tensors);
    std::map<TensorType, int> n;
    for (const auto& t : tensors)
        ++n[planner.typeFor(t)];
    return n;
}

} // namespace

class TestQuantMix : public QObject {
    Q_OBJECT
private slots:
    void names()
    {
        QCOMPARE(fileTypeFromName("q4_k_m"), std::optional<FileType>(FileType::Q4_K_M));
        QCOMPARE(fileTypeFromName("Q8_0"), std::optional<FileType>(FileType::Q8_0));
        QCOMPARE(fileTypeFromName("bf16"), std::optional<FileType>(FileType::BF16));
        QVERIFY(!fileTypeFromName("Q4_K_X"));
        QCOMPARE(static_cast<int>(FileType::Q4_K_M), 15); // general.file_type values are llama_ftype's
        QCOMPARE(baseType(FileType::Q5_K_S), TensorType::Q5_K);
        for (std::string_view name : fileTypeNames())
            QCOMPARE(fileTypeName(*fileTypeFromName(name)), name);
    }

    void llama7bCounts()
    {
        // ffn_down rows of 11008 are a multiple of 256, so no fallbacks here.
        const std::map<TensorType, int> q4km{{TensorType::F32, 65}, {TensorType::Q4_K, 193}, {TensorType::Q6_K, 33}};
        QCOMPARE(counts(FileType::Q4_K_M), q4km);
        const std::map<TensorType, int> q5km{{TensorType::F32, 65}, {TensorType::Q5_K, 193}, {TensorType::Q6_K, 33}};
        QCOMPARE(counts(FileType::Q5_K_M), q5km);
        const std::map<TensorType, int> q4ks{{TensorType::F32, 65}, {TensorType::Q4_K, 217}, {TensorType::Q5_K, 8}, {TensorType::Q6_K, 1}};
        QCOMPARE(counts(FileType::Q4_K_S), q4ks);
        const std::map<TensorType, int> q3km{{TensorType::F32, 65}, {TensorType::Q3_K, 129}, {TensorType::Q4_K, 92}, {TensorType::Q5_K, 4}, {TensorType::Q6_K, 1}};
        QCOMPARE(counts(FileType::Q3_K_M), q3km);
        const std::map<TensorType, int> q8{{TensorType::F32, 65}, {TensorType::Q8_0, 226}};
        QCOMPARE(counts(FileType::Q8_0), q8);
        const std::map<TensorType, int> q40{{TensorType::F32, 65}, {TensorType::Q4_0, 225}, {TensorType::Q6_K, 1}};
        QCOMPARE(counts(FileType::Q4_0), q40);
        const std::map<TensorType, int> f16{{TensorType::F32, 65}, {TensorType::F16, 226}};
        QCOMPARE(counts(FileType::MostlyF16), f16);
    }

    void fallbackForRowsNotMultipleOf256()
    {
        // qwen2-0.5B: n_embd 896 = 3.5 x 256, so Q4_K_M stores most matrices as Q5_0.
        std::vector<TensorDesc> t = {{"token_embd.weight", 2, 896, TensorType::F32},
                                     {"blk.0.attn_q.weight", 2, 896, TensorType::F32},
                                     {"blk.0.attn_v.weight", 2, 896, TensorType::F32},
                                     {"blk.0.ffn_down.weight", 2, 4864, TensorType::F32},
                                     {"blk.0.attn_norm.weight", 1, 896, TensorType::F32}};
        MixPlanner planner(FileType::Q4_K_M, ModelShape{"qwen2", 1, 14, 2, 0}, t);
        QCOMPARE(planner.typeFor(t[0]), TensorType::Q8_0);  // tied: output rules, 896 % 256 != 0
        QCOMPARE(planner.typeFor(t[1]), TensorType::Q5_0);  // Q4_K -> Q5_0
        QCOMPARE(planner.typeFor(t[2]), TensorType::Q8_0);  // Q6_K -> Q8_0
        QCOMPARE(planner.typeFor(t[3]), TensorType::Q6_K);  // 4864 = 19 x 256: Q6_K fits
        QCOMPARE(planner.typeFor(t[4]), TensorType::F32);
    }
};

QTEST_GUILESS_MAIN(TestQuantMix)
#include "tst_quant_mix.moc"
