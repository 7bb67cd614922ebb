// Unit tests of the tokenizer on small vocabularies written by the tests themselves: Unicode
// classes, the pre-tokenizer regexes, BPE merge order, SentencePiece scores and byte fallback,
// special tokens, decoding, streaming, and the load errors of incomplete vocabularies.

#include "TestVocab.h"

#include "core/Log.h"
#include "tokenizer/PreTokenizer.h"
#include "tokenizer/Regex.h"
#include "tokenizer/UnicodeData.h"

#include <QtTest>

#include <mutex>

using namespace engine::tokenizer;
using testvocab::Spec;

namespace {

std::vector<std::string> splitWith(const std::string& pre, const std::string& text)
{
    auto p = PreTokenizer::forName(pre);
    if (!p)
        return {"<error: " + p.error().detail + ">"};
    const std::vector<uint32_t> cps = unicode::decode(text);
    std::vector<uint16_t> flags;
    for (const uint32_t cp : cps)
        flags.push_back(unicode::flags(cp));
    std::vector<std::pair<size_t, size_t>> pieces;
    p->split(cps.data(), flags.data(), cps.size(), pieces);
    std::vector<std::string> out;
    for (const auto& [b, e] : pieces) {
        std::string s;
        for (size_t i = b; i < e; ++i)
            unicode::appendUtf8(s, cps[i]);
        out.push_back(s);
    }
    return out;
}

QString show(const std::vector<std::string>& pieces)
{
    QStringList l;
    for (const auto& p : pieces)
        l << QString::fromUtf8(QByteArray::fromStdString(p)).replace('\n', "\\n");
    return l.join(QStringLiteral(" | "));
}

int32_t id(const Tokenizer& t, const std::string& text)
{
    return t.findToken(text).value_or(-100);
}

// Captures engine log lines for the duration of a test.
struct LogCapture {
    std::mutex mutex;
    std::vector<std::string> lines;
    LogCapture()
    {
        engine::setLogSink([this](engine::LogLevel, const std::string& m) {
            std::lock_guard lock(mutex);
            lines.push_back(m);
        });
    }
    ~LogCapture() { engine::setLogSink({}); }
    bool contains(const std::string& s)
    {
        std::lock_guard lock(mutex);
        for (const auto& l : lines)
            if (l.find(s) != std::string::npos)
                return true;
        return false;
    }
};

// An SPM vocabulary: <unk> <s> </s>, the 256 byte tokens, then `pieces` with their scores.
Spec spmVocab(const std::vector<std::pair<std::string, float>>& pieces)
{
    Spec s;
    s.model = "llama";
    s.pre = "";
    testvocab::addToken(s, "<unk>", 2);
    testvocab::addToken(s, "<s>", 3);
    testvocab::addToken(s, "</s>", 3);
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        testvocab::addToken(s, hex, 6);
    }
    for (const auto& [text, score] : pieces)
        testvocab::addToken(s, text, 1, score);
    return s;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private slots:
    void unicodeFlags();
    void regexBasics();
    void regexRejectsUnsupportedSyntax();
    void preTokenizerSplits_data();
    void preTokenizerSplits();
    void everyPreTokenizerCompiles();
    void unknownPreFallsBackWithWarning();
    void bpeMergeOrder();
    void bpeIgnoreMerges();
    void bpeDecodesBytes();
    void spmScoresAndByteFallback();
    void spmPrefixSpaceAndDecode();
    void specialTokens();
    void addSpecialFlags();
    void phi3SpecialTokensStripWhitespace();
    void streamingDecoder();
    void wordPiece();
    void gemma4RawBpe();
    void missingKeysAreNamed_data();
    void missingKeysAreNamed();
    void unsupportedModel();
    void hostileMetadata();
};

