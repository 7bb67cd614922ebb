#include "core/Error.h"

namespace engine {

const char* errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::InvalidFile: return "invalid file";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::MissingKey: return "missing";
    case ErrorCode::Template: return "template error";
    case ErrorCode::ContextFull: return "context full";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::Device: return "device error";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal error";
    }
    return "error";
}

std::string Error::message() const
{
    return std::string(errorCodeName(code)) + ": " + detail;
}

} // namespace engine
