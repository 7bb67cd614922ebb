// Writes the fuzzer's seed corpus into a folder: the valid base file, every malformed case, and
// a few valid files from the writer. Seeds are generated, so no binary files live in git.
//   gguf_fuzz_seeds DIR

#include "GgufCorpus.h"

#include "gguf/GgufWriter.h"

#include <cstdio>
#include <string>

namespace {

bool writeFile(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: gguf_fuzz_seeds DIR\n");
        return 1;
    }
    const std::string dir = argv[1];
    using namespace engine::gguf;
    int n = 0;
    bool ok = writeFile(dir + "/valid-base.gguf", testing::gguf::validBaseFile());
    ++n;
    for (const auto& c : testing::gguf::malformedCorpus()) {
        ok = ok && writeFile(dir + "/" + c.name + ".gguf", c.bytes);
        ++n;
    }
    GgufWriter empty;
    ok = ok && writeFile(dir + "/valid-empty.gguf", empty.toBytes());
    GgufWriter v2;
    v2.setValue("general.architecture", Value::string("gpt2"));
    v2.setValue("tokenizer.ggml.tokens", Value::stringArray({"<s>", "a", "b", "ab"}));
    v2.setValue("tokenizer.ggml.merges", Value::stringArray({"a b"}));
    std::vector<uint8_t> q(2 * 34);
    ok = ok && v2.addTensor("t", engine::quant::TensorType::Q8_0, {32, 2}, q).ok();
    std::vector<uint8_t> bytes = v2.toBytes();
    ok = ok && writeFile(dir + "/valid-vocab.gguf", bytes);
    bytes[4] = 2; // the same file as GGUF v2
    ok = ok && writeFile(dir + "/valid-v2.gguf", bytes);
    n += 3;
    if (!ok) {
        std::fprintf(stderr, "gguf_fuzz_seeds: cannot write into %s\n", dir.c_str());
        return 2;
    }
    std::printf("%d seeds written to %s\n", n, dir.c_str());
    return 0;
}
