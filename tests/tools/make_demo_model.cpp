// Writes the demo model: a one-layer llama GGUF whose weights are constructed, not trained, so
// that the real engine generates readable answers with it (screenshots, the UI flow test).
//
//   inkstone_make_demo_model demo_corpus.txt out.gguf
//
// It is an n-gram model of the answers in demo_corpus.txt, expressed as transformer weights:
//  - the embedding holds a constant, a 12-bit ±1 code of the token, and flags (is it a marker
//    word of a topic, is it a Chinese character);
//  - attention heads 0-3 copy the codes of the previous four tokens (RoPE scores peaked at
//    distance 1-4), head 4 finds the topic markers of the prompt, head 5 whether the prompt has
//    a Chinese character;
//  - each FFN unit recognises one context (the current token; or the topic, the current token
//    and the n before it) and writes offset + log P(next | context) into a block of the
//    residual that the output matrix reads as logits. Longer contexts add more, so the longest
//    observed one decides (a back-off 5-gram model); a longer context gets a unit only where it
//    predicts differently from the shorter one.
// Every RMSNorm sees a residual dominated by the constant, so it is a fixed scale the weights undo.
// After writing, the model is loaded with the engine and must reproduce every answer greedily.

#include "gguf/GgufFile.h"
#include "gguf/GgufWriter.h"
#include "quant/Quant.h"
#include "runtime/Model.h"
#include "runtime/Session.h"
#include "tokenizer/Tokenizer.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using engine::gguf::Value;

enum class Lang { Any, En, Zh };

struct Topic {
    std::string name;
    std::vector<std::string> markers;
    Lang lang = Lang::Any;
    bool endless = false;
    std::string answer;
    int group = 0;            // topics with the same markers share one attention-found feature
    std::vector<int32_t> doc; // <|end|> <|assistant|> answer [<|end|>]
};

[[noreturn]] void fail(const std::string& what)
{
    std::fprintf(stderr, "make_demo_model: %s\n", what.c_str());
    std::exit(1);
}

std::vector<Topic> readCorpus(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        fail("cannot read " + path);
    std::vector<Topic> topics;
    std::string line;
    bool inAnswer = false;
    std::vector<std::string> lines;
    while (std::getline(in, line)) {
        if (!inAnswer) {
            if (line.rfind("@topic ", 0) == 0) {
                topics.push_back({});
                topics.back().name = line.substr(7);
            } else if (line.rfind("@markers", 0) == 0) {
                std::istringstream words(line.substr(8));
                for (std::string w; words >> w;)
                    topics.back().markers.push_back(w);
            } else if (line.rfind("@lang ", 0) == 0) {
                const std::string l = line.substr(6);
                topics.back().lang = l == "en" ? Lang::En : l == "zh" ? Lang::Zh : Lang::Any;
            } else if (line == "@endless") {
                topics.back().endless = true;
            } else if (!topics.empty() && !line.empty() && line[0] != '#' && line[0] != '@') {
                inAnswer = true;
                lines = {line};
            }
            continue;
        }
        if (line == "@end") {
            std::string text;
            for (size_t i = 0; i < lines.size(); ++i)
                text += (i ? "\n" : "") + lines[i];
            topics.back().answer = text;
            inAnswer = false;
        } else {
            lines.push_back(line);
        }
    }
    if (topics.empty() || inAnswer)
        fail("no complete @topic ... @end in " + path);
    return topics;
}

// UTF-8 code points of s, as strings.
std::vector<std::string> codePoints(const std::string& s)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

uint32_t codePoint(const std::string& cp)
{
    const auto* b = reinterpret_cast<const unsigned char*>(cp.data());
    switch (cp.size()) {
    case 1: return b[0];
    case 2: return ((b[0] & 0x1Fu) << 6) | (b[1] & 0x3Fu);
    case 3: return ((b[0] & 0x0Fu) << 12) | ((b[1] & 0x3Fu) << 6) | (b[2] & 0x3Fu);
    default: return ((b[0] & 0x07u) << 18) | ((b[1] & 0x3Fu) << 12) | ((b[2] & 0x3Fu) << 6) | (b[3] & 0x3Fu);
    }
}

