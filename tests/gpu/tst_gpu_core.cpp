// GPU-layer logic that needs no device: which device the automatic choice takes and how a
// user's selector is matched, Handle's ownership rules, and how many layers a memory budget
// puts on the GPU. Runs everywhere, never skips.

#include "DeviceInfo.h"
#include "Handle.h"
#include "MemoryPlan.h"

#include <QtTest>

#include <vector>

using namespace engine::gpu;

namespace {

DeviceInfo usable(const char* name, DeviceKind kind, uint64_t memory, uint32_t index)
{
    DeviceInfo d;
    d.name = name;
    d.kind = kind;
    d.deviceLocalBytes = memory;
    d.index = index;
    d.apiVersion = VK_API_VERSION_1_3;
    d.computeQueueFamily = 0;
    d.storageBuffer16BitAccess = true;
    d.storageBuffer8BitAccess = true;
    return d;
}

int g_destroyed = 0;
void countDestroy(int, uint64_t)
{
    ++g_destroyed;
}

} // namespace

class TestGpuCore : public QObject {
    Q_OBJECT
private slots:
    void automaticChoicePrefersDiscreteThenIntegrated()
    {
        const std::vector<DeviceInfo> devices = {
            usable("llvmpipe", DeviceKind::Cpu, 8ull << 30, 0),
            usable("Intel UHD", DeviceKind::Integrated, 16ull << 30, 1),
            usable("Radeon RX", DeviceKind::Discrete, 8ull << 30, 2),
        };
        auto chosen = chooseDevice(devices, "", false);
        QVERIFY(chosen.ok());
        QCOMPARE(devices[*chosen].name, std::string("Radeon RX"));

        const std::vector<DeviceInfo> noDiscrete(devices.begin(), devices.begin() + 2);
        chosen = chooseDevice(noDiscrete, "", false);
        QVERIFY(chosen.ok());
        QCOMPARE(devices[*chosen].name, std::string("Intel UHD"));
    }

    void automaticChoiceTakesTheBiggerOfTwoAlikeCards()
    {
        const std::vector<DeviceInfo> devices = {
            usable("small", DeviceKind::Discrete, 4ull << 30, 0),
            usable("big", DeviceKind::Discrete, 24ull << 30, 1),
        };
        auto chosen = chooseDevice(devices, "", false);
        QVERIFY(chosen.ok());
        QCOMPARE(*chosen, size_t(1));
    }

