#pragma once
// The messages of one conversation, top to bottom, in a scroll area that follows the reply
// while it streams (unless the user has scrolled up to read).

#include "ServiceTypes.h"

#include <QScrollArea>

class CodeHighlighter;
class MessageWidget;
class QVBoxLayout;

class ChatView : public QScrollArea {
    Q_OBJECT
public:
    explicit ChatView(QWidget* parent = nullptr);

    void clear();
    MessageWidget* addMessage(ChatMessage::Role role, const QString& text);
    void removeLast();
    int count() const { return m_messages.size(); }
    MessageWidget* messageAt(int index) const { return m_messages.value(index); }
    MessageWidget* last() const { return m_messages.isEmpty() ? nullptr : m_messages.last(); }
    // Marks which reply is the last one (only it offers regenerate / continue).
    void updateLastReply();
    void followBottom();

signals:
    void copyRequested(int index);
    void editRequested(int index);
    void regenerateRequested();
    void continueRequested();

private:
    QWidget* m_content = nullptr;
    QVBoxLayout* m_layout = nullptr;
    QList<MessageWidget*> m_messages;
    CodeHighlighter* m_highlighter = nullptr;
};
