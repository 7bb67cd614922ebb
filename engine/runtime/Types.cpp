#include "runtime/Types.h"

namespace engine {

const char* stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::Eos: return "eos";
    case StopReason::StopString: return "stop string";
    case StopReason::MaxTokens: return "max tokens";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::Callback: return "callback";
    case StopReason::ContextFull: return "context full";
    }
    return "unknown";
}

} // namespace engine