void TestTokenizer::unicodeFlags()
{
    using namespace unicode;
    QVERIFY(flags('A') & kLu);
    QVERIFY(flags(0x00E9) & kLl);      // é
    QVERIFY(flags(0x4E2D) & kLo);      // 中
    QVERIFY(flags(0x0663) & kDigit);   // Arabic-Indic three
    QVERIFY(flags(0x00BD) & kNumberOther); // ½
    QVERIFY(flags(0x0301) & kMark);    // combining acute
    QVERIFY(flags('!') & kPunct);
    QVERIFY(flags(0x3002) & kPunct);   // 。
    QVERIFY(flags('$') & kSymbol);
    QVERIFY(flags(0x1F600) & kSymbol); // 😀
    QVERIFY(flags(0x00A0) & kWhitespace);
    QVERIFY(flags(0x3000) & kWhitespace);
    QVERIFY(flags(0x0085) & kWhitespace);
    QVERIFY(!(flags(0x200B) & kWhitespace)); // zero width space is Cf, not White_Space
    QVERIFY(flags(0xD800) & kOther);   // surrogate
    QVERIFY(flags(0x110000) & kOther); // past Unicode
    QVERIFY(!(flags('a') & (kPunct | kSymbol | kNumber | kWhitespace)));
    QCOMPARE(std::string(kUnicodeVersion).empty(), false);
}

void TestTokenizer::regexBasics()
{
    const auto findAll = [](const char* pattern, const std::string& text) {
        auto re = Regex::compile(pattern);
        if (!re)
            return std::vector<std::string>{"<error>"};
        const auto cps = unicode::decode(text);
        std::vector<uint16_t> fl;
        for (const uint32_t cp : cps)
            fl.push_back(unicode::flags(cp));
        std::vector<std::string> out;
        size_t pos = 0, b = 0, e = 0;
        while (re->find(cps.data(), fl.data(), 0, cps.size(), pos, b, e)) {
            std::string s;
            for (size_t i = b; i < e; ++i)
                unicode::appendUtf8(s, cps[i]);
            out.push_back(s);
            pos = e;
        }
        return out;
    };
    QCOMPARE(show(findAll(R"(\p{N}{1,3})", "1234567")), QStringLiteral("123 | 456 | 7"));
    QCOMPARE(show(findAll(R"((?i:'s|'ll))", "it'S we'LL")), QStringLiteral("'S | 'LL"));
    QCOMPARE(show(findAll(R"(\s+(?!\S)|\s+)", "a   b")), QStringLiteral("   |  "));
    // Greedy run backs off by one so the last space stays with the word.
    QCOMPARE(show(findAll(R"(\s+(?!\S))", "a   b")), QStringLiteral("  "));
    QCOMPARE(show(findAll(R"([^\s\p{L}]+)", "ab!?,cd")), QStringLiteral("!?,"));
    // '$' is a line anchor, as in Oniguruma.
    QCOMPARE(show(findAll(R"(\s+$)", "ab  \ncd  ")), QStringLiteral("   |   "));
    QCOMPARE(show(findAll("[一-龥]+", "abc中文def")), QStringLiteral("中文"));
    QCOMPARE(show(findAll(R"(x*?y)", "xxy")), QStringLiteral("xxy"));
    QCOMPARE(show(findAll(R"((ab){2})", "abababab")), QStringLiteral("abab | abab"));
    // A quantified class over a huge run uses no recursion.
    const std::string longRun(200000, 'a');
    QCOMPARE(findAll(R"(\p{L}+)", longRun).size(), size_t(1));
}

void TestTokenizer::regexRejectsUnsupportedSyntax()
{
    for (const char* bad : {"(?<=a)b", R"(\p{Greek})", "a{2", "(ab", "ab)", R"(\w+)", "a++", ""}) {
        const auto re = Regex::compile(bad);
        QVERIFY2(!re, bad);
        QCOMPARE(re.error().code, engine::ErrorCode::Unsupported);
    }
}

