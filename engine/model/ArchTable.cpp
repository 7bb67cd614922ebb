#include "model/ArchTable.h"

#include <array>

namespace engine::model {

namespace {

ArchDescription llama()
{
    ArchDescription d;
    d.name = "llama";   // Llama 2/3.x, Mistral, TinyLlama, SmolLM2 (llama3 scaling via rope_freqs)
    return d;
}

ArchDescription qwen2()
{
    ArchDescription d;
    d.name = "qwen2";   // q/k/v biases are optional tensors, read when present
    d.rope = RopeKind::Neox;
    return d;
}

ArchDescription qwen3()
{
    ArchDescription d = qwen2();
    d.name = "qwen3";
    d.qkNorm = true;
    return d;
}

ArchDescription gemma()
{
    ArchDescription d;
    d.name = "gemma";
    d.rope = RopeKind::Neox;
    d.activation = Activation::Gelu;
    d.embedScaleSqrt = true;
    return d;
}

ArchDescription gemma2()
{
    ArchDescription d = gemma();
    d.name = "gemma2";
    d.postNorms = true;
    d.slidingWindowPattern = 2;
    return d;
}

ArchDescription gemma3()
{
    ArchDescription d = gemma2();
    d.name = "gemma3";
    d.qkNorm = true;
    d.slidingWindowPattern = 6;
    d.ropeBaseLocal = 10000.0f;
    return d;
}

ArchDescription phi3()
{
    ArchDescription d;
    d.name = "phi3";
    d.rope = RopeKind::Neox;
    d.fusedQkv = true;
    d.fusedGateUp = true;
    d.slidingWindowPattern = 1;
    return d;
}

ArchDescription gpt2()
{
    ArchDescription d;
    d.name = "gpt2";
    d.norm = NormKind::Layer;
    d.rope = RopeKind::None;
    d.activation = Activation::Gelu;
    d.gatedFfn = false;
    d.fusedQkv = true;
    return d;
}

const std::array<ArchDescription, 8>& table()
{
    static const std::array<ArchDescription, 8> all = {llama(), qwen2(), qwen3(), gemma(), gemma2(), gemma3(), phi3(), gpt2()};
    return all;
}

} // namespace

const ArchDescription* findArchitecture(std::string_view name)
{
    for (const ArchDescription& d : table())
        if (d.name == name)
            return &d;
    return nullptr;
}

std::string_view supportedArchitectureList()
{
    return "llama, qwen2, qwen3, gemma, gemma2, gemma3, phi3, gpt2";
}

} // namespace engine::model
