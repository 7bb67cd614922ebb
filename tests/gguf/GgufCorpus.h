#pragma once
// A malformed-GGUF corpus made from one valid file written by GgufWriter: truncations at every
// field boundary and in the middle of each field, absurd counts and lengths, bad versions,
// unknown types, duplicates, overlapping/misaligned tensors and so on. Shared by the malformed
// test (library + CLI), the fuzz-replay test and the fuzzer's seed writer.

#include <cstdint>
#include <string>
#include <vector>

namespace testing::gguf {

struct MalformedCase {
    std::string name;            // short, unique, usable as a file name
    std::vector<uint8_t> bytes;
    std::string expect;          // a substring the error detail must contain ("" = any error)
    bool runThroughCli = false;  // one of the few dozen cases also run through inkstone-cli
};

// The valid file the corpus is made from: a few metadata types (string array, nested array,
// bool, general.alignment = 64) and three tensors of different types.
std::vector<uint8_t> validBaseFile();

// Every malformed case; each must make GgufFile::fromMemory fail.
std::vector<MalformedCase> malformedCorpus();

} // namespace testing::gguf
