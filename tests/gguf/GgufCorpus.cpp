#include "GgufCorpus.h"

#include "gguf/GgufWriter.h"

#include <cassert>
#include <cstring>
#include <limits>
#include <set>

namespace testing::gguf {

using namespace engine;
using namespace engine::gguf;

namespace {

constexpr uint64_t k2p63 = uint64_t(1) << 63;
constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

// Where each field of the base file starts, found by walking it (the base is valid, so the
// walk needs no checks).
struct Layout {
    struct Kv {
        std::string key;
        uint64_t keyAt, typeAt, valueAt, end;
        uint32_t type;
    };
    struct Tensor {
        std::string name;
        uint64_t at, nDimsAt, neAt, typeAt, offsetAt, end;
    };
    std::vector<Kv> kvs;
    std::vector<Tensor> tensors;
    uint64_t dataOffset = 0;
    std::vector<uint64_t> dataStart;
    std::vector<uint64_t> boundaries; // every field start, ascending

    const Kv& kv(const std::string& key) const
    {
        for (const Kv& k : kvs)
            if (k.key == key)
                return k;
        assert(false && "no such key in the base file");
        return kvs.front();
    }
    const Tensor& tensor(const std::string& name) const
    {
        for (const Tensor& t : tensors)
            if (t.name == name)
                return t;
        assert(false && "no such tensor in the base file");
        return tensors.front();
    }
};

template <typename T>
T get(const std::vector<uint8_t>& b, uint64_t at)
{
    T v;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

template <typename T>
std::vector<uint8_t> patched(std::vector<uint8_t> b, uint64_t at, T v)
{
    std::memcpy(b.data() + at, &v, sizeof v);
    return b;
}

uint64_t skipValue(const std::vector<uint8_t>& b, uint64_t pos, uint32_t type, std::vector<uint64_t>& marks)
{
    static const uint64_t scalar[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    marks.push_back(pos);
    if (type == uint32_t(ValueType::String))
        return pos + 8 + get<uint64_t>(b, pos);
    if (type != uint32_t(ValueType::Array))
        return pos + scalar[type];
    const uint32_t et = get<uint32_t>(b, pos);
    const uint64_t n = get<uint64_t>(b, pos + 4);
    marks.push_back(pos + 4);
    pos += 12;
    for (uint64_t i = 0; i < n; ++i)
        pos = skipValue(b, pos, et, marks);
    return pos;
}

Layout scan(const std::vector<uint8_t>& b, uint64_t alignment)
{
    Layout l;
    std::vector<uint64_t>& m = l.boundaries;
    m = {0, 4, 8, 16};
    const uint64_t nt = get<uint64_t>(b, 8);
    const uint64_t nkv = get<uint64_t>(b, 16);
    uint64_t pos = 24;
    for (uint64_t i = 0; i < nkv; ++i) {
        Layout::Kv kv;
        kv.keyAt = pos;
        const uint64_t len = get<uint64_t>(b, pos);
        kv.key.assign(reinterpret_cast<const char*>(b.data() + pos + 8), len);
        m.push_back(pos);
        m.push_back(pos + 8);
        pos += 8 + len;
        kv.typeAt = pos;
        kv.type = get<uint32_t>(b, pos);
        m.push_back(pos);
        pos += 4;
        kv.valueAt = pos;
        pos = skipValue(b, pos, kv.type, m);
        kv.end = pos;
        l.kvs.push_back(kv);
    }
    for (uint64_t i = 0; i < nt; ++i) {
        Layout::Tensor t;
        t.at = pos;
        const uint64_t len = get<uint64_t>(b, pos);
        t.name.assign(reinterpret_cast<const char*>(b.data() + pos + 8), len);
        m.push_back(pos);
        m.push_back(pos + 8);
        pos += 8 + len;
        t.nDimsAt = pos;
        const uint32_t nd = get<uint32_t>(b, pos);
        m.push_back(pos);
        pos += 4;
        t.neAt = pos;
        for (uint32_t d = 0; d < nd; ++d, pos += 8)
            m.push_back(pos);
        t.typeAt = pos;
        m.push_back(pos);
        pos += 4;
        t.offsetAt = pos;
        m.push_back(pos);
        pos += 8;
        t.end = pos;
        l.tensors.push_back(t);
    }
    m.push_back(pos); // end of the tensor infos
    l.dataOffset = (pos + alignment - 1) / alignment * alignment;
    m.push_back(l.dataOffset);
    for (size_t i = 0; i < l.tensors.size(); ++i) {
        const uint64_t start = l.dataOffset + get<uint64_t>(b, l.tensors[i].offsetAt);
        l.dataStart.push_back(start);
        m.push_back(start);
    }
    std::set<uint64_t> unique(m.begin(), m.end());
    m.assign(unique.begin(), unique.end());
    return l;
}

std::vector<uint8_t> truncated(const std::vector<uint8_t>& b, uint64_t size)
{
    return std::vector<uint8_t>(b.begin(), b.begin() + static_cast<ptrdiff_t>(size));
}

} // namespace

std::vector<uint8_t> validBaseFile()
{
    GgufWriter w;
    w.setValue("general.architecture", Value::string("llama"));
    w.setValue("general.alignment", Value::u32(64));
    w.setValue("test.k1", Value::u32(7));
    w.setValue("test.k2", Value::stringArray({"a", "bc", "def"}));
    w.setValue("test.k3", Value::array(ValueType::Array, {Value::int32Array({1, 2}), Value::int32Array({3})}));
    w.setValue("test.flag", Value::boolean(true));
    w.setValue("test.f64", Value::f64(0.5));
    std::vector<uint8_t> a(64 * 2 * 4, 0x11);
    std::vector<uint8_t> q(2 * 2 * 18, 0x22);
    std::vector<uint8_t> h(8 * 2, 0x33);
    Result<void> r1 = w.addTensor("blk.0.a", quant::TensorType::F32, {64, 2}, a);
    Result<void> r2 = w.addTensor("blk.0.b", quant::TensorType::Q4_0, {64, 2}, q);
    Result<void> r3 = w.addTensor("blk.0.c", quant::TensorType::F16, {8}, h);
    assert(r1.ok() && r2.ok() && r3.ok());
    (void)r1; (void)r2; (void)r3;
    return w.toBytes();
}

std::vector<MalformedCase> malformedCorpus()
{
    const std::vector<uint8_t> base = validBaseFile();
    const Layout l = scan(base, 64);
    std::vector<MalformedCase> out;
    const auto add = [&](std::string name, std::vector<uint8_t> bytes, std::string expect, bool cli = false) {
        out.push_back({std::move(name), std::move(bytes), std::move(expect), cli});
    };

    // Truncation at every field boundary and in the middle of every field, up to the end of the
    // last tensor's data (what follows is padding a reader may do without).
    const uint64_t lastDataEnd = l.dataStart.back() + 16; // blk.0.c: 8 f16 values
    std::vector<uint64_t> cuts;
    for (size_t i = 0; i < l.boundaries.size(); ++i) {
        const uint64_t b = l.boundaries[i];
        const uint64_t next = i + 1 < l.boundaries.size() ? l.boundaries[i + 1] : lastDataEnd;
        if (b < lastDataEnd)
            cuts.push_back(b);
        if (next > b + 1 && (b + next) / 2 < lastDataEnd)
            cuts.push_back((b + next) / 2);
    }
    cuts.push_back(lastDataEnd - 1);
    int cliCuts = 0;
    for (const uint64_t c : cuts) {
        // Through the CLI: a handful spread over header, metadata, tensor infos and data.
        const bool cli = (c == 0 || c == 6 || c == 20 || c == l.kv("test.k2").valueAt + 6 || c == l.tensors[1].neAt ||
                          c == l.dataOffset || c == lastDataEnd - 1) && cliCuts++ < 8;
        add("truncated-at-" + std::to_string(c), truncated(base, c), "", cli);
    }

    // Magic and version.
    add("magic-wrong", patched<uint32_t>(base, 0, 0x47554747), "bad magic", true);
    add("magic-legacy-ggjt", patched<uint32_t>(base, 0, 0x67676a74), "bad magic", true);
    add("magic-zero", patched<uint32_t>(base, 0, 0), "bad magic");
    add("version-0", patched<uint32_t>(base, 4, 0), "unsupported GGUF version 0", true);
    add("version-1", patched<uint32_t>(base, 4, 1), "version 1 is not supported", true);
    add("version-4", patched<uint32_t>(base, 4, 4), "unsupported GGUF version 4", true);
    add("version-max", patched<uint32_t>(base, 4, 0xffffffffu), "unsupported GGUF version");
    add("big-endian-v3", patched<uint32_t>(base, 4, 0x03000000u), "big-endian", true);
    add("big-endian-v2", patched<uint32_t>(base, 4, 0x02000000u), "big-endian");
    add("empty", {}, "too small", true);
    add("three-bytes", truncated(base, 3), "too small");

    // Absurd counts and lengths, above the caps and (under the caps) beyond what the file holds.
    add("tensor-count-2^63", patched<uint64_t>(base, 8, k2p63), "tensor count", true);
    add("tensor-count-2^64-1", patched<uint64_t>(base, 8, kMax64), "tensor count", true);
    add("tensor-count-1000", patched<uint64_t>(base, 8, 1000), "tensor count 1000 cannot fit");
    add("tensor-count-4", patched<uint64_t>(base, 8, 4), "");
    add("kv-count-2^63", patched<uint64_t>(base, 16, k2p63), "key-value count", true);
    add("kv-count-2^64-1", patched<uint64_t>(base, 16, kMax64), "key-value count");
    add("kv-count-1000", patched<uint64_t>(base, 16, 1000), "cannot fit");
    add("kv-count-plus-one", patched<uint64_t>(base, 16, l.kvs.size() + 1), "");
    const Layout::Kv& k2 = l.kv("test.k2");
    add("key-length-2^63", patched<uint64_t>(base, k2.keyAt, k2p63), "metadata key length", true);
    add("key-length-2^64-1", patched<uint64_t>(base, k2.keyAt, kMax64), "metadata key length");
    add("key-length-past-eof", patched<uint64_t>(base, k2.keyAt, base.size()), "runs past the end");
    add("array-length-2^63", patched<uint64_t>(base, k2.valueAt + 4, k2p63), "array length", true);
    add("array-length-2^64-1", patched<uint64_t>(base, k2.valueAt + 4, kMax64), "array length");
    add("array-length-past-eof", patched<uint64_t>(base, k2.valueAt + 4, 1u << 20), "runs past the end", true);
    add("array-string-length-2^63", patched<uint64_t>(base, k2.valueAt + 12, k2p63), "length");
    const Layout::Kv& k3 = l.kv("test.k3");
    add("nested-array-length-2^64-1", patched<uint64_t>(base, k3.valueAt + 12 + 4, kMax64), "array length");
    const Layout::Kv& arch = l.kv("general.architecture");
    add("string-value-length-2^63", patched<uint64_t>(base, arch.valueAt, k2p63), "string value length", true);
    add("tensor-name-length-2^63", patched<uint64_t>(base, l.tensors[0].at, k2p63), "tensor name length", true);

    // Unknown value types and bad values.
    add("value-type-13", patched<uint32_t>(base, l.kv("test.k1").typeAt, 13), "unknown value type 13", true);
    add("value-type-1000", patched<uint32_t>(base, l.kv("test.k1").typeAt, 1000), "unknown value type");
    add("array-element-type-13", patched<uint32_t>(base, k2.valueAt, 13), "unknown array element type 13");
    add("bool-value-2", patched<uint8_t>(base, l.kv("test.flag").valueAt, 2), "neither 0 nor 1", true);

    // Duplicates (same-length renames in place).
    {
        auto b = base;
        b[k2.keyAt + 8 + 6] = '1'; // test.k2 -> test.k1
        add("duplicate-key", b, "duplicate metadata key", true);
        auto t = base;
        t[l.tensors[1].at + 8 + 6] = 'a'; // blk.0.b -> blk.0.a
        add("duplicate-tensor-name", t, "duplicate tensor name", true);
    }

    // general.alignment.
    const Layout::Kv& al = l.kv("general.alignment");
    add("alignment-0", patched<uint32_t>(base, al.valueAt, 0), "not a nonzero power of two", true);
    add("alignment-3", patched<uint32_t>(base, al.valueAt, 3), "not a nonzero power of two");
    add("alignment-24", patched<uint32_t>(base, al.valueAt, 24), "not a nonzero power of two", true);
    add("alignment-2^32-1", patched<uint32_t>(base, al.valueAt, 0xffffffffu), "not a nonzero power of two");
    add("alignment-as-f32", patched<uint32_t>(base, al.typeAt, uint32_t(ValueType::Float32)), "must be an integer", true);

    // Tensor infos.
    const Layout::Tensor& ta = l.tensor("blk.0.a");
    const Layout::Tensor& tb = l.tensor("blk.0.b");
    const Layout::Tensor& tc = l.tensor("blk.0.c");
    add("dims-0", patched<uint32_t>(base, ta.nDimsAt, 0), "dimension count 0", true);
    add("dims-5", patched<uint32_t>(base, ta.nDimsAt, 5), "dimension count 5", true);
    add("dims-2^32-1", patched<uint32_t>(base, ta.nDimsAt, 0xffffffffu), "dimension count");
    add("ne-negative", patched<int64_t>(base, ta.neAt, -1), "negative", true);
    add("ne-2^63", patched<uint64_t>(base, ta.neAt + 8, k2p63), "negative");
    add("ne-product-overflow", patched<int64_t>(patched<int64_t>(base, ta.neAt, int64_t(1) << 40), ta.neAt + 8, int64_t(1) << 40),
        "overflows", true);
    add("ne-huge-past-eof", patched<int64_t>(base, ta.neAt + 8, int64_t(1) << 40), "past the end of the file", true);
    add("ne0-not-block-multiple", patched<int64_t>(base, tb.neAt, 48), "not a multiple of the q4_0 block size 32", true);
    for (const uint32_t id : {4u, 5u, 31u, 1000u})
        add("tensor-type-" + std::to_string(id), patched<uint32_t>(base, tb.typeAt, id),
            "unknown tensor type id " + std::to_string(id), id == 4 || id == 31 || id == 1000);
    // Q4_0 -> F32 makes blk.0.b 512 bytes instead of 72: its data then runs past the file.
    add("type-change-grows-past-eof", patched<uint32_t>(base, tb.typeAt, 0), "ends past the end of the file", true);

    // Offsets: misaligned, overlapping, past the end, overflowing.
    const uint64_t offB = get<uint64_t>(base, tb.offsetAt);
    add("offset-misaligned", patched<uint64_t>(base, tb.offsetAt, offB + 1), "not a multiple of the alignment 64", true);
    add("offset-overlap", patched<uint64_t>(base, tb.offsetAt, 64), "overlaps", true);
    add("offset-same", patched<uint64_t>(base, tc.offsetAt, offB), "overlaps");
    add("offset-past-eof", patched<uint64_t>(base, tc.offsetAt, offB + (1u << 20)), "past the end of the file", true);
    add("offset-2^63", patched<uint64_t>(base, tc.offsetAt, k2p63), "", true);
    add("offset-max-aligned", patched<uint64_t>(base, tc.offsetAt, kMax64 & ~uint64_t(63)), "overflows");

    // Deep nesting: built directly (the writer would happily write it).
    {
        Value v = Value::int32Array({1});
        for (int i = 0; i < 12; ++i)
            v = Value::array(ValueType::Array, {v});
        GgufWriter w;
        w.setValue("deep", v);
        add("nesting-too-deep", w.toBytes(), "nested deeper", true);
    }

    return out;
}

} // namespace testing::gguf
