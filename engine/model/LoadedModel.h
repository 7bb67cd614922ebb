#pragma once
// A GGUF file read as a transformer: its configuration and weight views. The weights point into
// the file's memory mapping, so the LoadedModel keeps the file alive.

#include "core/Result.h"
#include "gguf/GgufFile.h"
#include "model/ModelConfig.h"

#include <memory>

namespace engine::model {

struct LoadedModel {
    std::unique_ptr<gguf::GgufFile> file;
    ModelConfig config;
    ModelWeights weights;
};

// Reads the architecture description for file->architecture(), the hyperparameters and every
// tensor, checking names, types and shapes. Errors: Unsupported (architecture or tensor type),
// MissingKey (a hyperparameter or tensor, named), InvalidFile (a shape that does not fit).
Result<std::shared_ptr<const LoadedModel>> loadModel(std::unique_ptr<gguf::GgufFile> file);

} // namespace engine::model
