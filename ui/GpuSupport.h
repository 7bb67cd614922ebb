#pragma once
// The GUI's view of the optional GPU backend. ui/ must build without gpu/ (INKSTONE_BUILD_VULKAN
// OFF), so the app installs these hooks at start when its build has the Vulkan backend
// (app/gui/VulkanSupport.cpp), the same way gpu/ registers its factory with the engine. Without
// them the GUI knows it has no GPU support and says so in Settings.

#include <QList>
#include <QString>

#include <functional>

struct GpuDevice {
    QString name;           // as the driver reports it; also what Settings stores and selects by
    QString kind;           // "discrete", "integrated", "virtual", "cpu", "other"
    qint64 memoryBytes = 0; // device-local memory
    QString problem;        // why Inkstone cannot run on it (English driver facts), "" when it can
};

namespace GpuSupport {

struct Hooks {
    // The devices present now. Called on the GUI thread when Settings opens.
    std::function<QList<GpuDevice>()> listDevices;
    // The device the next model load uses: a name part or an index, "" for the automatic
    // choice. Called on the engine thread just before Model::load.
    std::function<void(const QString& selector)> selectDevice;
};

// Install once at start, before the engine thread runs; empty hooks uninstall (tests).
void install(Hooks hooks);
bool available();
QList<GpuDevice> devices();
void selectDevice(const QString& selector);

} // namespace GpuSupport