void TestTokenizer::preTokenizerSplits_data()
{
    QTest::addColumn<QString>("pre");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("gpt-2") << "gpt-2" << "Hello world's  test   123!!\n"
                           << "Hello |  world | 's |   |  test |    |  123 | !! | \\n";
    QTest::newRow("gpt-2 unicode") << "gpt-2" << "Cửa Việt 中文, ½ 😀"
                                   << "Cửa |  Việt |  中文 | , |  ½ |  😀";
    QTest::newRow("llama-bpe") << "llama-bpe" << "I'M 1234567 go!\n\nok"
                               << "I | 'M |   | 123 | 456 | 7 |  go | !\\n\\n | ok";
    QTest::newRow("qwen2 digits") << "qwen2" << "x 2024\tend"
                                  << "x |   | 2 | 0 | 2 | 4 | \tend";
    QTest::newRow("starcoder digits") << "starcoder" << "v 42ab"
                                      << "v |   | 4 | 2 | ab";
    QTest::newRow("deepseek-coder") << "deepseek-coder" << "a+b 12\n"
                                    << "a | + | b |   | 1 | 2 | \\n";
    QTest::newRow("gpt-4o case split") << "gpt-4o" << "HTMLParser's 12345"
                                       << "HTMLParser's |   | 123 | 45";
    QTest::newRow("tekken") << "tekken" << "HelloWorld 42"
                            << "Hello | World |   | 4 | 2";
}

void TestTokenizer::preTokenizerSplits()
{
    QFETCH(QString, pre);
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QString got = show(splitWith(pre.toStdString(), text.toStdString()));
    QCOMPARE(got, expected);
}

void TestTokenizer::everyPreTokenizerCompiles()
{
    // Each known pre-tokenizer's patterns compile, split a mixed text into pieces that cover it
    // exactly, and survive a 100 000-character run without recursion trouble.
    const std::string text = "Hello, World! It's 2024: 中文 + кириллица\n\n\tcode(x) {  return 42; }  \xF0\x9F\x98\x80 ";
    const std::vector<std::string> names = PreTokenizer::knownNames();
    QVERIFY(names.size() > 40);
    for (const std::string& name : names) {
        auto pre = PreTokenizer::forName(name);
        QVERIFY2(pre.ok(), (name + ": " + (pre.ok() ? std::string() : pre.error().detail)).c_str());
        QCOMPARE(pre->usedName(), name);
        std::string joined;
        for (const std::string& piece : splitWith(name, text))
            joined += piece;
        QVERIFY2(joined == text, name.c_str());
        for (const std::string& run : {std::string(100000, 'a'), std::string(100000, ' '), std::string(100000, '1')}) {
            std::string all;
            for (const std::string& piece : splitWith(name, run))
                all += piece;
            QVERIFY2(all == run, name.c_str());
        }
    }
}

void TestTokenizer::unknownPreFallsBackWithWarning()
{
    LogCapture log;
    Spec s = testvocab::byteLevel({});
    s.pre = "some-new-model";
    auto l = testvocab::load(s);
    QVERIFY2(l->tokenizer.ok(), l->tokenizer.ok() ? "" : l->tokenizer.error().detail.c_str());
    QCOMPARE((*l->tokenizer)->preName(), std::string("some-new-model"));
    QCOMPARE((*l->tokenizer)->preUsed(), std::string("default"));
    QVERIFY(log.contains("some-new-model"));
}

void TestTokenizer::bpeMergeOrder()
{
    // "b c" outranks "a b": "abc" must become a + bc, then abc.
    auto l = testvocab::load(testvocab::byteLevel({"b c", "a b", "a bc", "a a", "aa aa"}));
    QVERIFY(l->tokenizer.ok());
    const Tokenizer& t = **l->tokenizer;
    QCOMPARE(t.encode("abc", false, false), std::vector<int32_t>{id(t, "abc")});
    QCOMPARE(t.encode("ab", false, false), std::vector<int32_t>{id(t, "ab")});
    // Equal ranks merge leftmost first: (aa)(aa)(a) then (aaaa)(a).
    QCOMPARE(t.encode("aaaaa", false, false), (std::vector<int32_t>{id(t, "aaaa"), id(t, "a")}));
    // A 100 000-byte word: linear-time merging, and the merges come out in order.
    const std::vector<int32_t> many = t.encode(std::string(100000, 'a'), false, false);
    QCOMPARE(many.size(), size_t(25000));
    QCOMPARE(many.front(), id(t, "aaaa"));
    QCOMPARE(t.decode(many, false), std::string(100000, 'a'));
}

