// inkstone-cli devices [--json] [--validation]: the Vulkan devices this machine offers, what
// each can do, and which one Inkstone would pick. A machine without Vulkan is an answer, not an
// error: the verb says so and exits 0.

#include "Verb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <string>

#if defined(INKSTONE_HAVE_VULKAN)
#include "DeviceInfo.h"
#include "Instance.h"
#endif

namespace {

const char kUsage[] =
    "Usage: inkstone-cli devices [--json] [--validation]\n"
    "\n"
    "Lists the Vulkan devices: type, memory, limits, subgroup size and the features the GPU\n"
    "backend uses (16-bit and 8-bit storage, float16, int8, integer dot product, cooperative\n"
    "matrix), whether Inkstone can run on each, and which one the automatic choice takes\n"
    "(a discrete GPU first, then integrated; CPU implementations such as lavapipe never).\n"
    "Without a Vulkan loader or device it says so and exits 0: Inkstone then runs on the CPU.\n"
    "\n"
    "Options:\n"
    "  --json        print one JSON object instead of text\n"
    "  --validation  enable the Khronos validation layer while probing\n"
    "  -h, --help    show this help\n"
    "\n"
    "Exit status: 0 ok (also when there is no Vulkan), 1 bad usage.\n";

void printJson(const QJsonObject& o)
{
    std::printf("%s", QJsonDocument(o).toJson(QJsonDocument::Indented).constData());
}

#if defined(INKSTONE_HAVE_VULKAN)

using namespace engine::gpu;

QString bytesText(uint64_t bytes)
{
    const double gib = double(bytes) / (1024.0 * 1024.0 * 1024.0);
    if (gib >= 1.0)
        return QString::number(gib, 'f', 1) + QStringLiteral(" GiB");
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 0) + QStringLiteral(" MiB");
}

QString versionText(uint32_t v)
{
    return QStringLiteral("%1.%2.%3").arg(VK_API_VERSION_MAJOR(v)).arg(VK_API_VERSION_MINOR(v)).arg(VK_API_VERSION_PATCH(v));
}

const char* yesNo(bool b)
{
    return b ? "yes" : "no";
}

QJsonObject deviceJson(const DeviceInfo& d, bool chosen)
{
    QJsonObject o;
    o[QStringLiteral("index")] = int(d.index);
    o[QStringLiteral("name")] = QString::fromStdString(d.name);
    o[QStringLiteral("type")] = QString::fromLatin1(deviceKindName(d.kind));
    o[QStringLiteral("api_version")] = versionText(d.apiVersion);
    o[QStringLiteral("driver")] = QString::fromStdString(d.driverName);
    o[QStringLiteral("driver_info")] = QString::fromStdString(d.driverInfo);
    o[QStringLiteral("vendor_id")] = int(d.vendorId);
    o[QStringLiteral("device_id")] = int(d.deviceId);
    o[QStringLiteral("device_local_bytes")] = double(d.deviceLocalBytes);
    o[QStringLiteral("host_visible_device_local_bytes")] = double(d.hostVisibleDeviceLocalBytes);
    o[QStringLiteral("max_storage_buffer_range")] = double(d.maxStorageBufferRange);
    o[QStringLiteral("max_memory_allocation_size")] = double(d.maxMemoryAllocationSize);
    o[QStringLiteral("max_compute_shared_memory")] = int(d.maxComputeSharedMemorySize);
    o[QStringLiteral("max_workgroup_invocations")] = int(d.maxComputeWorkGroupInvocations);
    o[QStringLiteral("subgroup_size")] = int(d.subgroupSize);
    o[QStringLiteral("subgroup_size_min")] = int(d.minSubgroupSize);
    o[QStringLiteral("subgroup_size_max")] = int(d.maxSubgroupSize);
    o[QStringLiteral("subgroup_arithmetic")] = d.subgroupArithmetic;
    o[QStringLiteral("subgroup_shuffle")] = d.subgroupShuffle;
    o[QStringLiteral("subgroup_clustered")] = d.subgroupClustered;
    o[QStringLiteral("subgroup_size_control")] = d.subgroupSizeControl;
    o[QStringLiteral("storage_16bit")] = d.storageBuffer16BitAccess;
    o[QStringLiteral("storage_8bit")] = d.storageBuffer8BitAccess;
    o[QStringLiteral("float16")] = d.shaderFloat16;
    o[QStringLiteral("int8")] = d.shaderInt8;
    o[QStringLiteral("integer_dot_product")] = d.integerDotProduct;
    o[QStringLiteral("integer_dot_product_accelerated")] = d.integerDotProduct4x8Accelerated;
    o[QStringLiteral("cooperative_matrix_khr")] = d.cooperativeMatrixKhr;
    o[QStringLiteral("cooperative_matrix_nv")] = d.cooperativeMatrixNv;
    const std::string why = d.unsupportedReason();
    o[QStringLiteral("usable")] = why.empty();
    if (!why.empty())
        o[QStringLiteral("unusable_reason")] = QString::fromStdString(why);
    o[QStringLiteral("automatic_choice")] = chosen;
    return o;
}

