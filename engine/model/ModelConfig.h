#pragma once
// What one generic transformer forward pass needs to know about a model: hyperparameters and
// architecture flags (filled from an ArchDescription + the GGUF keys, see ArchTable.h), and the
// weights as zero-copy views into the memory-mapped file. No architecture is a branch in the
// forward pass; each difference is a field here.

#include "quant/TensorType.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace engine::model {

enum class NormKind { Rms, Layer };
enum class RopeKind { None, Normal, Neox };  // Normal: pairs (2i, 2i+1); NeoX: pairs (i, i + nRot/2)
enum class Activation { Silu, Gelu };        // Gelu: tanh approximation as ggml computes it

struct RopeScaling {
    // llama3: per-frequency scaling between the low and high frequency wavelengths.
    bool llama3 = false;
    float factor = 1.0f;
    float lowFreqFactor = 1.0f;
    float highFreqFactor = 4.0f;
    int originalContext = 8192;
    // Linear scaling ("linear" type): positions multiplied by freqScale.
    float freqScale = 1.0f;
};

struct ModelConfig {
    std::string architecture;
    int nEmbd = 0;
    int nLayer = 0;
    int nHead = 0;
    int nHeadKv = 0;
    int headDim = 0;          // key/query head size
    int headDimV = 0;         // value head size
    int nFf = 0;
    int nVocab = 0;
    int nCtxTrain = 0;

    NormKind norm = NormKind::Rms;
    float normEps = 1e-5f;

    RopeKind rope = RopeKind::Normal;
    int nRot = 0;             // rotated dimensions of each head (<= headDim)
    float ropeBase = 10000.0f;
    float ropeBaseLocal = 0.0f;   // sliding-window layers (gemma3); 0: same as ropeBase
    RopeScaling ropeScaling;

    Activation activation = Activation::Silu;
    bool gatedFfn = true;     // down(act(gate·x) * up·x) versus down(act(up·x))

    float embedScale = 0.0f;      // 0: none; gemma: sqrt(nEmbd)
    float attnScale = 0.0f;       // 0: 1/sqrt(headDim)
    float attnSoftcap = 0.0f;     // 0: none; scores = c·tanh(s/c)
    float finalSoftcap = 0.0f;    // 0: none; logits = c·tanh(l/c)
    int slidingWindow = 0;        // 0: none; query i sees keys j with i − window < j ≤ i
    std::vector<bool> layerUsesSlidingWindow; // nLayer entries

    bool hasLearnedPositions() const { return rope == RopeKind::None; }
};

// A weight tensor in the mapped file. Absent tensors have data == nullptr.
struct Tensor {
    quant::TensorType type = quant::TensorType::F32;
    int64_t cols = 0;         // ne[0]: the row length (input size of a matrix)
    int64_t rows = 1;         // ne[1]: output size of a matrix
    size_t rowBytes = 0;
    const uint8_t* data = nullptr;
    std::string name;
    // Rows stored 8 at a time (quant::interleaveRows): only in the CPU backend's own copy of
    // the weight table, never in the loaded model's.
    bool interleaved = false;

    bool present() const { return data != nullptr; }
    const uint8_t* row(int64_t r) const { return data + static_cast<size_t>(r) * rowBytes; }
    const float* f32() const { return reinterpret_cast<const float*>(data); }
};

struct LayerWeights {
    Tensor attnNorm;          // (nEmbd)
    Tensor attnNormBias;      // (nEmbd), LayerNorm only
    Tensor wq;                // (nEmbd) -> (nHead * headDim)
    Tensor wk;                // (nEmbd) -> (nHeadKv * headDim)
    Tensor wv;                // (nEmbd) -> (nHeadKv * headDimV)
    Tensor wqkv;              // fused alternative: rows [q; k; v]
    Tensor bq, bk, bv, bqkv;  // optional biases, same row counts
    Tensor qNorm, kNorm;      // (headDim), per-head RMSNorm before RoPE (qwen3, gemma3)
    Tensor wo;                // (nHead * headDimV) -> (nEmbd)
    Tensor bo;                // (nEmbd)
    Tensor postAttnNorm;      // (nEmbd), gemma2/3: norm of the attention output
    Tensor ffnNorm;           // (nEmbd)
    Tensor ffnNormBias;       // (nEmbd), LayerNorm only
    Tensor ffnGate;           // (nEmbd) -> (nFf)
    Tensor ffnUp;             // (nEmbd) -> (nFf), or (2·nFf) fused [gate; up] (phi3)
    Tensor ffnUpBias;         // (nFf)
    Tensor ffnDown;           // (nFf) -> (nEmbd)
    Tensor ffnDownBias;       // (nEmbd)
    Tensor postFfnNorm;       // (nEmbd), gemma2/3: norm of the FFN output
};

struct ModelWeights {
    Tensor tokenEmbd;         // (nVocab rows of nEmbd)
    Tensor posEmbd;           // (nCtxTrain rows of nEmbd), learned positions (gpt2)
    Tensor ropeFreqs;         // (nRot / 2), optional per-frequency divisors (llama3 files)
    std::vector<LayerWeights> layers;
    Tensor outputNorm;        // (nEmbd)
    Tensor outputNormBias;    // (nEmbd), LayerNorm only
    Tensor output;            // (nEmbd) -> (nVocab); tokenEmbd when the embeddings are tied
};

} // namespace engine::model