void TestTokenizer::bpeIgnoreMerges()
{
    Spec s = testvocab::byteLevel({});
    testvocab::addToken(s, "xyz", 1);
    s.pre = "gpt-2";
    auto plain = testvocab::load(s);
    s.pre = "llama-bpe"; // ignore_merges: a piece that is a token is used whole
    auto llama3 = testvocab::load(s);
    QVERIFY(plain->tokenizer.ok() && llama3->tokenizer.ok());
    QCOMPARE((*plain->tokenizer)->encode("xyz", false, false), (std::vector<int32_t>{'x', 'y', 'z'}));
    QCOMPARE((*llama3->tokenizer)->encode("xyz", false, false), std::vector<int32_t>{256});
}

void TestTokenizer::bpeDecodesBytes()
{
    auto l = testvocab::load(testvocab::byteLevel({"Ġ w", "Ġw o"}));
    QVERIFY(l->tokenizer.ok());
    const Tokenizer& t = **l->tokenizer;
    QCOMPARE(t.tokenPiece(id(t, "Ġwo")), std::string(" wo"));
    QCOMPARE(t.tokenPiece(id(t, testvocab::byteChar(0x0A))), std::string("\n"));
    const std::string text = "héllo wo\n\t\x01 中";
    QCOMPARE(t.decode(t.encode(text, false, false), false), text);
    // Invalid UTF-8 is read like llama.cpp reads it: each bad byte is U+FFFD.
    QCOMPARE(t.decode(t.encode("a\xFF" "b\xC3", false, false), false), std::string("a\xEF\xBF\xBD" "b\xEF\xBF\xBD"));
    // Lone surrogates and NUL bytes survive unchanged.
    const std::string odd("x\xED\xA0\x80y\0z", 7);
    QCOMPARE(t.decode(t.encode(odd, false, false), false), odd);
}

void TestTokenizer::spmScoresAndByteFallback()
{
    Spec s = spmVocab({{"\xE2\x96\x81", -1.0f}, {"a", -2.0f}, {"b", -2.0f}, {"c", -2.0f},
                       {"ab", -3.0f}, {"bc", -1.5f}, {"\xE2\x96\x81" "a", -4.0f}});
    auto l = testvocab::load(s);
    QVERIFY2(l->tokenizer.ok(), l->tokenizer.ok() ? "" : l->tokenizer.error().detail.c_str());
    const Tokenizer& t = **l->tokenizer;
    // The best-scoring pair goes first. Pairs in "▁abc": ▁a (-4), ab (-3), bc (-1.5): bc merges
    // first (taking the b that "ab" wanted), then ▁a.
    QCOMPARE(t.encode("abc", false, false), (std::vector<int32_t>{id(t, "\xE2\x96\x81" "a"), id(t, "bc")}));
    // Characters outside the vocabulary fall back to byte tokens.
    QCOMPARE(t.encode("\n", false, false), (std::vector<int32_t>{id(t, "\xE2\x96\x81"), id(t, "<0x0A>")}));
    QCOMPARE(t.encode("é", false, false),
             (std::vector<int32_t>{id(t, "\xE2\x96\x81"), id(t, "<0xC3>"), id(t, "<0xA9>")}));
    // Invalid UTF-8 round-trips through byte tokens. (As in llama.cpp, a bad lead byte claims the
    // bytes its length announces; a space among them stays an escaped "▁" after decoding.)
    const std::string bytes("ab\xFFxyz c\0\xED\xA0\x80q\xC3", 14);
    QCOMPARE(t.decode(t.encode(bytes, false, false), false), bytes);
    QCOMPARE(t.decode(t.encode("a\xC3 b", false, false), false), std::string("a\xC3\xE2\x96\x81" "b"));
}

