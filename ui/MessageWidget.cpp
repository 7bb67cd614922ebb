#include "MessageWidget.h"

#include "CodeHighlighter.h"
#include "Languages.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QLocale>
#include <QRegularExpression>
#include <QHBoxLayout>
#include <QLabel>
#include <QAbstractTextDocumentLayout>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

MessageWidget::MessageWidget(ChatMessage::Role role, const QString& text, QWidget* parent)
    : QFrame(parent)
    , m_role(role)
{
    setObjectName(role == ChatMessage::Role::User ? QStringLiteral("userMessage") : QStringLiteral("assistantMessage"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base);
    // A faint tint tells the two voices apart without fighting the system theme.
    const QColor tint = role == ChatMessage::Role::User ? QColor(66, 133, 244) : QColor(120, 120, 120);
    pal.setColor(QPalette::Window, QColor::fromRgbF(base.redF() * 0.93 + tint.redF() * 0.07,
                                                    base.greenF() * 0.93 + tint.greenF() * 0.07,
                                                    base.blueF() * 0.93 + tint.blueF() * 0.07));
    setPalette(pal);

    m_who = new QLabel(this);
    QFont bold = m_who->font();
    bold.setBold(true);
    m_who->setFont(bold);
    auto makeButton = [this](const char* name) {
        auto* b = new QToolButton(this);
        b->setObjectName(QLatin1String(name));
        b->setAutoRaise(true);
        b->setFocusPolicy(Qt::TabFocus);
        return b;
    };
    m_copy = makeButton("messageCopy");
    m_edit = makeButton("messageEdit");
    m_regenerate = makeButton("messageRegenerate");
    m_continue = makeButton("messageContinue");
    m_probabilities = makeButton("messageProbabilities");
    m_probabilities->setCheckable(true);
    m_probabilities->setVisible(false);
    connect(m_probabilities, &QToolButton::toggled, this, &MessageWidget::setShowProbabilities);
    m_copyCode = makeButton("messageCopyCode");
    m_copyCode->setVisible(false);
    connect(m_copyCode, &QToolButton::clicked, this, [this] {
        QApplication::clipboard()->setText(codeBlocks(m_text).join(QStringLiteral("\n\n")));
    });
    connect(m_copy, &QToolButton::clicked, this, &MessageWidget::copyRequested);
    connect(m_edit, &QToolButton::clicked, this, &MessageWidget::editRequested);
    connect(m_regenerate, &QToolButton::clicked, this, &MessageWidget::regenerateRequested);
    connect(m_continue, &QToolButton::clicked, this, &MessageWidget::continueRequested);
    m_edit->setVisible(role == ChatMessage::Role::User);
    m_regenerate->setVisible(false);
    m_continue->setVisible(false);

    auto* header = new QHBoxLayout;
    header->addWidget(m_who);
    header->addStretch();
    header->addWidget(m_edit);
    header->addWidget(m_continue);
    header->addWidget(m_regenerate);
    header->addWidget(m_probabilities);
    header->addWidget(m_copyCode);
    header->addWidget(m_copy);

    m_body = new QTextBrowser(this);
    m_body->setObjectName(QStringLiteral("messageBody"));
    m_body->setOpenExternalLinks(true);
    m_body->setFrameShape(QFrame::NoFrame);
    m_body->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_body->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_body->viewport()->setAutoFillBackground(false);
    m_body->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    // The body never scrolls on its own (the conversation scrolls as a whole): its height
    // follows the laid-out document, whatever changed it (new text, a new width).
    connect(m_body->document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            [this] { fitHeight(); });

    m_noticeLabel = new QLabel(this);
    m_noticeLabel->setObjectName(QStringLiteral("messageNotice"));
    m_noticeLabel->setWordWrap(true);
    m_noticeLabel->setVisible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 8);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_body);
    layout->addWidget(m_noticeLabel);
    retranslate();
    setText(text);
}

void MessageWidget::setText(const QString& text)
{
    m_text = text;
    m_stableLength = 0;
    m_stableDocEnd = 0;
    ++m_generation;
    m_body->setMarkdown(text);
    m_copyCode->setVisible(!m_streaming && text.contains(QLatin1String("```")));
    shadeCodeBlocks(m_body->document()->begin());
    highlightCode();
    m_body->setAccessibleDescription(text.left(200));
    fitHeight();
}

namespace {
// Index just past the last blank line of text that is not inside a ``` fence, or 0.
int stableBoundary(const QString& text, int from)
{
    int boundary = 0;
    bool inFence = false;
    int lineStart = 0;
    bool previousBlank = false;
    const int n = static_cast<int>(text.size());
    for (int i = 0; i < n; ++i) {
        if (text.at(i) != QLatin1Char('\n'))
            continue;
        const QStringView line = QStringView(text).mid(lineStart, i - lineStart);
        if (line.trimmed().startsWith(QLatin1String("```")))
            inFence = !inFence;
        const bool blank = line.trimmed().isEmpty();
        if (blank && !previousBlank && !inFence && i + 1 > from)
            boundary = i + 1;
        previousBlank = blank;
        lineStart = i + 1;
    }
    return boundary;
}
} // namespace

