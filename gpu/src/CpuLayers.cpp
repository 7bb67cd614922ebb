#include "CpuLayers.h"

#include "cpu/CpuBackend.h"

#include <cstring>
#include <numeric>
#include <vector>

namespace engine::gpu {

struct CpuLayers::View {
    std::shared_ptr<const model::LoadedModel> whole; // the file the view's weights point into
    model::LoadedModel part;
    std::vector<float> input;                         // part.weights.tokenEmbd; never reallocated
    std::vector<int32_t> ids;                         // 0, 1, ... maxTokens - 1
};

Result<std::unique_ptr<CpuLayers>> CpuLayers::create(std::shared_ptr<const model::LoadedModel> model, int firstLayer, int maxTokens,
                                                     int threads)
{
    const model::ModelConfig& c = model->config;
    if (firstLayer < 0 || firstLayer > c.nLayer || maxTokens <= 0 || maxTokens > c.nVocab)
        return makeError(ErrorCode::InvalidArgument, "CPU layers from " + std::to_string(firstLayer) + " of " + std::to_string(c.nLayer)
                                                         + " for " + std::to_string(maxTokens) + " tokens");
    auto view = std::make_shared<View>();
    view->whole = model;
    view->input.assign(size_t(maxTokens) * c.nEmbd, 0.0f);
    view->ids.resize(size_t(maxTokens));
    std::iota(view->ids.begin(), view->ids.end(), 0);

    model::ModelConfig& vc = view->part.config;
    vc = c;
    vc.nLayer = c.nLayer - firstLayer;
    vc.embedScale = 0.0f; // applied before the first GPU layer
    if (vc.layerUsesSlidingWindow.size() == size_t(c.nLayer))
        vc.layerUsesSlidingWindow.erase(vc.layerUsesSlidingWindow.begin(), vc.layerUsesSlidingWindow.begin() + firstLayer);
    model::ModelWeights& vw = view->part.weights;
    vw = model->weights;
    vw.layers.erase(vw.layers.begin(), vw.layers.begin() + firstLayer);
    vw.posEmbd = model::Tensor{}; // added before the first GPU layer
    vw.tokenEmbd = model::Tensor{};
    vw.tokenEmbd.type = quant::TensorType::F32;
    vw.tokenEmbd.cols = c.nEmbd;
    vw.tokenEmbd.rows = maxTokens;
    vw.tokenEmbd.rowBytes = size_t(c.nEmbd) * sizeof(float);
    vw.tokenEmbd.data = reinterpret_cast<const uint8_t*>(view->input.data());
    vw.tokenEmbd.name = "hidden states from the GPU";

    // The CPU backend shares ownership of the view (an aliasing pointer to its model part).
    auto cpu = cpu::createCpuBackend(std::shared_ptr<const model::LoadedModel>(view, &view->part), threads);
    if (!cpu)
        return cpu.error();
    std::unique_ptr<CpuLayers> layers(new CpuLayers());
    layers->m_maxTokens = maxTokens;
    layers->m_view = std::move(view);
    layers->m_cpu = std::move(cpu).value();
    return layers;
}

Result<void> CpuLayers::forward(model::BackendContext& context, const float* hidden, int n, int pos0, std::span<const int32_t> rows,
                                float* logits, const std::atomic<bool>* cancel)
{
    if (n <= 0 || n > m_maxTokens)
        return makeError(ErrorCode::InvalidArgument, std::to_string(n) + " rows for CPU layers that take " + std::to_string(m_maxTokens));
    std::lock_guard lock(m_mutex);
    std::memcpy(m_view->input.data(), hidden, size_t(n) * m_view->part.config.nEmbd * sizeof(float));
    return context.forward(std::span<const int32_t>(m_view->ids).first(size_t(n)), pos0, rows, logits, cancel);
}

} // namespace engine::gpu