void TestTokenizer::spmPrefixSpaceAndDecode()
{
    Spec s = spmVocab({{"\xE2\x96\x81", -1.0f}, {"H", -2.0f}, {"i", -2.0f}, {"\xE2\x96\x81H", -1.0f},
                       {"\xE2\x96\x81Hi", -0.5f}});
    s.bos = 1;
    s.eos = 2;
    auto l = testvocab::load(s);
    QVERIFY(l->tokenizer.ok());
    const Tokenizer& t = **l->tokenizer;
    const auto ids = t.encode("Hi Hi", true, false);
    QCOMPARE(ids, (std::vector<int32_t>{1, id(t, "\xE2\x96\x81Hi"), id(t, "\xE2\x96\x81Hi")}));
    QCOMPARE(t.decode(ids, false), std::string("Hi Hi"));   // the prefix space goes again
    QCOMPARE(t.decode(ids, true), std::string("<s> Hi Hi")); // as Hugging Face shows it
    QCOMPARE(t.tokenPiece(id(t, "<0x0A>")), std::string("\n"));
    QCOMPARE(t.decode(t.encode(" Hi", false, false), false), std::string(" Hi"));
    QCOMPARE(t.encode("", true, false), std::vector<int32_t>{1});
    QVERIFY(t.encode("", false, false).empty());
}

void TestTokenizer::specialTokens()
{
    Spec s = testvocab::byteLevel({"a b"});
    testvocab::addToken(s, "<|im_start|>", 3);      // 257
    testvocab::addToken(s, "<|im_start|>x", 3);     // 258: longer, must win when both match
    testvocab::addToken(s, "<tool>", 4);            // 259: user-defined: always recognised
    testvocab::addToken(s, "<|im_end|>", 3);        // 260
    s.eos = 260;
    auto l = testvocab::load(s);
    QVERIFY(l->tokenizer.ok());
    const Tokenizer& t = **l->tokenizer;

    const std::string text = "ab<|im_start|>xy<tool><|im_start|>";
    const auto plain = t.encode(text, false, false);
    for (const int32_t i : plain)
        QVERIFY2(i != 257 && i != 258, "control token matched without parse_special");
    QVERIFY(std::find(plain.begin(), plain.end(), 259) != plain.end());
    QCOMPARE(t.decode(plain, false), text);

    const auto parsed = t.encode(text, false, true);
    QCOMPARE(parsed, (std::vector<int32_t>{256, 258, 'y', 259, 257}));
    QCOMPARE(t.decode(parsed, false), std::string("aby<tool>"));
    QCOMPARE(t.decode(parsed, true), text);
    QCOMPARE(t.tokenPiece(257, false), std::string());
    QCOMPARE(t.tokenPiece(257, true), std::string("<|im_start|>"));

    QVERIFY(t.isEndOfGeneration(260));
    QCOMPARE(t.eos(), 260);
    QVERIFY(!t.isEndOfGeneration(257));
    QVERIFY(t.isControl(257));
    QCOMPARE(t.tokenType(259), TokenType::UserDefined);
}

void TestTokenizer::addSpecialFlags()
{
    Spec s = testvocab::byteLevel({});
    testvocab::addToken(s, "<bos>", 3);
    s.bos = 256;
    s.addBos = 1;
    auto withBos = testvocab::load(s);
    s.addBos = 0;
    auto without = testvocab::load(s);
    QVERIFY(withBos->tokenizer.ok() && without->tokenizer.ok());
    QCOMPARE((*withBos->tokenizer)->encode("a", true, false), (std::vector<int32_t>{256, 'a'}));
    QCOMPARE((*withBos->tokenizer)->encode("a", false, false), (std::vector<int32_t>{'a'}));
    QCOMPARE((*without->tokenizer)->encode("a", true, false), (std::vector<int32_t>{'a'}));
}

