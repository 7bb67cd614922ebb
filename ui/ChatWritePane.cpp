#include "ChatWritePane.h"

#include "ChatPane.h"
#include "WritePane.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

ChatWritePane::ChatWritePane(ChatService* service, ConversationStore* store, QWidget* parent)
    : Pane(parent)
    , m_chat(new ChatPane(service, store, this))
    , m_write(new WritePane(service, store, this))
{
    setObjectName(QStringLiteral("chatWritePane"));
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_chat);
    m_stack->addWidget(m_write);
    m_chatButton = new QToolButton(this);
    m_chatButton->setObjectName(QStringLiteral("modeChat"));
    m_writeButton = new QToolButton(this);
    m_writeButton->setObjectName(QStringLiteral("modeWrite"));
    auto* group = new QButtonGroup(this);
    for (QToolButton* b : {m_chatButton, m_writeButton}) {
        b->setCheckable(true);
        b->setAutoRaise(true);
        b->setMinimumWidth(80);
        group->addButton(b);
    }
    m_chatButton->setChecked(true);
    auto* modes = new QHBoxLayout;
    modes->setContentsMargins(6, 4, 6, 0);
    modes->addWidget(m_chatButton);
    modes->addWidget(m_writeButton);
    modes->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(modes);
    layout->addWidget(m_stack, 1);

    connect(m_chatButton, &QToolButton::clicked, this, [this] { showWrite(false); });
    connect(m_writeButton, &QToolButton::clicked, this, [this] { showWrite(true); });
    for (Pane* p : {static_cast<Pane*>(m_chat), static_cast<Pane*>(m_write)}) {
        connect(p, &Pane::statsReady, this, &Pane::statsReady);
        connect(p, &Pane::busyChanged, this, &Pane::busyChanged);
        connect(p, &Pane::failureOccurred, this, &Pane::failureOccurred);
    }
    retranslate();
}

void ChatWritePane::showWrite(bool write)
{
    m_stack->setCurrentIndex(write ? 1 : 0);
    (write ? m_writeButton : m_chatButton)->setChecked(true);
}

void ChatWritePane::newConversation()
{
    showWrite(false);
    m_chat->newConversation();
}

Pane* ChatWritePane::current() const
{
    return m_stack->currentIndex() == 1 ? static_cast<Pane*>(m_write) : static_cast<Pane*>(m_chat);
}

void ChatWritePane::submit() { current()->submit(); }
void ChatWritePane::stop() { current()->stop(); }
void ChatWritePane::focusSearch()
{
    showWrite(false);
    m_chat->focusSearch();
}
bool ChatWritePane::isBusy() const { return m_chat->isBusy() || m_write->isBusy(); }

void ChatWritePane::retranslate()
{
    m_chatButton->setText(tr("Chat"));
    m_chatButton->setToolTip(tr("Conversations with the model"));
    m_writeButton->setText(tr("Write"));
    m_writeButton->setToolTip(tr("Draft and edit a document with the model's help"));
}
