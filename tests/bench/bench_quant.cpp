// Throughput of the tensor formats: dequantize (scalar reference) and the dot products
// (scalar reference vs the dispatched ISA), in bytes of weights per second. Each benchmark first
// checks that its kernel agrees with the reference, as llm.c's dev/cuda does, then times it.
//
//   build-quant/tests/bench/bench_quant --benchmark_min_time=0.2
//   INKSTONE_CPU=scalar ... (the dispatched kernels become the scalar ones)

#include "quant/Kernels.h"
#include "quant/Quant.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <random>
#include <vector>

using namespace engine::quant;

namespace {

const TensorType kTypes[] = {
    TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
    TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K, TensorType::IQ4_NL, TensorType::IQ4_XS,
};

constexpr int64_t kRowLength = 4096;
constexpr int64_t kRows = 256; // 1M weights: larger than L2, like a real matrix slice

struct Matrix {
    std::vector<uint8_t> weights;
    std::vector<uint8_t> act;
    size_t rowBytes = 0;
};

Matrix makeMatrix(TensorType t)
{
    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> row(kRowLength);
    Matrix m;
    m.rowBytes = *rowBytes(t, kRowLength);
    m.weights.resize(m.rowBytes * kRows);
    for (int64_t r = 0; r < kRows; ++r) {
        for (auto& v : row)
            v = dist(rng);
        quantizeRow(t, row.data(), m.weights.data() + r * m.rowBytes, kRowLength);
    }
    for (auto& v : row)
        v = dist(rng);
    m.act.resize(activationRowBytes(t, kRowLength));
    quantizeActivations(t, row.data(), m.act.data(), kRowLength);
    return m;
}

std::string name(TensorType t)
{
    return std::string(typeName(t));
}

void dequantize(benchmark::State& state, TensorType t)
{
    const Matrix m = makeMatrix(t);
    std::vector<float> out(kRowLength);
    for (auto _ : state) {
        for (int64_t r = 0; r < kRows; ++r) {
            dequantizeRow(t, m.weights.data() + r * m.rowBytes, out.data(), kRowLength);
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(m.weights.size()));
}

void dot(benchmark::State& state, TensorType t, bool scalar)
{
    const Matrix m = makeMatrix(t);
    const VecDotFn fn = scalar ? vecDotScalar(t) : vecDot(t);
    const VecDotFn ref = vecDotScalar(t);
    // Validate first.
    for (int64_t r = 0; r < kRows; r += 37) {
        float a = 0, b = 0;
        fn(kRowLength, &a, m.weights.data() + r * m.rowBytes, m.act.data());
        ref(kRowLength, &b, m.weights.data() + r * m.rowBytes, m.act.data());
        if (std::fabs(a - b) > 1e-3f * (std::fabs(b) + 1.0f)) {
            state.SkipWithError("kernel disagrees with the reference");
            return;
        }
    }
    std::vector<float> out(kRows);
    for (auto _ : state) {
        for (int64_t r = 0; r < kRows; ++r)
            fn(kRowLength, &out[r], m.weights.data() + r * m.rowBytes, m.act.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(m.weights.size()));
}

// Weight rows against nCols activation rows with the tile kernels; bytes of weights per second
// (each weight byte is used nCols times) and multiply-adds per second.
void tileProduct(benchmark::State& state, TensorType t, bool scalar, int nCols)
{
    const Matrix m = makeMatrix(t);
    std::vector<uint8_t> acts(m.act.size() * static_cast<size_t>(nCols));
    for (int c = 0; c < nCols; ++c)
        std::copy(m.act.begin(), m.act.end(), acts.begin() + static_cast<size_t>(c) * m.act.size());
    const MatMulTileFn fn = scalar ? matMulTileScalar(t) : matMulTile(t);
    std::vector<float> out(static_cast<size_t>(kRows) * static_cast<size_t>(nCols));
    // Validate first against the reference dot.
    fn(kRowLength, kRows, nCols, m.weights.data(), m.rowBytes, acts.data(), m.act.size(), out.data(), kRows);
    for (int64_t r = 0; r < kRows; r += 31) {
        float ref = 0;
        vecDotScalar(t)(kRowLength, &ref, m.weights.data() + r * m.rowBytes, m.act.data());
        if (std::fabs(out[static_cast<size_t>(r)] - ref) > 1e-3f * (std::fabs(ref) + 1.0f)) {
            state.SkipWithError("tile disagrees with the reference");
            return;
        }
    }
    for (auto _ : state) {
        fn(kRowLength, kRows, nCols, m.weights.data(), m.rowBytes, acts.data(), m.act.size(), out.data(), kRows);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(m.weights.size()));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kRows * kRowLength * nCols);
}

void quantizeActs(benchmark::State& state, TensorType t, bool scalar)
{
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x(kRowLength);
    for (auto& v : x)
        v = dist(rng);
    std::vector<uint8_t> out(activationRowBytes(t, kRowLength));
    for (auto _ : state) {
        if (scalar)
            quantizeActivationsScalar(t, x.data(), out.data(), kRowLength);
        else
            quantizeActivations(t, x.data(), out.data(), kRowLength);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRowLength * 4);
}

int registerAll()
{
    for (TensorType t : kTypes) {
        benchmark::RegisterBenchmark(("dequantize/" + name(t)).c_str(), dequantize, t);
        benchmark::RegisterBenchmark(("vecdot_scalar/" + name(t)).c_str(), dot, t, true);
        benchmark::RegisterBenchmark((std::string("vecdot_") + kernelIsaName() + "/" + name(t)).c_str(), dot, t, false);
        benchmark::RegisterBenchmark((std::string("matvec_tile_") + kernelIsaName() + "/" + name(t)).c_str(), tileProduct, t, false, 1);
        benchmark::RegisterBenchmark(("matmul64_scalar/" + name(t)).c_str(), tileProduct, t, true, 64);
        benchmark::RegisterBenchmark((std::string("matmul64_tile_") + kernelIsaName() + "/" + name(t)).c_str(), tileProduct, t, false, 64);
    }
    for (TensorType t : {TensorType::Q4_0, TensorType::Q4_1, TensorType::Q4_K}) {
        const std::string act(typeName(activationType(t)));
        benchmark::RegisterBenchmark(("quantize_act_scalar/" + act).c_str(), quantizeActs, t, true);
        benchmark::RegisterBenchmark((std::string("quantize_act_") + kernelIsaName() + "/" + act).c_str(), quantizeActs, t, false);
    }
    return 0;
}

const int kRegistered = registerAll();

} // namespace

BENCHMARK_MAIN();