void TestTokenizer::phi3SpecialTokensStripWhitespace()
{
    // llama.cpp gives Phi-3's special tokens rstrip (from its tokenizer.json): "<|user|>\nHi"
    // tokenizes as "<|user|>" "Hi" when the special token is parsed; other models keep the "\n".
    Spec s = spmVocab({{"\xE2\x96\x81", -1.0f}, {"H", -2.0f}, {"i", -2.0f}, {"\xE2\x96\x81H", -1.0f},
                       {"\xE2\x96\x81Hi", -0.5f}});
    testvocab::addToken(s, "<|user|>", 3);
    const int32_t user = int32_t(s.tokens.size()) - 1;
    auto plain = testvocab::load(s);
    s.extra = {{"general.name", testvocab::Value::string("Phi3 Mini 4k Instruct")}};
    auto phi3 = testvocab::load(s);
    QVERIFY(plain->tokenizer.ok() && phi3->tokenizer.ok());
    const Tokenizer& p = **phi3->tokenizer;
    QCOMPARE(p.encode("<|user|>\n Hi", false, true), (std::vector<int32_t>{user, id(p, "\xE2\x96\x81Hi")}));
    const auto kept = (*plain->tokenizer)->encode("<|user|>\n Hi", false, true);
    QVERIFY(std::find(kept.begin(), kept.end(), id(p, "<0x0A>")) != kept.end());
    // Not parsed as special: nothing is stripped.
    QCOMPARE(p.decode(p.encode("<|user|>\n Hi", false, false), false), std::string("<|user|>\n Hi"));
}

void TestTokenizer::streamingDecoder()
{
    auto l = testvocab::load(testvocab::byteLevel({}));
    QVERIFY(l->tokenizer.ok());
    const Tokenizer& t = **l->tokenizer;
    StreamingDecoder dec(t);
    // 我 = E6 88 91, one byte token each: nothing until the character is complete.
    QCOMPARE(dec.push(0xE6), std::string());
    QCOMPARE(dec.push(0x88), std::string());
    QCOMPARE(dec.push(0x91), std::string("我"));
    QCOMPARE(dec.push('a'), std::string("a"));
    // A byte that can never start a character: replaced at once.
    QCOMPARE(dec.push(0xFF), std::string("\xEF\xBF\xBD"));
    // A truncated sequence followed by ASCII: one U+FFFD for the truncated part, then the text.
    QCOMPARE(dec.push(0xE2), std::string());
    QCOMPARE(dec.push(0x82), std::string());
    QCOMPARE(dec.push('b'), std::string("\xEF\xBF\xBD" "b"));
    // Held bytes at the end of the stream.
    QCOMPARE(dec.push(0xF0), std::string());
    QCOMPARE(dec.flush(), std::string("\xEF\xBF\xBD"));

    // Streaming the tokens of a text gives the text (valid UTF-8).
    const std::string text = "Hello, 世界! 😀 ünïcödé";
    StreamingDecoder dec2(t);
    std::string streamed;
    for (const int32_t i : t.encode(text, false, false))
        streamed += dec2.push(i);
    streamed += dec2.flush();
    QCOMPARE(streamed, text);

    // SentencePiece: the prefix space of the first piece is dropped, like decode().
    Spec s = spmVocab({{"\xE2\x96\x81", -1.0f}, {"H", -2.0f}, {"\xE2\x96\x81H", -1.0f}});
    auto spm = testvocab::load(s);
    QVERIFY(spm->tokenizer.ok());
    StreamingDecoder dec3(**spm->tokenizer);
    std::string out;
    for (const int32_t i : (*spm->tokenizer)->encode("H H", true, false))
        out += dec3.push(i);
    QCOMPARE(out, std::string("H H"));
    dec3.reset();
    QCOMPARE(dec3.push(id(**spm->tokenizer, "\xE2\x96\x81H")), std::string("H"));
}

