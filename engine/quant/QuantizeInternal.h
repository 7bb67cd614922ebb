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
void quantizeIQ4_NL(const float* x, BlockIQ4_NL* y, int64_t nb, const float* importance);
void quantizeIQ4_XS(const float* x, BlockIQ4_XS* y, int64_t nb, const float* importance);

} // namespace engine::quant::detail
