// Dispatch of quantizeRow to the per-format reference quantizers.

#include "quant/Quant.h"

#include "quant/QuantizeInternal.h"

#include <cassert>
#include <cstring>

namespace engine::quant {

bool canQuantize(TensorType type)
{
    switch (type) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16:
    case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
    case TensorType::Q8_0: case TensorType::Q8_1:
    case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
    case TensorType::Q6_K: case TensorType::Q8_K:
    case TensorType::IQ4_NL: case TensorType::IQ4_XS:
        return true;
    default:
        return false;
    }
}

void quantizeRow(TensorType type, const float* src, void* dst, int64_t n, const float* importance)
{
    assert(canQuantize(type));
    assert(n % traits(type).blockSize == 0);
    const int64_t nb = n / traits(type).blockSize;
    using namespace detail;
    switch (type) {
    case TensorType::F32:
        std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
        break;
    case TensorType::F16: {
        auto* h = static_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i)
            h[i] = f32ToF16(src[i]);
        break;
    }
    case TensorType::BF16: {
        auto* h = static_cast<uint16_t*>(dst);
        for (int64_t i = 0; i < n; ++i)
            h[i] = f32ToBf16(src[i]);
        break;
    }
    // An importance row switches to the weighted searches llama-quantize runs with --imatrix
    // (Q8_0 and the activation formats have no search: they ignore it, as ggml does).
    case TensorType::Q4_0:
        if (importance)
            quantizeQ4_0Weighted(src, static_cast<BlockQ4_0*>(dst), n, importance);
        else
            quantizeQ4_0(src, static_cast<BlockQ4_0*>(dst), nb);
        break;
    case TensorType::Q4_1:
        if (importance)
            quantizeQ4_1Weighted(src, static_cast<BlockQ4_1*>(dst), n, importance);
        else
            quantizeQ4_1(src, static_cast<BlockQ4_1*>(dst), nb);
        break;
    case TensorType::Q5_0:
        if (importance)
            quantizeQ5_0Weighted(src, static_cast<BlockQ5_0*>(dst), n, importance);
        else
            quantizeQ5_0(src, static_cast<BlockQ5_0*>(dst), nb);
        break;
    case TensorType::Q5_1:
        if (importance)
            quantizeQ5_1Weighted(src, static_cast<BlockQ5_1*>(dst), n, importance);
        else
            quantizeQ5_1(src, static_cast<BlockQ5_1*>(dst), nb);
        break;
    case TensorType::Q2_K:
        if (importance)
            quantizeQ2_KWeighted(src, static_cast<BlockQ2_K*>(dst), n, importance);
        else
            quantizeQ2_K(src, static_cast<BlockQ2_K*>(dst), nb);
        break;
    case TensorType::Q3_K:
        if (importance)
            quantizeQ3_KWeighted(src, static_cast<BlockQ3_K*>(dst), n, importance);
        else
            quantizeQ3_K(src, static_cast<BlockQ3_K*>(dst), nb);
        break;
    case TensorType::Q4_K:
        if (importance)
            quantizeQ4_KWeighted(src, static_cast<BlockQ4_K*>(dst), n, importance);
        else
            quantizeQ4_K(src, static_cast<BlockQ4_K*>(dst), nb);
        break;
    case TensorType::Q5_K:
        if (importance)
            quantizeQ5_KWeighted(src, static_cast<BlockQ5_K*>(dst), n, importance);
        else
            quantizeQ5_K(src, static_cast<BlockQ5_K*>(dst), nb);
        break;
    case TensorType::Q6_K:
        if (importance)
            quantizeQ6_KWeighted(src, static_cast<BlockQ6_K*>(dst), n, importance);
        else
            quantizeQ6_K(src, static_cast<BlockQ6_K*>(dst), nb);
        break; quantizeQ4_0(src, static_cast<BlockQ4_0*>(dst), nb); break;
    case TensorType::Q8_0: quantizeQ8_0(src, static_cast<BlockQ8_0*>(dst), nb); break;
    case TensorType::Q8_1: quantizeQ8_1(src, static_cast<BlockQ8_1*>(dst), nb); break;
    case TensorType::Q8_K: quantizeQ8_K(src, static_cast<BlockQ8_K*>(dst), nb); break;
    case TensorType::IQ4_NL: quantizeIQ4_NL(src, static_cast<BlockIQ4_NL*>(dst), nb, importance); break;
    case TensorType::IQ4_XS: quantizeIQ4_XS(src, static_cast<BlockIQ4_XS*>(dst), nb, importance); break;
    default:
        break;
    }
}

} // namespace engine::quant