    void cpuDevicesOnlyWhenAllowed()
    {
        const std::vector<DeviceInfo> devices = {usable("llvmpipe (LLVM 15)", DeviceKind::Cpu, 2ull << 30, 0)};
        auto refused = chooseDevice(devices, "", false);
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().detail.find("CPU implementation") != std::string::npos);
        QVERIFY(chooseDevice(devices, "", true).ok());
        // Naming it is always allowed: the user asked for it.
        QVERIFY(chooseDevice(devices, "llvmpipe", false).ok());
    }

    void selectorMatchesIndexOrNamePart()
    {
        const std::vector<DeviceInfo> devices = {
            usable("NVIDIA GeForce RTX 4090", DeviceKind::Discrete, 24ull << 30, 0),
            usable("AMD Radeon 780M", DeviceKind::Integrated, 2ull << 30, 1),
        };
        auto byIndex = chooseDevice(devices, "1", false);
        QVERIFY(byIndex.ok());
        QCOMPARE(*byIndex, size_t(1));
        auto byName = chooseDevice(devices, "radeon", false);
        QVERIFY(byName.ok());
        QCOMPARE(*byName, size_t(1));
        auto none = chooseDevice(devices, "intel", false);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, engine::ErrorCode::InvalidArgument);
        QVERIFY(!chooseDevice(devices, "7", false).ok());
    }

    void devicesWithoutNeededFeaturesAreSkippedWithAReason()
    {
        DeviceInfo old = usable("Old GPU", DeviceKind::Discrete, 4ull << 30, 0);
        old.storageBuffer8BitAccess = false;
        const std::vector<DeviceInfo> devices = {old, usable("iGPU", DeviceKind::Integrated, 1ull << 30, 1)};
        auto chosen = chooseDevice(devices, "", false);
        QVERIFY(chosen.ok());
        QCOMPARE(*chosen, size_t(1));

        auto named = chooseDevice(devices, "old", false);
        QVERIFY(!named.ok());
        QCOMPARE(named.error().code, engine::ErrorCode::Unsupported);
        QVERIFY(named.error().detail.find("8-bit storage") != std::string::npos);

        QVERIFY(!chooseDevice({}, "", true).ok());
    }

    void handleDestroysExactlyOnceAcrossMoves()
    {
        g_destroyed = 0;
        {
            Handle<uint64_t, int> a(0, 42, countDestroy);
            Handle<uint64_t, int> b(std::move(a));
            QVERIFY(!a);
            QCOMPARE(b.get(), uint64_t(42));
            Handle<uint64_t, int> c;
            c = std::move(b);
            QCOMPARE(g_destroyed, 0);
            c = Handle<uint64_t, int>(0, 7, countDestroy); // replacing destroys the old one
            QCOMPARE(g_destroyed, 1);
        }
        QCOMPARE(g_destroyed, 2);
    }

    void membersAreDestroyedInReverseOrder()
    {
        // The RAII rule the device layer relies on: a child declared after its parent goes first.
        static std::vector<uint64_t> order;
        order.clear();
        {
            struct Owner {
                Handle<uint64_t, int> parent{0, 1, [](int, uint64_t h) { order.push_back(h); }};
                Handle<uint64_t, int> child{0, 2, [](int, uint64_t h) { order.push_back(h); }};
            } owner;
        }
        QCOMPARE(order, (std::vector<uint64_t>{2, 1}));
    }

    void offloadPlanFollowsTheBudget_data()
    {
        QTest::addColumn<qulonglong>("available");
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("layers");      // -1: an error
        QTest::addColumn<bool>("outputOnGpu");
        // 4 layers of 100 bytes, shared 1000, activations 50 (full) / 20 (partial), transfer 5:
        // everything takes 5 + 1000 + 50 + 400 = 1455, k layers alone 5 + 20 + 100 k.
        QTest::newRow("everything fits") << 1455ull << -1 << 4 << true;
        QTest::newRow("one byte short: the output goes to the CPU") << 1454ull << -1 << 4 << false;
        QTest::newRow("room for two layers") << 300ull << -1 << 2 << false;
        QTest::newRow("just one layer") << 125ull << -1 << 1 << false;
        QTest::newRow("not one layer") << 124ull << -1 << -1 << false;
        QTest::newRow("asked for one, room for all") << 1455ull << 1 << 1 << false;
        QTest::newRow("asked for more than there are") << 0ull << 9 << 4 << true;
        QTest::newRow("asked for none") << 1455ull << 0 << -1 << false;
    }

    void offloadPlanFollowsTheBudget()
    {
        QFETCH(qulonglong, available);
        QFETCH(int, requested);
        QFETCH(int, layers);
        QFETCH(bool, outputOnGpu);
        MemoryNeeds needs;
        needs.shared = 1000;
        needs.layers = {100, 100, 100, 100};
        needs.activationsFull = 50;
        needs.activationsPartial = 20;
        needs.transfer = 5;
        QCOMPARE(needs.total(4, true), uint64_t(1455));
        auto plan = planOffload(needs, available, requested);
        if (layers < 0) {
            QVERIFY(!plan.ok());
            QCOMPARE(plan.error().code, requested == 0 ? engine::ErrorCode::InvalidArgument : engine::ErrorCode::OutOfMemory);
            return;
        }
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message().c_str());
        QCOMPARE(plan->gpuLayers, layers);
        QCOMPARE(plan->outputOnGpu, outputOnGpu);
    }
};

QTEST_GUILESS_MAIN(TestGpuCore)
#include "tst_gpu_core.moc"