bool isHan(uint32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }
bool isWordChar(const std::string& cp) { return cp.size() == 1 && (std::isalnum(static_cast<unsigned char>(cp[0])) || cp[0] == '_'); }

const std::string kSpace = "\xE2\x96\x81"; // ▁

// The pieces of a text as SentencePiece sees it (spaces as ▁): a run of ▁ followed by a word, a
// Han character or one other character. Newlines and tabs are left to byte fallback.
void addPieces(const std::string& text, std::set<std::string>& pieces)
{
    std::string escaped;
    for (char c : text)
        escaped += c == ' ' ? kSpace : std::string(1, c);
    const std::vector<std::string> cps = codePoints(escaped);
    for (size_t i = 0; i < cps.size();) {
        std::string piece;
        while (i < cps.size() && cps[i] == kSpace)
            piece += cps[i++];
        if (i < cps.size() && isWordChar(cps[i])) {
            while (i < cps.size() && isWordChar(cps[i]))
                piece += cps[i++];
        } else if (i < cps.size() && static_cast<unsigned char>(cps[i][0]) >= 0x20) {
            const std::string c = cps[i];
            piece += cps[i++];
            while (c.size() == 1 && i < cps.size() && cps[i] == c) // "```", "**", "--"
                piece += cps[i++];
        } else if (piece.empty()) {
            ++i; // a control character: byte fallback
            continue;
        }
        // Every prefix too: SentencePiece builds a piece by merging pairs that are tokens.
        std::string prefix;
        for (const std::string& cp : codePoints(piece)) {
            prefix += cp;
            pieces.insert(prefix);
        }
    }
}

struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
    int32_t bos = 1, end = 0, assistant = 0;
};

constexpr const char* kSpecials[] = {"<unk>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"};

Vocabulary buildVocabulary(const std::vector<Topic>& topics)
{
    Vocabulary v;
    for (const char* s : kSpecials) {
        v.tokens.push_back(s);
        v.scores.push_back(0.0f);
        v.types.push_back(v.tokens.size() == 1 ? 2 : 3);
    }
    v.assistant = 5;
    v.end = 6;
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        v.tokens.push_back(hex);
        v.scores.push_back(0.0f);
        v.types.push_back(6);
    }
    std::set<std::string> pieces;
    for (const Topic& t : topics) {
        addPieces(t.answer, pieces);
        for (const std::string& m : t.markers)
            for (const std::string& form : {m, kSpace + m}) { // a marker is one token, whatever its script
                std::string prefix;
                for (const std::string& cp : codePoints(form))
                    pieces.insert(prefix += cp);
            }
    }
    for (const std::string& p : pieces) {
        v.tokens.push_back(p);
        v.scores.push_back(static_cast<float>(codePoints(p).size())); // longer pieces merge first
        v.types.push_back(1);
    }
    return v;
}

// The chat template: role tokens around each message, nothing else, so the two tokens before an
// answer are always <|end|> <|assistant|>.
const char* kChatTemplate =
    "{% for message in messages %}<|{{ message.role }}|>{{ message.content }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}";

