#pragma once
// Dot products between a weight row (any supported storage type) and an activation row, the
// building block of every matrix-vector and matrix-matrix product of the CPU backend.
//
// As in ggml, activations are first converted once per row to the format the weight type pairs
// with (activationType), and the dot product then works block by block in integers where it
// can. The conversion is bit-identical to what llama.cpp's CPU backend does on an AVX2 machine,
// so our logits follow its rounding. vecDot picks the best kernel this CPU runs (runtime
// dispatch on engine::cpuFeatures(); INKSTONE_CPU=scalar forces the reference).

#include "quant/TensorType.h"

#include <cstddef>
#include <cstdint>

namespace engine::quant {

// The format activations are converted to for a weight type's dot product (ggml's vec_dot_type):
// Q8_0 for Q4_0/Q5_0/Q8_0/IQ4_NL, Q8_1 for Q4_1/Q5_1, Q8_K for the K-quants and IQ4_XS,
// F16 for F16, BF16 for BF16, F32 for F32.
TensorType activationType(TensorType weightType);
// Bytes of one converted activation row of n elements.
size_t activationRowBytes(TensorType weightType, int64_t n);
// Converts n floats (n a multiple of the weight type's block size) to activationType(weightType).
void quantizeActivations(TensorType weightType, const float* x, void* dst, int64_t n);
// The scalar reference of quantizeActivations (bit-identical results; for tests and benchmarks).
void quantizeActivationsScalar(TensorType weightType, const float* x, void* dst, int64_t n);

// out = dot(weight row, activation row) over n elements (n a multiple of the block size).
using VecDotFn = void (*)(int64_t n, float* out, const void* weightRow, const void* activationRow);
VecDotFn vecDot(TensorType weightType);        // the best ISA this CPU has (runtime dispatch)
VecDotFn vecDotScalar(TensorType weightType);  // the reference
bool hasVecDot(TensorType weightType);

// A tile of a matrix product: out[c * outStride + r] = dot(weight row r, activation row c) for
// r < nRows and c < nCols; weight rows are weightStride bytes apart, activation rows (converted by
// quantizeActivations) actStride bytes apart. Same results as nRows * nCols vecDot calls (up to
// float summation order), but faster: each weight block is decoded once for several activation
// rows and each activation block loaded once for several weight rows (2 x 4 register tiles).
// The tile walks all nRows for each group of 4 activation rows, so keep nRows small enough for
// those weight rows to stay in cache (e.g. 16) and block over tokens outside. With nCols == 1
// (generation) it is row by row: one sequential stream through the weights, which is what
// memory bandwidth rewards.
using MatMulTileFn = void (*)(int64_t n, int64_t nRows, int64_t nCols, const void* weights, size_t weightStride,
                              const void* acts, size_t actStride, float* out, size_t outStride);
MatMulTileFn matMulTile(TensorType weightType);       // runtime dispatch, as vecDot
MatMulTileFn matMulTileScalar(TensorType weightType); // loops over vecDotScalar

// Prefill products through packed panels (AVX2 only; nullptr elsewhere and for the float types).
// A task packs its weight rows once into a panel (pack), then multiplies it with any number of
// activation rows (multiply): out[c * outStride + r] = dot(weight row r, activation row c), the
// same values as matMulTile up to float summation order. multiply also takes, per activation row,
// activationPanelSums() of it (sumsStride floats apart).
struct PanelOps {
    int groupRows; // rows are packed in groups of this many (a partial last group is padded)
    size_t (*bytes)(int64_t n, int64_t nRows);
    void (*pack)(int64_t n, int64_t nRows, const void* weights, size_t weightStride, void* panel);
    void (*multiply)(int64_t n, int64_t nRows, int64_t nCols, const void* panel, const void* acts, size_t actStride,
                     const float* sums, size_t sumsStride, float* out, size_t outStride);
};
const PanelOps* panelOps(TensorType weightType);
// Floats of activationPanelSums for a row of n elements.
inline int64_t activationPanelSumsCount(int64_t n) { return n / 32 * 4; }
// Per 32-element block of a converted activation row (quantizeActivations): its scale, and that
// scale times the sum of the block's integers, of the whole block and of each half.
void activationPanelSums(TensorType weightType, const void* actRow, int64_t n, float* sums);

// Weight matrices stored 8 rows at a time, four bytes of each row in turn (the CPU backend's
// load-time layout for Q4_0, Q8_0 and Q4_K where the AVX2 kernels run). Group g of 8 rows starts
// at 8g · interleavedRowBytes, so a range of rows that starts at a multiple of 8 is addressed as
// rows of that size. interleavedTile has MatMulTileFn's contract with nRows a multiple of 8 and
// weights at the first row of a group; interleavedPanelOps packs panels from this layout.
bool canInterleave(TensorType weightType); // false where the kernels below do not run
// Bytes per row in that layout: the file's for Q4_0 and Q8_0; Q4_K keeps its sub-block scales
// unpacked (148 bytes per 256 elements instead of 144).
size_t interleavedRowBytes(TensorType weightType, int64_t n);
// dst holds nRows · interleavedRowBytes bytes.
void interleaveRows(TensorType weightType, int64_t n, int64_t nRows, const void* src, size_t srcStride, void* dst);
MatMulTileFn interleavedTile(TensorType weightType);
const PanelOps* interleavedPanelOps(TensorType weightType);

// "AVX2" or "scalar": which kernel set vecDot hands out (for logs and benchmarks).
const char* kernelIsaName();

} // namespace engine::quant
