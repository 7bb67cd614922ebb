#include "GpuSupport.h"

namespace {
GpuSupport::Hooks& hooks()
{
    static GpuSupport::Hooks installed;
    return installed;
}
} // namespace

void GpuSupport::install(Hooks newHooks)
{
    hooks() = std::move(newHooks);
}

bool GpuSupport::available()
{
    return static_cast<bool>(hooks().listDevices);
}

QList<GpuDevice> GpuSupport::devices()
{
    return hooks().listDevices ? hooks().listDevices() : QList<GpuDevice>();
}

void GpuSupport::selectDevice(const QString& selector)
{
    if (hooks().selectDevice)
        hooks().selectDevice(selector);
}
