// Tokenizer throughput (not a ctest test): tokenizes ~10 MB of mixed English, Chinese and source
// code with the gpt-2 and llama-spm vocabularies of ../shared/fixtures/vocab and prints MB/s on
// one thread, then the time for single "words" of growing length (it must grow linearly).
//
//   bench_tokenizer [VOCAB_DIR] [MEGABYTES] [--no-words]

#include "gguf/GgufFile.h"
#include "tokenizer/Tokenizer.h"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using engine::tokenizer::Tokenizer;

namespace {

const char* const kEnglish[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "model", "inference", "engine",
    "tokenizer", "reads", "vocabulary", "from", "file", "and", "merges", "bytes", "into", "tokens",
    "translation", "document", "drafting", "people", "write", "letters", "every", "morning", "while",
    "coffee", "cools", "it's", "they're", "we've", "I'll", "Hello", "World", "Inkstone", "GPU",
    "memory", "bandwidth", "matters", "more", "than", "compute", "for", "decoding", "single", "tokens",
};
const char* const kChinese[] = {
    "我们", "在", "自己的", "电脑", "上", "运行", "大", "语言", "模型", "。", "翻译", "一段", "文字",
    "需要", "准确", "理解", "上下文", "，", "然后", "生成", "流畅", "的", "句子", "代码", "助手",
    "可以", "解释", "函数", "和", "错误", "信息", "今天", "天气", "很好", "！",
};
const char* const kCode[] = {
    "int main(int argc, char** argv) {\n", "    for (size_t i = 0; i < n; ++i) {\n",
    "        sum += a[i] * b[i];\n", "    }\n", "    return 0;\n}\n", "def tokenize(text: str) -> list[int]:\n",
    "    ids = [vocab[w] for w in text.split()]\n", "    return ids\n", "#include <vector>\n",
    "const auto result = std::make_unique<Tokenizer>(file);\n", "if (!ok) { throw std::runtime_error(\"bad\"); }\n",
    "\t// TODO: handle 0x7fffffff overflow\n", "SELECT id, name FROM users WHERE age > 42;\n",
};

std::string makeCorpus(size_t bytes)
{
    std::mt19937 rng(42);
    std::string text;
    text.reserve(bytes + 256);
    while (text.size() < bytes) {
        const unsigned kind = rng() % 3;
        if (kind == 0) {
            for (int w = 0; w < 40; ++w) {
                text += kEnglish[rng() % std::size(kEnglish)];
                text += (rng() % 12 == 0) ? ", " : " ";
                if (rng() % 25 == 0)
                    text += std::to_string(rng() % 100000) + " ";
            }
            text += ".\n\n";
        } else if (kind == 1) {
            for (int w = 0; w < 40; ++w)
                text += kChinese[rng() % std::size(kChinese)];
            text += "\n";
        } else {
            for (int l = 0; l < 12; ++l)
                text += kCode[rng() % std::size(kCode)];
        }
    }
    return text;
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU time of this thread: on a shared, loaded machine it is steadier than wall time.
double threadSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string dir = argc > 1 ? argv[1] : std::string(INKSTONE_SHARED_DIR) + "/fixtures/vocab";
    const double megabytes = argc > 2 ? std::atof(argv[2]) : 10.0;
    const bool words = !(argc > 3 && std::string(argv[3]) == "--no-words");
    const std::string corpus = makeCorpus(size_t(megabytes * 1024 * 1024));
    std::printf("corpus: %.2f MB of mixed English, Chinese and source code\n", corpus.size() / 1048576.0);

    for (const char* name : {"ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-qwen2.gguf"}) {
        auto file = engine::gguf::GgufFile::open(dir + "/" + name);
        if (!file) {
            std::printf("%s: %s\n", name, file.error().message().c_str());
            continue;
        }
        auto loadStart = std::chrono::steady_clock::now();
        auto tok = Tokenizer::fromGguf(**file);
        const double loadSeconds = seconds(loadStart);
        if (!tok) {
            std::printf("%s: %s\n", name, tok.error().message().c_str());
            continue;
        }
        const auto start = std::chrono::steady_clock::now();
        const double cpuStart = threadSeconds();
        const std::vector<int32_t> ids = (*tok)->encode(corpus, false, false);
        const double s = seconds(start);
        const double cpu = threadSeconds() - cpuStart;
        const auto decodeStart = std::chrono::steady_clock::now();
        const std::string back = (*tok)->decode(ids, false);
        const double ds = seconds(decodeStart);
        std::printf("%-28s load %6.1f ms | encode %7.3f s = %6.2f MB/s (thread CPU: %6.2f MB/s), %zu tokens "
                    "(%.2f bytes/token) | decode %6.1f MB/s | round trip %s\n",
                    name, loadSeconds * 1e3, s, corpus.size() / 1048576.0 / s, corpus.size() / 1048576.0 / cpu, ids.size(),
                    double(corpus.size()) / double(ids.size()), corpus.size() / 1048576.0 / ds,
                    back == corpus ? "exact" : "DIFFERS");

        // One word of growing length: time must grow linearly (n log n at worst).
        for (const char* kind : {"a", "abc"}) {
            if (!words)
                break;
            std::printf("    word '%s'*k (thread CPU):", kind);
            for (const size_t n : {10000u, 100000u, 1000000u}) {
                std::string word;
                while (word.size() < n)
                    word += kind;
                word.resize(n);
                const double t = threadSeconds();
                const size_t count = (*tok)->encode(word, false, false).size();
                std::printf("  %zu chars %.1f ms (%zu tokens)", n, (threadSeconds() - t) * 1e3, count);
            }
            std::printf("\n");
        }
    }
    return 0;
}
