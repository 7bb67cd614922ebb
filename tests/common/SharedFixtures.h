#pragma once
// Locating ../shared/fixtures. A user's clone has no ../shared: conformance tests then skip
// with a message that says so, instead of passing silently.

#include <QDir>
#include <QString>
#include <QtTest>

namespace testing {

inline QString sharedDir()
{
    const QByteArray env = qgetenv("INKSTONE_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral(INKSTONE_SHARED_DIR) : QString::fromLocal8Bit(env);
}

inline QString fixturesDir(const QString& sub)
{
    return QDir(sharedDir()).filePath(QStringLiteral("fixtures/") + sub);
}

inline bool haveFixtures(const QString& sub)
{
    return QDir(fixturesDir(sub)).exists();
}

} // namespace testing

// Use at the top of a conformance test function.
#define INKSTONE_REQUIRE_FIXTURES(sub)                                                             \
    do {                                                                                           \
        if (!testing::haveFixtures(QStringLiteral(sub)))                                           \
            QSKIP(qPrintable(QStringLiteral("SKIPPED: shared fixtures not found at %1 "            \
                                            "(set INKSTONE_SHARED_DIR); conformance not checked")  \
                                 .arg(testing::fixturesDir(QStringLiteral(sub)))));                \
    } while (0)
