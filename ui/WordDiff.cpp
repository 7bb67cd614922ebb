#include "WordDiff.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <vector>

namespace WordDiff {

namespace {

QStringList tokens(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("\\p{Han}|\\s+|[^\\W\\p{Han}]+|[^\\w\\s]"), QRegularExpression::UseUnicodePropertiesOption);
    QStringList out;
    auto it = re.globalMatch(text);
    while (it.hasNext())
        out << it.next().captured();
    return out;
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
}

QString removed(const QString& text)
{
    return QStringLiteral("<span style=\"color:#b31d28;background:#ffeef0;text-decoration:line-through\">%1</span>").arg(escaped(text));
}

QString added(const QString& text)
{
    return QStringLiteral("<span style=\"color:#22863a;background:#e6ffed\">%1</span>").arg(escaped(text));
}

} // namespace

QString html(const QString& before, const QString& after)
{
    const QStringList a = tokens(before);
    const QStringList b = tokens(after);
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    constexpr qsizetype kMaxCells = 4'000'000;
    if (n * m > kMaxCells)
        return removed(before) + added(after);
    // lcs[i][j]: LCS length of a[i..] and b[j..]
    std::vector<int> lcs(static_cast<size_t>((n + 1) * (m + 1)), 0);
    auto at = [m, &lcs](qsizetype i, qsizetype j) -> int& { return lcs[static_cast<size_t>(i * (m + 1) + j)]; };
    for (qsizetype i = n - 1; i >= 0; --i)
        for (qsizetype j = m - 1; j >= 0; --j)
            at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    QString out;
    QString del;
    QString ins;
    auto flush = [&] {
        if (!del.isEmpty())
            out += removed(del);
        if (!ins.isEmpty())
            out += added(ins);
        del.clear();
        ins.clear();
    };
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            flush();
            out += escaped(a[i]);
            ++i;
            ++j;
        } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
            ins += b[j++];
        } else {
            del += a[i++];
        }
    }
    flush();
    return out;
}

} // namespace WordDiff