void addTokenizer(engine::gguf::GgufWriter& w, const Vocabulary& v)
{
    w.setValue("tokenizer.ggml.model", Value::string("llama"));
    w.setValue("tokenizer.ggml.tokens", Value::stringArray(v.tokens));
    w.setValue("tokenizer.ggml.scores", Value::floatArray(v.scores));
    w.setValue("tokenizer.ggml.token_type", Value::int32Array(v.types));
    w.setValue("tokenizer.ggml.bos_token_id", Value::u32(static_cast<uint32_t>(v.bos)));
    w.setValue("tokenizer.ggml.eos_token_id", Value::u32(static_cast<uint32_t>(v.end)));
    w.setValue("tokenizer.ggml.eot_token_id", Value::u32(static_cast<uint32_t>(v.end)));
    w.setValue("tokenizer.ggml.add_bos_token", Value::boolean(true));
    w.setValue("tokenizer.ggml.add_space_prefix", Value::boolean(false));
    w.setValue("tokenizer.chat_template", Value::string(kChatTemplate));
}

// ---- the n-gram tables ---------------------------------------------------------------------

constexpr int kPrevious = 4;          // the longest context: the current token and 4 before it
constexpr int kLevels = kPrevious + 1;  // level n: the current token and n before it

struct Context {
    int level = 0;  // 0: current token only (all topics); n >= 1: with the topic and n previous tokens
    int topic = -1; // index into topics (level >= 1)
    std::array<int32_t, kLevels> tokens{}; // current, previous, ...; -1 beyond the level
    auto key() const { return std::tie(level, topic, tokens); }
    bool operator<(const Context& o) const { return key() < o.key(); }
    Context shorter() const
    {
        Context c = *this;
        c.tokens[size_t(level)] = -1;
        if (--c.level == 0)
            c.topic = -1;
        return c;
    }
};

using Followers = std::map<int32_t, int>;

std::map<Context, Followers> countContexts(const std::vector<Topic>& topics)
{
    std::map<Context, Followers> counts;
    for (size_t t = 0; t < topics.size(); ++t) {
        const std::vector<int32_t>& d = topics[t].doc;
        // From <|assistant|> on: the tokens before <|end|> are whatever the prompt was.
        for (size_t i = 1; i + 1 < d.size(); ++i) {
            Context c;
            c.tokens.fill(-1);
            for (int level = 0; level <= std::min<int>(kPrevious, int(i)); ++level) {
                c.level = level;
                c.topic = level ? int(t) : -1;
                c.tokens[size_t(level)] = d[i - size_t(level)];
                ++counts[c][d[i + 1]];
            }
        }
    }
    return counts;
}

bool sameDistribution(const Followers& a, const Followers& b)
{
    if (a.size() != b.size())
        return false;
    int na = 0, nb = 0;
    for (const auto& [t, n] : a)
        na += n;
    for (const auto& [t, n] : b)
        nb += n;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
        if (ia->first != ib->first || int64_t(ia->second) * nb != int64_t(ib->second) * na)
            return false;
    return true;
}

// ---- the weights ---------------------------------------------------------------------------

constexpr int kCodeBits = 12;       // token codes: ±1 per bit of the id
constexpr float kConst = 4096.0f;   // the constant dimension; dominates every RMSNorm
constexpr int kHeads = kPrevious + 2; // one per previous token, the topic, Chinese
constexpr int kHeadDim = 40;        // 32 rotated (16 frequencies) + 8 not rotated
constexpr int kRot = 32;
constexpr int kHeadDimV = 16;
constexpr float kRopeBase = 100.0f;
constexpr int kContext = 4096;
constexpr float kGateScale = 480.0f;          // L: a unit's gate is L·(matched terms − n + δ)
constexpr float kGateDelta = 1.0f / 12.0f;    // δ: half the gap a one-bit code mismatch makes
constexpr float kLevelOffset[kLevels] = {20.0f, 10.0f, 10.0f, 10.0f, 10.0f};
constexpr float kFeature = 12.0f;   // value of a topic / language feature when present

struct Layout {
    int constDim = 0;
    int code(int back) const { return 32 + back * kCodeBits; } // current token's code, then the previous ones'
    int topic = 0, zh = 0, marker = 0, han = 0, topicValue = 0, logits = 0;
    int nGroups = 0, nEmit = 0, nEmbd = 0;
};