void TestTokenizer::wordPiece()
{
    Spec s;
    s.model = "bert";
    s.pre = "";
    for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]"})
        testvocab::addToken(s, t, std::string(t) == "[UNK]" ? 2 : 3);
    for (const char* t : {"\xE2\x96\x81hello", "\xE2\x96\x81world", "\xE2\x96\x81!", "\xE2\x96\x81un", "aff", "able",
                          "\xE2\x96\x81\xE4\xB8\xAD", "\xE2\x96\x81" "apfel", "\xE2\x96\x81\xEA\xB0\x80"})
        testvocab::addToken(s, t, 1);
    s.extra = {{"tokenizer.ggml.bos_token_id", testvocab::Value::u32(2)},
               {"tokenizer.ggml.unknown_token_id", testvocab::Value::u32(1)},
               {"tokenizer.ggml.seperator_token_id", testvocab::Value::u32(3)}};
    auto l = testvocab::load(s);
    QVERIFY2(l->tokenizer.ok(), l->tokenizer.ok() ? "" : l->tokenizer.error().detail.c_str());
    const Tokenizer& t = **l->tokenizer;
    QCOMPARE(t.kind(), ModelKind::WordPiece);
    // Lowercased; accents stripped through NFD (Ä -> a); punctuation and CJK split off; words
    // that cannot be covered become [UNK]; [CLS] ... [SEP] with addSpecial.
    const auto ids = t.encode("Hello, WORLD! unaffable \xC3\x84pfel \xE4\xB8\xADx\t\n", true, false);
    QCOMPARE(ids, (std::vector<int32_t>{2, 4, 1, 5, 6, 7, 8, 9, 11, 10, 1, 3}));
    QCOMPARE(t.decode(std::vector<int32_t>{4, 5, 7, 8, 9}, false), std::string("hello world unaffable"));
    // 가 (U+AC00) is matched as its precomposed form only after lowercasing; NFD splits Hangul
    // into jamo, so with accent stripping (the default) it is not found.
    QCOMPARE(t.encode("\xEA\xB0\x80", false, false), std::vector<int32_t>{1});
    QVERIFY(t.encode(" \t\n ", false, false).empty());
    QCOMPARE(unicode::toLower(0x00C4), uint32_t(0x00E4));
    QCOMPARE(unicode::toLower(0x0130), uint32_t('i'));
    std::vector<uint32_t> nfd;
    unicode::appendNfd(0x1EBF, nfd); // ế
    QCOMPARE(nfd, (std::vector<uint32_t>{'e', 0x0302, 0x0301}));
}

void TestTokenizer::gemma4RawBpe()
{
    // Gemma 4: BPE merges over raw UTF-8 characters, "▁" for spaces, <0xNN> byte fallback, runs of
    // newlines that are tokens used whole, BOS always added.
    Spec s;
    s.model = "gemma4";
    s.pre = "";
    for (const char* t : {"<pad>", "<eos>", "<bos>"})
        testvocab::addToken(s, t, 3);
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        testvocab::addToken(s, hex, 6);
    }
    const std::string sp = "\xE2\x96\x81";
    for (const std::string& t : {sp, std::string("H"), std::string("i"), sp + "H", sp + "Hi", std::string("\n\n")})
        testvocab::addToken(s, t, 1);
    s.merges = {sp + " H", sp + "H i"};
    s.bos = 2;
    auto l = testvocab::load(s);
    QVERIFY2(l->tokenizer.ok(), l->tokenizer.ok() ? "" : l->tokenizer.error().detail.c_str());
    const Tokenizer& t = **l->tokenizer;
    QCOMPARE(t.preUsed(), std::string("gemma4"));
    QVERIFY(t.addBos());
    const auto ids = t.encode("Hi Hi\n\n\xC3\xA9", true, false);
    QCOMPARE(ids, (std::vector<int32_t>{2, id(t, "H"), id(t, "i"), id(t, sp + "Hi"), id(t, "\n\n"),
                                        id(t, "<0xC3>"), id(t, "<0xA9>")}));
    QCOMPARE(t.decode(ids, false), std::string("Hi Hi\n\n\xC3\xA9"));
}

void TestTokenizer::missingKeysAreNamed_data()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QString>("key");
    QTest::newRow("merges") << "merges" << "tokenizer.ggml.merges";
    QTest::newRow("token types") << "types" << "tokenizer.ggml.token_type";
    QTest::newRow("scores (llama)") << "scores" << "tokenizer.ggml.scores";
    QTest::newRow("tokens") << "tokens" << "tokenizer.ggml.tokens";
}

