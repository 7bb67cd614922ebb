// libFuzzer entry point over GgufFile::fromMemory. Also linked into tst_gguf_fuzz_replay (a
// plain ctest suite), which replays the malformed corpus and seeded mutations through this
// same function on every build, with or without clang.
//
// Beyond "no crash", a file the reader accepts must keep the promises other code relies on:
// every tensor view lies inside the buffer, sizes agree with type and shape, and names and keys
// are unique. A broken promise traps, so the fuzzer reports it like a crash.

#include "gguf/GgufFile.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

using namespace engine::gguf;

namespace {

void require(bool ok)
{
    if (!ok)
        __builtin_trap();
}

void checkAccepted(const GgufFile& f, const uint8_t* data, size_t size)
{
    require(f.version() == 2 || f.version() == 3);
    require(f.alignment() != 0 && (f.alignment() & (f.alignment() - 1)) == 0);
    std::set<std::string> keys;
    for (const auto& [key, value] : f.metadata()) {
        require(keys.insert(key).second);
        require(f.find(key) == &value);
        (void)value.toDisplayString(4); // walks nested arrays
    }
    std::set<std::string> names;
    for (const TensorInfo& t : f.tensors()) {
        require(names.insert(t.name).second);
        require(t.nDims >= 1 && t.nDims <= kMaxDims);
        const auto row = engine::quant::rowBytes(t.type, t.ne[0]);
        require(row.has_value());
        require(t.rows() == 0 || *row * static_cast<uint64_t>(t.rows()) == t.byteSize);
        require(t.offset % f.alignment() == 0);
        const TensorView v = f.tensor(t);
        require(v.data >= data && v.data + t.byteSize <= data + size);
        if (t.byteSize > 0) {
            // Touch the first and last byte: ASan flags any view that escapes the buffer.
            volatile uint8_t first = v.data[0];
            volatile uint8_t last = v.data[t.byteSize - 1];
            (void)first;
            (void)last;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    auto r = GgufFile::fromMemory(std::span<const uint8_t>(data, size));
    if (r.ok())
        checkAccepted(**r, data, size);
    else
        require(!r.error().detail.empty());
    return 0;
}
