#pragma once
// The quantization error llama.cpp's quantizer achieves per type: relative RMSE
// (||dequantize(quantize(x)) - x|| / ||x||) on normally distributed weights, measured on the
// llama.cpp fixtures (../shared/fixtures/llamacpp, tiny-llama-*.gguf against their F32 master;
// docs/quant.md has the table and how it was measured). Tests hold our quantizer to these figures
// and a conformance test re-derives them from the fixtures so they cannot drift.

#include "quant/TensorType.h"

#include <optional>

namespace engine::quant {

// nullopt for types without a llama.cpp fixture (IQ4_NL, IQ4_XS, Q8_K).
inline std::optional<double> llamaCppRelativeRmse(TensorType type)
{
    switch (type) {
    case TensorType::F16: return 0.000207;
    case TensorType::BF16: return 0.001655;
    case TensorType::Q8_0: return 0.005350;
    case TensorType::Q6_K: return 0.017722;
    case TensorType::Q5_K: return 0.036119;
    case TensorType::Q5_1: return 0.037875;
    case TensorType::Q5_0: return 0.042691;
    case TensorType::Q4_K: return 0.071368;
    case TensorType::Q4_1: return 0.078189;
    case TensorType::Q4_0: return 0.085877;
    case TensorType::Q3_K: return 0.150788;
    case TensorType::Q2_K: return 0.296262;
    default: return std::nullopt;
    }
}

} // namespace engine::quant
