#pragma once
// Push-constant blocks, mirrored field for field from gpu/shaders/*.comp (std430 layout: 4-byte
// scalars, no padding). A change on either side must change both; the asserts catch size drift.

#include <cstddef>
#include <cstdint>

namespace engine::gpu {

struct MatVecPush { // matvec.comp
    uint32_t rows;
    uint32_t cols;
    uint32_t rowOffset;
    uint32_t totalRows;
    uint32_t groupsX;
    uint32_t vectors;
};
static_assert(sizeof(MatVecPush) == 24 && offsetof(MatVecPush, groupsX) == 16 && offsetof(MatVecPush, vectors) == 20);

struct NormPush { // norm.comp (RMSNorm and LayerNorm)
    uint32_t n;
    float eps;
};
static_assert(sizeof(NormPush) == 8 && offsetof(NormPush, eps) == 4);

struct SoftmaxPush { // softmax.comp
    uint32_t n;
    float scale;
};
static_assert(sizeof(SoftmaxPush) == 8 && offsetof(SoftmaxPush, scale) == 4);

struct RopePush { // rope.comp
    uint32_t headDim;
    uint32_t nHeads;
    uint32_t nRot;
    uint32_t rows;
    uint32_t groupsX;
};
static_assert(sizeof(RopePush) == 20 && offsetof(RopePush, groupsX) == 16);

struct GetRowsPush { // get_rows.comp
    uint32_t cols;
    uint32_t count;
    uint32_t firstRow;
    uint32_t partRows;
    uint32_t groupsX;
};
static_assert(sizeof(GetRowsPush) == 20 && offsetof(GetRowsPush, groupsX) == 16);

struct CopyPush { // copy.comp
    uint32_t n;
    uint32_t srcOffset;
    uint32_t dstOffset;
    uint32_t groupsX;
};
static_assert(sizeof(CopyPush) == 16 && offsetof(CopyPush, groupsX) == 12);

struct AttentionPush { // attention.comp
    uint32_t n;
    uint32_t pos0;
    uint32_t nHead;
    uint32_t nHeadKv;
    uint32_t headDim;
    uint32_t headDimV;
    uint32_t scoreStride;
    float scale;
    float softcap;
    uint32_t window;
    uint32_t splitKeys;     // SPLIT variants only
    uint32_t nSplit;
    uint32_t partialOffset;
};
static_assert(sizeof(AttentionPush) == 52 && offsetof(AttentionPush, scale) == 28 && offsetof(AttentionPush, window) == 36
              && offsetof(AttentionPush, partialOffset) == 48);

struct AttentionTiledPush { // attention_tiled.comp: AttentionPush's fields without the scratch
    uint32_t n;
    uint32_t pos0;
    uint32_t nHead;
    uint32_t nHeadKv;
    uint32_t headDim;
    uint32_t headDimV;
    float scale;
    float softcap;
    uint32_t window;
};
static_assert(sizeof(AttentionTiledPush) == 36 && offsetof(AttentionTiledPush, scale) == 24 && offsetof(AttentionTiledPush, window) == 32);

struct AttentionCombinePush { // attention_combine.comp
    uint32_t nSplit;
    uint32_t headDimV;
    uint32_t partialOffset;
};
static_assert(sizeof(AttentionCombinePush) == 12 && offsetof(AttentionCombinePush, partialOffset) == 8);

struct ElementwisePush { // unary.comp, binary.comp
    uint32_t n;
    uint32_t nb;
    uint32_t groupsX;
    float param; // unary scale and soft-cap
};
static_assert(sizeof(ElementwisePush) == 16 && offsetof(ElementwisePush, groupsX) == 8 && offsetof(ElementwisePush, param) == 12);

} // namespace engine::gpu