void MessageWidget::setStreamingText(const QString& text)
{
    if (!text.startsWith(m_text.left(m_stableLength)) || m_stableLength > text.size()) {
        setText(text);
        return;
    }
    m_text = text;
    ++m_generation;
    QTextDocument* doc = m_body->document();
    QTextCursor cursor(doc);
    const int boundary = stableBoundary(text, m_stableLength);
    const int changedFrom = m_stableDocEnd; // everything after it is inserted again below
    if (m_stableLength == 0 && m_stableDocEnd == 0)
        doc->clear();
    auto replaceTail = [&](const QString& markdown) {
        cursor.setPosition(m_stableDocEnd);
        cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        cursor.removeSelectedText();
        if (markdown.trimmed().isEmpty())
            return;
        if (m_stableDocEnd > 0)
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
        // The fragment's first block merges into the block at the cursor and would lose its
        // own format (a code fence, a heading level); it is put back from a small probe parse.
        const int start = cursor.position();
        QTextDocument probe;
        probe.setMarkdown(markdown);
        cursor.insertMarkdown(markdown);
        QTextCursor(doc->findBlock(start)).setBlockFormat(probe.begin().blockFormat());
    };
    if (boundary > m_stableLength) {
        replaceTail(text.mid(m_stableLength, boundary - m_stableLength));
        m_stableLength = boundary;
        cursor.movePosition(QTextCursor::End);
        m_stableDocEnd = cursor.position();
    }
    replaceTail(text.mid(m_stableLength));
    shadeCodeBlocks(doc->findBlock(changedFrom > 0 ? changedFrom - 1 : 0));
    fitHeight();
}

void MessageWidget::shadeCodeBlocks(QTextBlock block)
{
    // QTextDocument's Markdown import marks fenced blocks but draws them like any paragraph;
    // a tinted background makes code stand out as it does in every chat app.
    const QColor shade = palette().color(QPalette::AlternateBase).darker(104);
    for (; block.isValid(); block = block.next()) {
        if (!block.blockFormat().hasProperty(QTextFormat::BlockCodeFence))
            continue;
        QTextBlockFormat format = block.blockFormat();
        format.setBackground(shade);
        format.setLeftMargin(6);
        QTextCursor(block).setBlockFormat(format);
    }
}

void MessageWidget::setHighlighter(CodeHighlighter* highlighter)
{
    m_highlighter = highlighter;
    connect(highlighter, &CodeHighlighter::highlighted, this, &MessageWidget::applyHighlight);
    highlightCode();
}

void MessageWidget::highlightCode()
{
    if (!m_highlighter || m_streaming || showsProbabilities())
        return;
    // Tickets are unique across all messages sharing the highlighter.
    static quint64 nextTicket = 0;
    QTextDocument* doc = m_body->document();
    for (QTextBlock block = doc->begin(); block.isValid();) {
        const QTextBlockFormat format = block.blockFormat();
        if (!format.hasProperty(QTextFormat::BlockCodeFence)) {
            block = block.next();
            continue;
        }
        const QString tag = format.stringProperty(QTextFormat::BlockCodeLanguage);
        CodeRun run{block.position(), QString(), m_generation};
        QStringList lines;
        while (block.isValid() && block.blockFormat().hasProperty(QTextFormat::BlockCodeFence)
               && block.blockFormat().stringProperty(QTextFormat::BlockCodeLanguage) == tag) {
            lines << block.text();
            block = block.next();
        }
        const QString syntax = Languages::syntaxForFence(tag);
        if (syntax.isEmpty())
            continue;
        run.code = lines.join(QLatin1Char('\n'));
        const quint64 ticket = ++nextTicket;
        m_pendingRuns.insert(ticket, run);
        m_highlighter->highlight(ticket, run.code, syntax);
    }
}

void MessageWidget::applyHighlight(quint64 ticket, const QString& html)
{
    const auto it = m_pendingRuns.constFind(ticket);
    if (it == m_pendingRuns.constEnd())
        return;
    const CodeRun run = *it;
    m_pendingRuns.erase(it);
    if (run.generation != m_generation)
        return; // the text was re-rendered since
    // Copy the highlighter's colours onto the same characters of our document.
    QTextDocument probe;
    probe.setHtml(html);
    const int base = static_cast<int>(probe.toPlainText().indexOf(run.code));
    if (base < 0)
        return;
    QTextCursor cursor(m_body->document());
    for (QTextBlock block = probe.begin(); block.isValid(); block = block.next()) {
        for (auto fragments = block.begin(); !fragments.atEnd(); ++fragments) {
            const QTextFragment fragment = fragments.fragment();
            if (!fragment.charFormat().hasProperty(QTextFormat::ForegroundBrush))
                continue;
            const int from = std::max(0, fragment.position() - base);
            const int to = std::min(static_cast<int>(run.code.size()), fragment.position() + fragment.length() - base);
            if (to <= from)
                continue;
            cursor.setPosition(run.start + from);
            cursor.setPosition(run.start + to, QTextCursor::KeepAnchor);
            QTextCharFormat colour;
            colour.setForeground(fragment.charFormat().foreground());
            cursor.mergeCharFormat(colour);
        }
    }
}

