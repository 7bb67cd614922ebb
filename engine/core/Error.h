#pragma once
// Errors the engine reports as values. The engine never produces translated text: it gives a
// code a UI can map to a tr() message, plus an English detail naming what and where.

#include <string>
#include <utility>

namespace engine {

enum class ErrorCode {
    InvalidArgument,   // a caller passed something meaningless (bad flag value, empty prompt)
    Io,                // a file could not be opened, read, mapped or written
    InvalidFile,       // the file is not a valid GGUF (truncated, hostile, inconsistent)
    Unsupported,       // valid but not supported here (architecture, tensor type, big-endian)
    MissingKey,        // a required metadata key or tensor is absent
    Template,          // a chat template failed to parse or render
    ContextFull,       // the prompt or the conversation does not fit in the context
    OutOfMemory,       // host or device allocation failed
    Device,            // GPU failure (no device, device lost)
    Cancelled,         // the user pressed Stop
    Internal,          // a bug; the detail says where
};

const char* errorCodeName(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string detail;   // English, one line, names the thing and the place (e.g. "at byte 1234")

    Error() = default;
    Error(ErrorCode c, std::string d) : code(c), detail(std::move(d)) {}

    // "invalid file: tensor 'x' data range ends past the end of the file (at byte 1234)"
    std::string message() const;
};

} // namespace engine
