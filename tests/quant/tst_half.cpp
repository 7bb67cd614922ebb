// f16/bf16 conversions, exhaustively over all 65536 bit patterns, against an independent
// reference built from ldexp (decoding) and from the decoded neighbours (rounding).

#include "quant/Quant.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>

using namespace engine::quant;

namespace {

uint32_t bitsOf(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

// binary16 decoded with ldexp straight from its definition.
double referenceHalf(uint16_t h)
{
    const int sign = (h >> 15) ? -1 : 1;
    const int e = (h >> 10) & 0x1F;
    const int m = h & 0x3FF;
    if (e == 0x1F)
        return m ? std::nan("") : sign * INFINITY;
    if (e == 0)
        return sign * std::ldexp(m, -24);
    return sign * std::ldexp(1024 + m, e - 25);
}

// Nearest binary16 to x by exhaustive search among positive halves, ties to the even pattern.
uint16_t referenceToHalf(float x)
{
    if (std::isnan(x))
        return 0x7E00;
    const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
    const double ax = std::fabs(static_cast<double>(x));
    if (ax >= 65520.0)
        return sign | 0x7C00;
    // Halves are monotonic in their bit pattern: bisect, then compare the two neighbours.
    uint16_t lo = 0, hi = 0x7BFF;
    while (hi - lo > 1) {
        const uint16_t mid = static_cast<uint16_t>((lo + hi) / 2);
        if (referenceHalf(mid) <= ax)
            lo = mid;
        else
            hi = mid;
    }
    const double dl = ax - referenceHalf(lo);
    const double dh = referenceHalf(hi) - ax;
    uint16_t pick;
    if (dl < dh)
        pick = lo;
    else if (dh < dl)
        pick = hi;
    else
        pick = (lo & 1) ? hi : lo;
    return sign | pick;
}

} // namespace

class TestHalf : public QObject {
    Q_OBJECT
private slots:
    void f16DecodesEveryPattern()
    {
        for (uint32_t h = 0; h < 65536; ++h) {
            const float got = f16ToF32(static_cast<uint16_t>(h));
            const double want = referenceHalf(static_cast<uint16_t>(h));
            if (std::isnan(want)) {
                QVERIFY2(std::isnan(got), qPrintable(QString::number(h, 16)));
                continue;
            }
            QVERIFY2(static_cast<double>(got) == want && std::signbit(got) == std::signbit(want),
                     qPrintable(QStringLiteral("half 0x%1").arg(h, 4, 16, QLatin1Char('0'))));
        }
    }

    void f16EncodesEveryPatternBack()
    {
        for (uint32_t h = 0; h < 65536; ++h) {
            const float f = f16ToF32(static_cast<uint16_t>(h));
            if (std::isnan(f))
                continue;
            QCOMPARE(f32ToF16(f), static_cast<uint16_t>(h));
        }
    }

    void f16RoundsMidpointsAndRandomFloatsToNearestEven()
    {
        // Every midpoint between neighbouring halves (exact in float), and its float neighbours.
        for (uint32_t h = 0; h < 0x7BFF; ++h) {
            const double mid = 0.5 * (referenceHalf(static_cast<uint16_t>(h)) + referenceHalf(static_cast<uint16_t>(h + 1)));
            const float m = static_cast<float>(mid);
            QCOMPARE(static_cast<double>(m), mid);
            for (float x : {m, std::nextafter(m, 0.f), std::nextafter(m, INFINITY), -m}) {
                if (f32ToF16(x) != referenceToHalf(x))
                    QFAIL(qPrintable(QStringLiteral("x=%1 (bits %2): got %3 want %4")
                                         .arg(static_cast<double>(x), 0, 'g', 9).arg(bitsOf(x), 8, 16)
                                         .arg(f32ToF16(x), 4, 16).arg(referenceToHalf(x), 4, 16)));
            }
        }
        std::mt19937 rng(7);
        std::uniform_int_distribution<uint32_t> bits(0x30000000, 0x47800000);
        for (int i = 0; i < 200000; ++i) {
            uint32_t u = bits(rng) | ((i & 1) ? 0x80000000u : 0u);
            float x;
            std::memcpy(&x, &u, sizeof x);
            QCOMPARE(f32ToF16(x), referenceToHalf(x));
        }
        QCOMPARE(f32ToF16(1e10f), uint16_t(0x7C00));
        QCOMPARE(f32ToF16(-INFINITY), uint16_t(0xFC00));
        QCOMPARE(f32ToF16(65519.f), uint16_t(0x7BFF));
        QCOMPARE(f32ToF16(65520.f), uint16_t(0x7C00));
        QVERIFY((f32ToF16(std::nanf("")) & 0x7FFF) > 0x7C00);
    }

    void bf16DecodesAndRoundsEveryPattern()
    {
        for (uint32_t h = 0; h < 65536; ++h) {
            const uint32_t u = h << 16;
            float want;
            std::memcpy(&want, &u, sizeof want);
            const float got = bf16ToF32(static_cast<uint16_t>(h));
            if (std::isnan(want)) {
                QVERIFY(std::isnan(got));
                QVERIFY(std::isnan(bf16ToF32(f32ToBf16(want))));
                continue;
            }
            QCOMPARE(bitsOf(got), u);
            QCOMPARE(f32ToBf16(got), static_cast<uint16_t>(h));
            // The midpoint to the next pattern (same sign, finite) rounds to the even one.
            if ((h & 0x7FFF) < 0x7F7F) {
                const uint32_t midBits = u | 0x8000;
                float mid;
                std::memcpy(&mid, &midBits, sizeof mid);
                const uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : static_cast<uint16_t>(h);
                QCOMPARE(f32ToBf16(mid), even);
                const uint32_t above = midBits + 1;
                std::memcpy(&mid, &above, sizeof mid);
                QCOMPARE(f32ToBf16(mid), static_cast<uint16_t>(h + 1));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestHalf)
#include "tst_half.moc"
