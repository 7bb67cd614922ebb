#include "FailureText.h"

QString FailureText::summary(const ServiceFailure& failure)
{
    using Kind = ServiceFailure::Kind;
    switch (failure.kind) {
    case Kind::Io: return tr("The file could not be read.");
    case Kind::InvalidFile: return tr("This is not a valid GGUF model file.");
    case Kind::Unsupported: return tr("This model is not supported by Inkstone yet.");
    case Kind::NoModel: return tr("No model is loaded. Open a GGUF model file first.");
    case Kind::NotAvailable:
        return tr("Text generation is not available in this build yet: Inkstone can open and describe "
                  "models, but its inference engine is still being written.");
    case Kind::ContextFull: return tr("The conversation no longer fits in the model's context.");
    case Kind::OutOfMemory: return tr("There is not enough memory for this model.");
    case Kind::Device: return tr("The graphics device failed.");
    case Kind::Template: return tr("The model's chat template could not be used.");
    case Kind::Cancelled: return tr("Stopped.");
    case Kind::Internal: return tr("Something went wrong inside Inkstone.");
    }
    return tr("Something went wrong inside Inkstone.");
}

QString FailureText::full(const ServiceFailure& failure)
{
    if (failure.detail.isEmpty())
        return summary(failure);
    return summary(failure) + QLatin1Char('\n') + failure.detail;
}
