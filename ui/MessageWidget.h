#pragma once
// One message of a conversation: who said it, the text rendered as Markdown, and the actions
// that apply to it (copy; edit for the user's messages; regenerate and continue for replies).

#include "ServiceTypes.h"

#include <QFrame>
#include <QHash>
#include <QTextBlock>

class CodeHighlighter;
class QLabel;
class QTextBrowser;
class QToolButton;

class MessageWidget : public QFrame {
    Q_OBJECT
public:
    MessageWidget(ChatMessage::Role role, const QString& text, QWidget* parent = nullptr);

    ChatMessage::Role role() const { return m_role; }
    QString text() const { return m_text; }
    void setText(const QString& text);
    // While streaming: renders only what changed. Paragraphs that are complete (before the last
    // blank line outside a code fence) are rendered once; only the unfinished tail is redone
    // per batch, so a long reply does not cost more per update as it grows.
    void setStreamingText(const QString& text);
    void setStreaming(bool streaming);
    // Only the last reply offers regenerate / continue.
    void setLastReply(bool last);
    void setNotice(const QString& notice); // e.g. "Stopped", shown under the text
    // Colours the fenced code blocks through the shared highlighter once the text settles.
    void setHighlighter(CodeHighlighter* highlighter);
    // Token probabilities of this reply; enables the "Probabilities" toggle, which shows each
    // token coloured by how sure the model was, with the alternatives in its tooltip.
    void setTokens(const QList<TokenInfo>& tokens);
    bool showsProbabilities() const;
    void setShowProbabilities(bool show);
    // The bodies of the fenced code blocks, in order (what "Copy code" copies).
    static QStringList codeBlocks(const QString& markdown);

signals:
    void copyRequested();
    void editRequested();
    void regenerateRequested();
    void continueRequested();

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void fitHeight();
    void shadeCodeBlocks(QTextBlock from);
    void renderProbabilities();
    void highlightCode();
    void applyHighlight(quint64 ticket, const QString& html);

    struct CodeRun {
        int start = 0;       // document position of the run's first character
        QString code;
        quint64 generation = 0;
    };
    CodeHighlighter* m_highlighter = nullptr;
    QHash<quint64, CodeRun> m_pendingRuns;
    quint64 m_generation = 0; // bumped whenever the document is rebuilt

    ChatMessage::Role m_role;
    QString m_text;
    QString m_notice;
    int m_stableLength = 0;   // characters of m_text rendered for good
    int m_stableDocEnd = 0;   // document position where their rendering ends
    bool m_streaming = false;
    QLabel* m_who = nullptr;
    QLabel* m_noticeLabel = nullptr;
    QTextBrowser* m_body = nullptr;
    QToolButton* m_copy = nullptr;
    QToolButton* m_copyCode = nullptr;
    QToolButton* m_probabilities = nullptr;
    QList<TokenInfo> m_tokens;
    QToolButton* m_edit = nullptr;
    QToolButton* m_regenerate = nullptr;
    QToolButton* m_continue = nullptr;
};
