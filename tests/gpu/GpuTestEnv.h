#pragma once
// Shared set-up of the GPU suites: a Vulkan instance with the validation layer on, and a device
// (lavapipe is fine). When either is unavailable the suite prints why and exits 77, which ctest
// reports as skipped. Any validation message fails the test function it happened in.

#include "Device.h"
#include "Instance.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <memory>

namespace gputest {

struct Env {
    std::unique_ptr<engine::gpu::Instance> instance;
    std::unique_ptr<engine::gpu::Device> device;
    QTemporaryDir cacheDir; // the pipeline cache of the run; never the user's

    engine::gpu::DeviceOptions deviceOptions() const
    {
        engine::gpu::DeviceOptions options;
        options.selector = qEnvironmentVariable("INKSTONE_VULKAN_DEVICE").toStdString();
        options.allowCpu = true;
        options.pipelineCacheDir = cacheDir.path().toStdString();
        return options;
    }

    // 0 when ready, 77 to skip, 1 when a device exists but cannot be opened (a bug).
    int init()
    {
        engine::gpu::InstanceOptions options;
        options.requireValidation = qEnvironmentVariable("INKSTONE_VULKAN_VALIDATION") != QLatin1String("0");
        auto created = engine::gpu::Instance::create(options);
        if (!created) {
            std::printf("SKIPPED: %s\n", created.error().message().c_str());
            return 77;
        }
        instance = std::move(*created);
        const auto devices = engine::gpu::enumerateDevices(*instance);
        if (auto chosen = engine::gpu::chooseDevice(devices, deviceOptions().selector, true); !chosen) {
            std::printf("SKIPPED: %s\n", chosen.error().message().c_str());
            return 77;
        }
        auto opened = engine::gpu::Device::create(*instance, deviceOptions());
        if (!opened) {
            std::printf("FAIL: cannot open the Vulkan device: %s\n", opened.error().message().c_str());
            return 1;
        }
        device = std::move(*opened);
        std::printf("Vulkan device: %s (validation %s)\n", device->info().name.c_str(), instance->validationEnabled() ? "on" : "off");
        return 0;
    }

    // Call from each suite's cleanup(): a validation message is a failure of that test.
    void checkValidation()
    {
        const int errors = instance->validationErrors();
        const int warnings = instance->validationWarnings();
        const std::string first = instance->firstValidationMessage();
        instance->resetValidationCounts();
        QVERIFY2(errors == 0 && warnings == 0, first.c_str());
    }
};

inline Env* g_env = nullptr;

} // namespace gputest

#define INKSTONE_GPU_TEST_MAIN(TestClass)                                                          \
    int main(int argc, char** argv)                                                                \
    {                                                                                              \
        QCoreApplication app(argc, argv);                                                          \
        gputest::Env env;                                                                          \
        if (const int status = env.init(); status != 0)                                            \
            return status;                                                                         \
        gputest::g_env = &env;                                                                     \
        TestClass test;                                                                            \
        const int failed = QTest::qExec(&test, argc, argv);                                        \
        gputest::g_env = nullptr;                                                                  \
        return failed;                                                                             \
    }
