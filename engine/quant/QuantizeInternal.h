#pragma once
// Per-format reference quantizers (nb blocks from nb * blockSize floats). Quant.cpp dispatches
// to them; the kernels use the activation ones directly.

#include "quant/Blocks.h"

#include <cstdint>

namespace engine::quant::detail {

void quantizeQ4_0(const float* x, BlockQ4_0* y, int64_t nb);
void quantizeQ4_1(const float* x, BlockQ4_1* y, int64_t nb);
void quantizeQ5_0(const float* x, BlockQ5_0* y, int64_t nb);
void quantizeQ5_1(const float* x, BlockQ5_1* y, int64_t nb);
void quantizeQ8_0(const float* x, BlockQ8_0* y, int64_t nb);
void quantizeQ8_1(const float* x, BlockQ8_1* y, int64_t nb);
void quantizeQ2_K(const float* x, BlockQ2_K* y, int64_t nb);
void quantizeQ3_K(const float* x, BlockQ3_K* y, int64_t nb);
void quantizeQ4_K(const float* x, BlockQ4_K* y, int64_t nb);
void quantizeQ5_K(const float* x, BlockQ5_K* y, int64_t nb);
void quantizeQ6_K(const float* x, BlockQ6_K* y, int64_t nb);
void quantizeQ8_K(const float* x, BlockQ8_K* y, int64_t nb);
// With an importance-matrix row (llama.cpp's quantize_*_impl, what llama-quantize runs with
// --imatrix): the same formats, with the scale searches weighted by importance. n is the row
// length (the legacy formats weight by the whole row's variance).
void quantizeQ4_0Weighted(const float* x, BlockQ4_0* y, int64_t n, const float* importance);
void quantizeQ4_1Weighted(const float* x, BlockQ4_1* y, int64_t n, const float* importance);
void quantizeQ5_0Weighted(const float* x, BlockQ5_0* y, int64_t n, const float* importance);
void quantizeQ5_1Weighted(const float* x, BlockQ5_1* y, int64_t n, const float* importance);
void quantizeQ2_KWeighted(const float* x, BlockQ2_K* y, int64_t n, const float* importance);
void quantizeQ3_KWeighted(const float* x, BlockQ3_K* y, int64_t n, const float* importance);
void quantizeQ4_KWeighted(const float* x, BlockQ4_K* y, int64_t n, const float* importance);
void quantizeQ5_KWeighted(const float* x, BlockQ5_K* y, int64_t n, const float* importance);
void quantizeQ6_KWeighted(const float* x, BlockQ6_K* y, int64_t n, const float* importance);

void quantizeIQ4_NL(const float* x, BlockIQ4_NL* y, int64_t nb, const float* importance);
void quantizeIQ4_XS(const float* x, BlockIQ4_XS* y, int64_t nb, const float* importance);

} // namespace engine::quant::detail