void MessageWidget::setTokens(const QList<TokenInfo>& tokens)
{
    m_tokens = tokens;
    m_probabilities->setVisible(!tokens.isEmpty());
    if (tokens.isEmpty())
        m_probabilities->setChecked(false);
}

bool MessageWidget::showsProbabilities() const
{
    return m_probabilities->isChecked();
}

void MessageWidget::setShowProbabilities(bool show)
{
    if (m_probabilities->isChecked() != show) {
        m_probabilities->setChecked(show); // comes back here through toggled()
        return;
    }
    if (show && !m_tokens.isEmpty())
        renderProbabilities();
    else
        setText(m_text);
}

void MessageWidget::renderProbabilities()
{
    // Raw tokens rather than Markdown: each one gets a background from red (the model was
    // unsure) to none (it was sure), and a tooltip with the alternatives it weighed.
    ++m_generation;
    QTextDocument* doc = m_body->document();
    doc->clear();
    QTextCursor cursor(doc);
    const QLocale locale;
    auto percent = [&locale](float p) { return locale.toString(p * 100.0f, 'f', p < 0.1f ? 1 : 0) + QLatin1Char('%'); };
    for (const TokenInfo& token : std::as_const(m_tokens)) {
        if (token.text.isEmpty())
            continue;
        QTextCharFormat format;
        const float p = std::clamp(token.probability, 0.0f, 1.0f);
        format.setBackground(QColor(230, 80, 60, static_cast<int>((1.0f - p) * 150)));
        QStringList lines{tr("%1 chosen with %2").arg(token.text.toHtmlEscaped(), percent(token.probability))};
        for (const auto& [text, probability] : token.alternatives)
            lines << QStringLiteral("%1 · %2").arg(text.toHtmlEscaped(), percent(probability));
        format.setToolTip(lines.join(QStringLiteral("<br>")));
        cursor.insertText(token.text, format);
    }
}

QStringList MessageWidget::codeBlocks(const QString& markdown)
{
    static const QRegularExpression fence(QStringLiteral("(?:^|\\n)```[^\\n]*\\n([\\s\\S]*?)(?:\\n```|$)"));
    QStringList blocks;
    auto it = fence.globalMatch(markdown);
    while (it.hasNext())
        blocks << it.next().captured(1);
    return blocks;
}

void MessageWidget::setStreaming(bool streaming)
{
    m_streaming = streaming;
    m_copyCode->setVisible(!streaming && m_text.contains(QLatin1String("```")));
    if (!streaming)
        highlightCode();
    m_copy->setEnabled(!streaming);
    m_regenerate->setEnabled(!streaming);
    m_continue->setEnabled(!streaming);
    m_edit->setEnabled(!streaming);
    retranslate();
}

void MessageWidget::setLastReply(bool last)
{
    const bool reply = m_role == ChatMessage::Role::Assistant;
    m_regenerate->setVisible(reply && last);
    m_continue->setVisible(reply && last);
}

void MessageWidget::setNotice(const QString& notice)
{
    m_notice = notice;
    m_noticeLabel->setText(notice);
    m_noticeLabel->setVisible(!notice.isEmpty());
}

void MessageWidget::resizeEvent(QResizeEvent* event)
{
    QFrame::resizeEvent(event);
    fitHeight();
}

void MessageWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QFrame::changeEvent(event);
}

void MessageWidget::retranslate()
{
    if (m_role == ChatMessage::Role::User)
        m_who->setText(tr("You"));
    else
        m_who->setText(m_streaming ? tr("Assistant · writing…") : tr("Assistant"));
    m_copy->setText(tr("Copy"));
    m_copyCode->setText(tr("Copy code"));
    m_probabilities->setText(tr("Probabilities"));
    m_probabilities->setToolTip(tr("Colour each token by how sure the model was; hover a token to see the alternatives"));
    m_copyCode->setToolTip(tr("Copy the code blocks of this reply"));
    m_copy->setToolTip(tr("Copy this message"));
    m_edit->setText(tr("Edit"));
    m_edit->setToolTip(tr("Edit this message and send it again"));
    m_regenerate->setText(tr("Regenerate"));
    m_regenerate->setToolTip(tr("Write this reply again"));
    m_continue->setText(tr("Continue"));
    m_continue->setToolTip(tr("Let the model continue this reply"));
    m_body->setAccessibleName(m_role == ChatMessage::Role::User ? tr("Your message") : tr("Reply"));
}

void MessageWidget::fitHeight()
{
    const int height = static_cast<int>(std::ceil(m_body->document()->size().height())) + 4;
    m_body->setFixedHeight(std::max(height, 24));
}
