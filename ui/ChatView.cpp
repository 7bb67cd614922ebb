#include "ChatView.h"

#include "CodeHighlighter.h"
#include "MessageWidget.h"

#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

ChatView::ChatView(QWidget* parent)
    : QScrollArea(parent)
    , m_content(new QWidget)
    , m_layout(new QVBoxLayout(m_content))
{
    setObjectName(QStringLiteral("chatView"));
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_layout->setContentsMargins(12, 12, 12, 12);
    m_layout->setSpacing(10);
    m_layout->addStretch();
    setWidget(m_content);
    m_highlighter = CodeHighlighter::create(this);
}

void ChatView::clear()
{
    qDeleteAll(m_messages);
    m_messages.clear();
}

MessageWidget* ChatView::addMessage(ChatMessage::Role role, const QString& text)
{
    auto* message = new MessageWidget(role, text, m_content);
    message->setHighlighter(m_highlighter);
    m_layout->insertWidget(m_layout->count() - 1, message);
    m_messages.append(message);
    connect(message, &MessageWidget::copyRequested, this, [this, message] { emit copyRequested(m_messages.indexOf(message)); });
    connect(message, &MessageWidget::editRequested, this, [this, message] { emit editRequested(m_messages.indexOf(message)); });
    connect(message, &MessageWidget::regenerateRequested, this, &ChatView::regenerateRequested);
    connect(message, &MessageWidget::continueRequested, this, &ChatView::continueRequested);
    updateLastReply();
    followBottom();
    return message;
}

void ChatView::removeLast()
{
    if (m_messages.isEmpty())
        return;
    delete m_messages.takeLast();
    updateLastReply();
}

void ChatView::updateLastReply()
{
    for (int i = 0; i < m_messages.size(); ++i)
        m_messages[i]->setLastReply(i == m_messages.size() - 1);
}

void ChatView::followBottom()
{
    QScrollBar* bar = verticalScrollBar();
    // Someone reading further up is not yanked down by the stream.
    const bool atBottom = bar->value() >= bar->maximum() - 40;
    if (atBottom)
        QTimer::singleShot(0, this, [bar] { bar->setValue(bar->maximum()); });
}