void TestTokenizer::missingKeysAreNamed()
{
    QFETCH(QString, which);
    QFETCH(QString, key);
    Spec s = which == "scores" ? spmVocab({{"a", -1.0f}}) : testvocab::byteLevel({"a b"});
    if (which == "merges")
        s.writeMerges = false;
    if (which == "types")
        s.writeTypes = false;
    if (which == "scores")
        s.writeScores = false;
    if (which == "tokens") {
        // Write a file without the token list at all.
        engine::gguf::GgufWriter w;
        w.setValue("tokenizer.ggml.model", testvocab::Value::string("gpt2"));
        const auto bytes = w.toBytes();
        auto file = engine::gguf::GgufFile::fromMemory(bytes);
        QVERIFY(file.ok());
        const auto tok = Tokenizer::fromGguf(**file);
        QVERIFY(!tok);
        QCOMPARE(tok.error().code, engine::ErrorCode::MissingKey);
        QVERIFY(QString::fromStdString(tok.error().detail).contains(key));
        return;
    }
    auto l = testvocab::load(s);
    QVERIFY(!l->tokenizer);
    QCOMPARE(l->tokenizer.error().code, engine::ErrorCode::MissingKey);
    QVERIFY2(QString::fromStdString(l->tokenizer.error().detail).contains(key), l->tokenizer.error().detail.c_str());
}

void TestTokenizer::unsupportedModel()
{
    Spec s = testvocab::byteLevel({});
    s.model = "rwkv";
    auto l = testvocab::load(s);
    QVERIFY(!l->tokenizer);
    QCOMPARE(l->tokenizer.error().code, engine::ErrorCode::Unsupported);
    QVERIFY(QString::fromStdString(l->tokenizer.error().detail).contains("rwkv"));

    // Arrays that disagree in length are an invalid file, not a crash.
    Spec shortTypes = testvocab::byteLevel({});
    shortTypes.types.resize(10);
    auto l2 = testvocab::load(shortTypes);
    QVERIFY(!l2->tokenizer);
    QCOMPARE(l2->tokenizer.error().code, engine::ErrorCode::InvalidFile);
}

void TestTokenizer::hostileMetadata()
{
    LogCapture log;
    // Odd but loadable: empty and duplicate tokens, unknown token types, merges without a
    // separator or naming unknown symbols, special ids out of range.
    Spec odd = testvocab::byteLevel({"a b"});
    testvocab::addToken(odd, "", 1);
    testvocab::addToken(odd, "ab", 1); // duplicate of the merge result
    testvocab::addToken(odd, "<x>", 99);
    odd.merges.insert(odd.merges.end(), {"nospace", " ", "zz qq", "a"});
    odd.bos = 100000;
    odd.extra = {{"tokenizer.ggml.eos_token_id", testvocab::Value::i32(-5)}};
    auto l = testvocab::load(odd);
    QVERIFY2(l->tokenizer.ok(), l->tokenizer.ok() ? "" : l->tokenizer.error().detail.c_str());
    const Tokenizer& t = **l->tokenizer;
    QCOMPARE(t.bos(), kNoToken);
    QCOMPARE(t.eos(), kNoToken);
    QCOMPARE(t.encode("ab", true, true), std::vector<int32_t>{256});
    QCOMPARE(t.tokenType(259), TokenType::Undefined);
    QVERIFY(log.contains("duplicates token"));
    QVERIFY(log.contains("outside the vocabulary"));

    // Wrong value types are an invalid file, named.
    const auto expectInvalid = [](const std::string& key, testvocab::Value value) {
        Spec s = testvocab::byteLevel({"a b"});
        s.extra = {{key, std::move(value)}};
        auto bad = testvocab::load(s);
        QVERIFY2(!bad->tokenizer, key.c_str());
        QCOMPARE(bad->tokenizer.error().code, engine::ErrorCode::InvalidFile);
        QVERIFY(QString::fromStdString(bad->tokenizer.error().detail).contains(QString::fromStdString(key)));
    };
    expectInvalid("tokenizer.ggml.tokens", testvocab::Value::int32Array({1, 2, 3}));
    expectInvalid("tokenizer.ggml.merges", testvocab::Value::int32Array({1, 2, 3}));
    expectInvalid("tokenizer.ggml.scores", testvocab::Value::stringArray({"x"}));
    expectInvalid("tokenizer.ggml.token_type", testvocab::Value::int32Array({1}));
    expectInvalid("tokenizer.ggml.token_type", testvocab::Value::stringArray({"a"}));
}

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