int roundUp(int n, int m) { return (n + m - 1) / m * m; }

float code(int32_t token, int bit) { return (token >> bit) & 1 ? 1.0f : -1.0f; }

float silu(float x) { return x / (1.0f + std::exp(-x)); }

// Margin per unit amplitude by which the score at distance `offset` beats every other distance.
double ropeMargin(int offset, std::vector<double>& theta)
{
    theta.clear();
    for (int i = 0; i < kRot / 2; ++i)
        theta.push_back(std::pow(double(kRopeBase), -2.0 * i / kRot));
    auto score = [&](int d) {
        double s = 0;
        for (double th : theta)
            s += std::cos(th * (d - offset));
        return s;
    };
    double worst = -1e9;
    for (int d = 0; d < kContext; ++d)
        if (d != offset)
            worst = std::max(worst, score(d));
    return score(offset) - worst;
}

struct Matrix {
    int cols = 0, rows = 0; // ggml order: rows of `cols` inputs
    std::vector<float> v;
    Matrix(int c, int r) : cols(c), rows(r), v(size_t(c) * size_t(r), 0.0f) {}
    float& at(int row, int col) { return v[size_t(row) * size_t(cols) + size_t(col)]; }
};

void addMatrix(engine::gguf::GgufWriter& w, const std::string& name, const Matrix& m, engine::quant::TensorType type)
{
    std::vector<int64_t> shape{m.cols, m.rows};
    if (type == engine::quant::TensorType::F32) {
        if (!w.addTensorF32(name, shape, m.v))
            fail("cannot add " + name);
        return;
    }
    const auto rowBytes = engine::quant::rowBytes(type, m.cols);
    if (!rowBytes)
        fail(name + ": rows do not fit the type");
    std::vector<uint8_t> bytes(*rowBytes * size_t(m.rows));
    for (int r = 0; r < m.rows; ++r)
        engine::quant::quantizeRow(type, m.v.data() + size_t(r) * size_t(m.cols), bytes.data() + *rowBytes * size_t(r), m.cols);
    if (!w.addTensor(name, type, shape, bytes))
        fail("cannot add " + name);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: inkstone_make_demo_model CORPUS.txt OUT.gguf\n");
        return 1;
    }
    std::vector<Topic> topics = readCorpus(argv[1]);
    const Vocabulary vocab = buildVocabulary(topics);
    const int nVocab = int(vocab.tokens.size());
    if (nVocab >= (1 << kCodeBits))
        fail("vocabulary too large for the token codes");

    // The engine's tokenizer over this vocabulary decides how the answers split into tokens.
    engine::gguf::GgufWriter tokWriter;
    addTokenizer(tokWriter, vocab);
    const std::vector<uint8_t> tokBytes = tokWriter.toBytes();
    auto tokFile = engine::gguf::GgufFile::fromMemory(tokBytes);
    if (!tokFile)
        fail("tokenizer file: " + tokFile.error().message());
    auto tokenizer = engine::tokenizer::Tokenizer::fromGguf(*tokFile.value());
    if (!tokenizer)
        fail("tokenizer: " + tokenizer.error().message());
    const auto& tok = *tokenizer.value();

    // Marker tokens and topic groups (topics with the same marker list share one).
    std::map<std::vector<std::string>, int> groupOf;
    std::map<int32_t, int> markerGroup;
    for (Topic& t : topics) {
        std::vector<std::string> key = t.markers;
        std::sort(key.begin(), key.end());
        t.group = groupOf.emplace(key, int(groupOf.size())).first->second;
        for (const std::string& m : t.markers)
            for (const std::string& form : {m, " " + m}) {
                const std::vector<int32_t> ids = tok.encode(form, false, false);
                if (ids.size() != 1)
                    fail("marker \"" + form + "\" is not one token");
                const auto [it, added] = markerGroup.emplace(ids[0], t.group);
                if (!added && it->second != t.group)
                    fail("marker \"" + m + "\" belongs to two marker lists");
            }
    }
    for (Topic& t : topics) {
        const std::string text = "<|end|><|assistant|>" + t.answer + (t.endless ? "" : "<|end|>");
        t.doc = tok.encode(text, false, true);
        for (int32_t id : t.doc) {
            if (markerGroup.count(id))
                fail("answer " + t.name + " contains the marker token " + vocab.tokens[size_t(id)]);
            // Its own Han characters would make the prompt look Chinese halfway through.
            if (t.lang == Lang::En)
                for (const std::string& cp : codePoints(vocab.tokens[size_t(id)]))
                    if (isHan(codePoint(cp)))
                        fail("the English answer " + t.name + " contains a Han character");
        }
    }

    // Contexts worth a unit: every current token; a longer context only where it predicts
    // differently from the shorter one.
    const std::map<Context, Followers> counts = countContexts(topics);
    std::vector<std::pair<Context, const Followers*>> units;
    std::map<int32_t, int> emitIndex;
    for (const auto& [ctx, followers] : counts) {
        if (ctx.level > 0 && sameDistribution(followers, counts.at(ctx.shorter())))
            continue;
        units.emplace_back(ctx, &followers);
        for (const auto& [next, n] : followers)
            emitIndex.emplace(next, 0);
    }
    int nextIndex = 0;
    for (auto& [token, index] : emitIndex)
        index = nextIndex++;

    Layout L;
    L.nGroups = int(groupOf.size());
    if (L.nGroups > kHeadDimV)
        fail("too many marker lists for one head");
    L.topic = L.code(kPrevious + 1);
    L.zh = L.topic + L.nGroups;
    L.marker = L.zh + 1;
    L.han = L.marker + 1;
    L.topicValue = L.han + 1;
    L.logits = L.topicValue + L.nGroups;
    L.nEmit = int(emitIndex.size());
    L.nEmbd = roundUp(L.logits + L.nEmit, 32);
    const int nFf = roundUp(int(units.size()), 32);
    if (!groupOf.count({}))
        fail("the corpus needs an answer without markers (for prompts that have none)");
    const int defaultGroup = groupOf.at({});
    const int D = L.nEmbd;

    // Embedding.
    Matrix embd(D, nVocab);
    for (int32_t t = 0; t < nVocab; ++t) {
        embd.at(t, L.constDim) = kConst;
        for (int b = 0; b < kCodeBits; ++b)
            embd.at(t, L.code(0) + b) = code(t, b);
        const auto marker = markerGroup.find(t);
        embd.at(t, L.marker) = marker != markerGroup.end() ? 1.0f : 0.0f;
        embd.at(t, L.topicValue + (marker != markerGroup.end() ? marker->second : defaultGroup)) = 1.0f;
        bool han = false;
        if (vocab.types[size_t(t)] == 1)
            for (const std::string& cp : codePoints(vocab.tokens[size_t(t)]))
                han = han || isHan(codePoint(cp));
        embd.at(t, L.han) = han ? 1.0f : 0.0f;
    }

    // Attention: a head per previous token, then the topic markers' head and the Chinese one.
    Matrix wq(D, kHeads * kHeadDim), wk(D, kHeads * kHeadDim), wv(D, kHeads * kHeadDimV), wo(kHeads * kHeadDimV, D);
    const double scoreScale = 1.0 / std::sqrt(double(kHeadDim));
    for (int h = 0; h < kPrevious; ++h) {
        std::vector<double> theta;
        const double margin = ropeMargin(h + 1, theta);
        const double amplitude = 30.0 / (margin * scoreScale); // the right token wins by e^30
        for (int p = 0; p < kRot / 2; ++p) {
            wq.at(h * kHeadDim + 2 * p, L.constDim) = float(amplitude / kConst);
            wk.at(h * kHeadDim + 2 * p, L.constDim) = float(std::cos(theta[size_t(p)] * (h + 1)) / kConst);
            wk.at(h * kHeadDim + 2 * p + 1, L.constDim) = float(std::sin(theta[size_t(p)] * (h + 1)) / kConst);
        }
        for (int b = 0; b < kCodeBits; ++b) {
            wv.at(h * kHeadDimV + b, L.code(0) + b) = 1.0f;
            wo.at(L.code(h + 1) + b, h * kHeadDimV + b) = 1.0f;
        }
    }
    const float findScore = float(30.0 / scoreScale); // a marker outweighs 4096 other tokens by e^30
    const int topicHead = kPrevious, hanHead = kPrevious + 1;
    for (int h : {topicHead, hanHead}) {
        wq.at(h * kHeadDim + kRot, L.constDim) = 1.0f / kConst;
        wk.at(h * kHeadDim + kRot, h == topicHead ? L.marker : L.han) = findScore;
    }
    for (int g = 0; g < L.nGroups; ++g) {
        wv.at(topicHead * kHeadDimV + g, L.topicValue + g) = 1.0f;
        wo.at(L.topic + g, topicHead * kHeadDimV + g) = kFeature;
    }
    wv.at(hanHead * kHeadDimV, L.han) = 1.0f;
    wo.at(L.zh, hanHead * kHeadDimV) = kFeature;

    // FFN: one unit per context.
    Matrix gate(D, nFf), up(D, nFf), down(nFf, D);
    const float fired = silu(kGateScale * kGateDelta);
    for (size_t u = 0; u < units.size(); ++u) {
        const Context& c = units[u].first;
        const int row = int(u);
        int terms = 0;
        auto matchCode = [&](int block, int32_t token) {
            for (int b = 0; b < kCodeBits; ++b)
                gate.at(row, L.code(block) + b) = kGateScale * code(token, b) / kCodeBits;
            ++terms;
        };
        for (int back = 0; back <= c.level; ++back)
            matchCode(back, c.tokens[size_t(back)]);
        float bias = 0.0f;
        if (c.level >= 1) {
            const Topic& topic = topics[size_t(c.topic)];
            gate.at(row, L.topic + topic.group) = kGateScale / kFeature;
            ++terms;
            if (topic.lang != Lang::Any) {
                gate.at(row, L.zh) = (topic.lang == Lang::Zh ? 1.0f : -1.0f) * kGateScale / kFeature;
                ++terms;
                if (topic.lang == Lang::En)
                    bias += kGateScale; // the term is 1 − zh
            }
        }
        bias += kGateScale * (kGateDelta - float(terms));
        gate.at(row, L.constDim) = bias / kConst;
        up.at(row, L.constDim) = 1.0f / kConst;
        int total = 0;
        for (const auto& [next, n] : *units[u].second)
            total += n;
        for (const auto& [next, n] : *units[u].second)
            down.at(L.logits + emitIndex.at(next), row) =
                (kLevelOffset[c.level] + std::log(float(n) / float(total))) / fired;
    }

    Matrix output(D, nVocab);
    for (const auto& [token, index] : emitIndex)
        output.at(token, L.logits + index) = 1.0f;

    // Norm weights that undo RMSNorm for a residual dominated by the constant.
    std::vector<float> norm(size_t(D), kConst / std::sqrt(float(D)));

    engine::gguf::GgufWriter w;
    const std::string a = "llama";
    w.setValue("general.architecture", Value::string(a));
    w.setValue("general.name", Value::string("inkstone-demo"));
    w.setValue("general.description", Value::string("An n-gram model of a few paragraphs written as transformer weights (tests/tools/make_demo_model.cpp)."));
    w.setValue(a + ".context_length", Value::u32(kContext));
    w.setValue(a + ".embedding_length", Value::u32(uint32_t(D)));
    w.setValue(a + ".block_count", Value::u32(1));
    w.setValue(a + ".feed_forward_length", Value::u32(uint32_t(nFf)));
    w.setValue(a + ".attention.head_count", Value::u32(kHeads));
    w.setValue(a + ".attention.head_count_kv", Value::u32(kHeads));
    w.setValue(a + ".attention.key_length", Value::u32(kHeadDim));
    w.setValue(a + ".attention.value_length", Value::u32(kHeadDimV));
    w.setValue(a + ".attention.layer_norm_rms_epsilon", Value::f32(1e-6f));
    w.setValue(a + ".rope.dimension_count", Value::u32(kRot));
    w.setValue(a + ".rope.freq_base", Value::f32(kRopeBase));
    addTokenizer(w, vocab);
    using engine::quant::TensorType;
    // Q8_0 is exact for the ±1 / 0-1 entries as long as the constant has a 32-block of its own;
    // the attention keeps F16 for its RoPE amplitudes.
    addMatrix(w, "token_embd.weight", embd, TensorType::Q8_0);
    if (!w.addTensorF32("blk.0.attn_norm.weight", {D}, norm) || !w.addTensorF32("blk.0.ffn_norm.weight", {D}, norm)
        || !w.addTensorF32("output_norm.weight", {D}, norm))
        fail("cannot add the norms");
    addMatrix(w, "blk.0.attn_q.weight", wq, TensorType::F16);
    addMatrix(w, "blk.0.attn_k.weight", wk, TensorType::F16);
    addMatrix(w, "blk.0.attn_v.weight", wv, TensorType::F16);
    addMatrix(w, "blk.0.attn_output.weight", wo, TensorType::F16);
    addMatrix(w, "blk.0.ffn_gate.weight", gate, TensorType::Q8_0);
    addMatrix(w, "blk.0.ffn_up.weight", up, TensorType::Q8_0);
    addMatrix(w, "blk.0.ffn_down.weight", down, TensorType::Q8_0);
    addMatrix(w, "output.weight", output, TensorType::Q8_0);
    if (auto written = w.write(argv[2]); !written)
        fail("writing " + std::string(argv[2]) + ": " + written.error().message());

    // The check: the engine, prompted with each topic's marker (and a Chinese word for zh),
    // must write the answer back greedily.
    auto model = engine::Model::load(argv[2]);
    if (!model)
        fail("loading the result: " + model.error().message());
    int wrong = 0;
    for (const Topic& t : topics) {
        auto session = engine::Session::create(model.value());
        if (!session)
            fail("session: " + session.error().message());
        std::string question = t.markers.empty() ? std::string("Hello") : "please " + t.markers[0];
        if (t.lang == Lang::Zh)
            question += " 你好";
        const std::string prompt = "<|user|>" + question + "<|end|><|assistant|>";
        const std::vector<int32_t> ids = model.value()->tokenizer().encode(prompt, true, true);
        engine::SamplingParams params;
        params.temperature = 0.0f;
        params.maxTokens = t.endless ? 40 : int(t.doc.size()) + 8;
        std::string text;
        std::atomic<bool> cancel{false};
        auto result = session.value()->generate(ids, params, [&](const engine::TokenEvent& e) {
            text += e.text;
            return true;
        }, cancel);
        if (!result)
            fail("generating: " + result.error().message());
        const bool ok = t.endless ? t.answer.rfind(text.substr(0, std::min(text.size(), size_t(30))), 0) == 0
                                  : text == t.answer;
        if (!ok) {
            ++wrong;
            std::fprintf(stderr, "topic %s: expected\n%s\n--- got\n%s\n---\n", t.name.c_str(), t.answer.c_str(), text.c_str());
        }
    }
    std::printf("demo model: %d tokens, %d emitted, %d contexts, n_embd %d, %d topics, %d wrong\n", nVocab, L.nEmit,
                int(units.size()), D, int(topics.size()), wrong);
    return wrong == 0 ? 0 : 1;
}