void printDevice(const DeviceInfo& d, bool chosen)
{
    std::printf("%u: %s [%s]%s\n", d.index, d.name.c_str(), deviceKindName(d.kind), chosen ? "  <- automatic choice" : "");
    std::printf("   Vulkan %s, driver %s%s%s\n", qPrintable(versionText(d.apiVersion)), d.driverName.empty() ? "?" : d.driverName.c_str(),
                d.driverInfo.empty() ? "" : " ", d.driverInfo.c_str());
    std::printf("   memory: %s device-local%s\n", qPrintable(bytesText(d.deviceLocalBytes)),
                d.hostVisibleDeviceLocalBytes ? qPrintable(QStringLiteral(" (%1 host-visible)").arg(bytesText(d.hostVisibleDeviceLocalBytes))) : "");
    std::printf("   limits: buffer %s, allocation %s, shared memory %u KiB, workgroup %u invocations\n",
                qPrintable(bytesText(d.maxStorageBufferRange)), qPrintable(bytesText(d.maxMemoryAllocationSize)),
                d.maxComputeSharedMemorySize / 1024, d.maxComputeWorkGroupInvocations);
    std::printf("   subgroups: size %u (%u..%u), arithmetic %s, shuffle %s, clustered %s, size control %s\n", d.subgroupSize,
                d.minSubgroupSize, d.maxSubgroupSize, yesNo(d.subgroupArithmetic), yesNo(d.subgroupShuffle),
                yesNo(d.subgroupClustered), yesNo(d.subgroupSizeControl));
    std::printf("   features: 16-bit storage %s, 8-bit storage %s, float16 %s, int8 %s, integer dot product %s%s, "
                "cooperative matrix %s\n",
                yesNo(d.storageBuffer16BitAccess), yesNo(d.storageBuffer8BitAccess), yesNo(d.shaderFloat16), yesNo(d.shaderInt8),
                yesNo(d.integerDotProduct), d.integerDotProduct && !d.integerDotProduct4x8Accelerated ? " (not accelerated)" : "",
                d.cooperativeMatrixKhr ? "yes (KHR)" : d.cooperativeMatrixNv ? "yes (NV)" : "no");
    const std::string why = d.unsupportedReason();
    std::printf("   inkstone: %s\n", why.empty() ? "usable" : ("not usable: " + why).c_str());
}

int run(const QStringList& args)
{
    bool json = false;
    bool validation = false;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            std::printf("%s", kUsage);
            return cli::ExitOk;
        }
        if (a == QLatin1String("--json"))
            json = true;
        else if (a == QLatin1String("--validation"))
            validation = true;
        else
            return cli::failUsage(QStringLiteral("unknown option '%1' (see inkstone-cli devices --help)").arg(a));
    }

    InstanceOptions options;
    options.validation = validation;
    engine::Result<std::unique_ptr<Instance>> instance = Instance::create(options);
    if (!instance) {
        const QString why = QString::fromStdString(instance.error().detail);
        if (json) {
            printJson({{QStringLiteral("vulkan"), false}, {QStringLiteral("reason"), why}, {QStringLiteral("devices"), QJsonArray()}});
        } else {
            std::printf("No Vulkan available: %s.\nInkstone runs on the CPU.\n", qPrintable(why));
        }
        return cli::ExitOk;
    }

    const std::vector<DeviceInfo> devices = enumerateDevices(**instance);
    const engine::Result<size_t> chosen = chooseDevice(devices, std::string(), false);
    if (json) {
        QJsonArray list;
        for (size_t i = 0; i < devices.size(); ++i)
            list.append(deviceJson(devices[i], chosen && *chosen == i));
        QJsonObject o{{QStringLiteral("vulkan"), true},
                      {QStringLiteral("instance_version"), versionText((*instance)->apiVersion())},
                      {QStringLiteral("validation"), (*instance)->validationEnabled()},
                      {QStringLiteral("devices"), list}};
        if (!chosen)
            o[QStringLiteral("reason")] = QString::fromStdString(chosen.error().detail);
        printJson(o);
        return cli::ExitOk;
    }

    if (devices.empty()) {
        std::printf("Vulkan is installed but reports no device.\nInkstone runs on the CPU.\n");
        return cli::ExitOk;
    }
    std::printf("Vulkan devices (instance %s%s):\n", qPrintable(versionText((*instance)->apiVersion())),
                (*instance)->validationEnabled() ? ", validation on" : "");
    for (size_t i = 0; i < devices.size(); ++i)
        printDevice(devices[i], chosen && *chosen == i);
    if (!chosen)
        std::printf("Automatic choice: none (%s); Inkstone runs on the CPU unless a device is named.\n", chosen.error().detail.c_str());
    return cli::ExitOk;
}

#else // built without the Vulkan backend

int run(const QStringList& args)
{
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("-h") || args.at(i) == QLatin1String("--help")) {
            std::printf("%s", kUsage);
            return cli::ExitOk;
        }
        if (args.at(i) == QLatin1String("--json")) {
            printJson({{QStringLiteral("vulkan"), false},
                       {QStringLiteral("reason"), QStringLiteral("built without the Vulkan backend")},
                       {QStringLiteral("devices"), QJsonArray()}});
            return cli::ExitOk;
        }
    }
    std::printf("This build of Inkstone has no Vulkan backend (built without the Vulkan headers or glslc).\n"
                "Inkstone runs on the CPU.\n");
    return cli::ExitOk;
}

#endif

const cli::VerbRegistration kRegistration({"devices", "list Vulkan devices and what they support", run});

} // namespace
