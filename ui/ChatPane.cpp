#include "ChatPane.h"

#include "ChatService.h"
#include "ChatView.h"
#include "ConversationList.h"
#include "ConversationStore.h"
#include "FailureText.h"
#include "GenerationTracker.h"
#include "MessageWidget.h"
#include "SamplingPresets.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

ChatPane::ChatPane(ChatService* service, ConversationStore* store, QWidget* parent)
    : Pane(parent)
    , m_service(service)
    , m_store(store)
    , m_tracker(new GenerationTracker(service, this))
{
    setObjectName(QStringLiteral("chatPane"));
    m_list = new ConversationList(store, this);
    m_view = new ChatView(this);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("chatTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("chatPreset"));
    for (int i = 0; i < 3; ++i)
        m_preset->addItem(QString());
    m_preset->setCurrentIndex(1);
    m_systemPrompt = new QPushButton(this);
    m_systemPrompt->setObjectName(QStringLiteral("chatSystemPrompt"));

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("chatBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: palette(alternate-base); border: 1px solid palette(mid);"
                                           " border-radius: 4px; padding: 6px; }"));
    m_banner->setVisible(false);

    m_input = new QPlainTextEdit(this);
    m_input->setObjectName(QStringLiteral("chatInput"));
    m_input->setTabChangesFocus(true);
    m_input->setMaximumHeight(96);
    m_input->installEventFilter(this);
    m_send = new QPushButton(this);
    m_send->setObjectName(QStringLiteral("chatSend"));
    m_send->setDefault(true);
    m_stop = new QPushButton(this);
    m_stop->setObjectName(QStringLiteral("chatStop"));
    m_stop->setEnabled(false);

    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_preset);
    top->addWidget(m_systemPrompt);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    buttons->addStretch();
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addLayout(buttons);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(top);
    rightLayout->addWidget(m_view, 1);
    rightLayout->addWidget(m_banner);
    rightLayout->addLayout(inputRow);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(m_list);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({220, 700});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);

    connect(m_send, &QPushButton::clicked, this, &ChatPane::submit);
    connect(m_stop, &QPushButton::clicked, this, &ChatPane::stop);
    connect(m_systemPrompt, &QPushButton::clicked, this, &ChatPane::editSystemPrompt);
    connect(m_preset, &QComboBox::activated, this, [this](int index) {
        if (m_conversationId)
            m_store->setPreset(m_conversationId, SamplingPresets::idAt(index));
    });
    connect(m_list, &ConversationList::conversationSelected, this, &ChatPane::openConversation);
    connect(m_list, &ConversationList::newRequested, this, &ChatPane::newConversation);
    connect(m_view, &ChatView::copyRequested, this, [this](int index) {
        if (MessageWidget* m = m_view->messageAt(index))
            QApplication::clipboard()->setText(m->text());
    });
    connect(m_view, &ChatView::editRequested, this, &ChatPane::editMessage);
    connect(m_view, &ChatView::regenerateRequested, this, &ChatPane::regenerate);
    connect(m_view, &ChatView::continueRequested, this, &ChatPane::continueReply);
    connect(m_tracker, &GenerationTracker::textChanged, this, &ChatPane::onText);
    connect(m_tracker, &GenerationTracker::finished, this, &ChatPane::onFinished);
    connect(m_tracker, &GenerationTracker::failed, this, &ChatPane::onFailed);
    connect(m_tracker, &GenerationTracker::busyChanged, this, &ChatPane::setBusy);

    retranslate();
    m_list->reload();
}

bool ChatPane::isBusy() const
{
    return m_tracker->isBusy();
}

void ChatPane::setBusy(bool busy)
{
    m_send->setEnabled(!busy);
    m_stop->setEnabled(busy);
    emit busyChanged(busy);
}

void ChatPane::focusSearch()
{
    m_list->focusSearch();
}

void ChatPane::newConversation()
{
    stop();
    m_conversationId = 0;
    m_messages.clear();
    m_view->clear();
    m_editingMessageId = 0;
    m_banner->hide();
    m_list->select(0);
    m_preset->setCurrentIndex(1);
    retranslate();
    m_input->setFocus();
}

void ChatPane::openConversation(qint64 id)
{
    if (id == m_conversationId)
        return;
    if (id == 0) {
        newConversation();
        return;
    }
    stop();
    m_conversationId = id;
    m_messages = m_store->messages(id);
    m_view->clear();
    for (const auto& message : std::as_const(m_messages))
        m_view->addMessage(message.role, message.content);
    m_preset->setCurrentIndex(SamplingPresets::indexOf(m_store->preset(id)));
    m_editingMessageId = 0;
    m_banner->hide();
    m_list->select(id);
    retranslate();
}

void ChatPane::submit()
{
    const QString text = m_input->toPlainText().trimmed();
    if (text.isEmpty() || isBusy())
        return;
    if (m_conversationId == 0) {
        const QString simple = text.simplified();
        const QString title = simple.size() > 48 ? simple.left(47) + QStringLiteral("…") : simple;
        const auto id = m_store->createConversation(title);
        if (!id) {
            showBanner(tr("The conversation could not be saved: %1").arg(m_store->lastError()));
            return;
        }
        m_conversationId = *id;
        m_store->setPreset(m_conversationId, SamplingPresets::idAt(m_preset->currentIndex()));
    }
    if (m_editingMessageId != 0) {
        // Edit & resend: the edited message replaces the old one and everything after it.
        m_store->truncateFrom(m_conversationId, m_editingMessageId);
        while (!m_messages.isEmpty() && m_messages.last().id >= m_editingMessageId) {
            m_messages.removeLast();
            m_view->removeLast();
        }
        m_editingMessageId = 0;
    }
    const auto messageId = m_store->appendMessage(m_conversationId, ChatMessage::Role::User, text);
    if (!messageId) {
        showBanner(tr("The message could not be saved: %1").arg(m_store->lastError()));
        return;
    }
    m_messages.append({*messageId, ChatMessage::Role::User, text});
    m_view->addMessage(ChatMessage::Role::User, text);
    m_input->clear();
    m_list->reload();
    m_list->select(m_conversationId);
    retranslate();
    startReply(false);
}

void ChatPane::stop()
{
    m_tracker->stop();
}

void ChatPane::regenerate()
{
    if (isBusy() || m_messages.isEmpty() || m_messages.last().role != ChatMessage::Role::Assistant)
        return;
    m_store->truncateFrom(m_conversationId, m_messages.last().id);
    m_messages.removeLast();
    m_view->removeLast();
    startReply(false);
}

void ChatPane::continueReply()
{
    if (isBusy() || m_messages.isEmpty() || m_messages.last().role != ChatMessage::Role::Assistant)
        return;
    startReply(true);
}

void ChatPane::editMessage(int index)
{
    if (index < 0 || index >= m_messages.size() || m_messages.at(index).role != ChatMessage::Role::User || isBusy())
        return;
    m_editingMessageId = m_messages.at(index).id;
    m_input->setPlainText(m_messages.at(index).content);
    m_input->setFocus();
    showBanner(tr("Editing a message: sending replaces it and every message after it."));
}

GenerationRequest ChatPane::buildRequest() const
{
    GenerationRequest request;
    const QString system = m_conversationId ? m_store->systemPrompt(m_conversationId) : QString();
    if (!system.isEmpty())
        request.messages.append({ChatMessage::Role::System, system});
    for (const auto& message : std::as_const(m_messages))
        request.messages.append({message.role, message.content});
    request.sampling = SamplingPresets::settingsFor(SamplingPresets::idAt(m_preset->currentIndex()));
    request.origin = GenerationRequest::Origin::Chat;
    request.tokenDetails = true; // for the probability view
    
    return request;
}

void ChatPane::startReply(bool continuing)
{
    m_banner->hide();
    m_continuing = continuing;
    if (continuing) {
        m_continueBase = m_messages.last().content;
        m_view->last()->setStreaming(true);
    } else {
        m_continueBase.clear();
        m_view->addMessage(ChatMessage::Role::Assistant, QString())->setStreaming(true);
    }
    m_tracker->start(buildRequest());
}

void ChatPane::onText(const QString& fullText)
{
    if (MessageWidget* reply = m_view->last()) {
        reply->setStreamingText(m_continueBase + fullText);
        m_view->followBottom();
    }
}

void ChatPane::onFinished(const GenerationStats& stats)
{
    MessageWidget* reply = m_view->last();
    const QString text = m_continueBase + m_tracker->text();
    if (reply) {
        reply->setStreamingText(text); // the same incremental rendering; no full re-render at the end
        reply->setStreaming(false);    // then code blocks are highlighted
        reply->setNotice(stats.cancelled ? tr("Stopped") : QString());
        if (!m_continuing)
            reply->setTokens(m_tracker->tokens());
    }
    if (m_continuing) {
        m_store->updateMessage(m_messages.last().id, text);
        m_messages[m_messages.size() - 1].content = text;
    } else if (!text.isEmpty()) {
        if (const auto id = m_store->appendMessage(m_conversationId, ChatMessage::Role::Assistant, text))
            m_messages.append({*id, ChatMessage::Role::Assistant, text});
    } else {
        m_view->removeLast(); // stopped before a single token: nothing to keep
    }
    m_continuing = false;
    m_view->updateLastReply();
    emit statsReady(stats);
}

void ChatPane::onFailed(const ServiceFailure& failure)
{
    if (m_continuing) {
        if (MessageWidget* reply = m_view->last()) {
            reply->setStreaming(false);
            reply->setText(m_continueBase);
        }
    } else {
        m_view->removeLast();
    }
    m_continuing = false;
    showBanner(FailureText::full(failure));
    emit failureOccurred(failure);
}

void ChatPane::showBanner(const QString& text)
{
    m_banner->setText(text);
    m_banner->setVisible(!text.isEmpty());
}

void ChatPane::editSystemPrompt()
{
    bool ok = false;
    const QString current = m_conversationId ? m_store->systemPrompt(m_conversationId) : QString();
    const QString prompt = QInputDialog::getMultiLineText(this, tr("System prompt"),
        tr("Instructions the model follows throughout this conversation:"), current, &ok);
    if (!ok)
        return;
    if (m_conversationId == 0) {
        const auto id = m_store->createConversation(tr("New conversation"));
        if (!id)
            return;
        m_conversationId = *id;
        m_list->reload();
        m_list->select(m_conversationId);
    }
    m_store->setSystemPrompt(m_conversationId, prompt);
}

bool ChatPane::eventFilter(QObject* watched, QEvent* event)
{
    // Enter sends, Shift+Enter adds a line; Ctrl+Enter is the window-wide send shortcut.
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && key->modifiers() == Qt::NoModifier) {
            submit();
            return true;
        }
    }
    return Pane::eventFilter(watched, event);
}

void ChatPane::retranslate()
{
    if (m_conversationId == 0) {
        m_title->setText(tr("New conversation"));
    } else {
        const auto all = m_store->conversations();
        for (const auto& c : all)
            if (c.id == m_conversationId)
                m_title->setText(c.title);
    }
    m_preset->setItemText(0, tr("Precise"));
    m_preset->setItemText(1, tr("Balanced"));
    m_preset->setItemText(2, tr("Creative"));
    m_preset->setToolTip(tr("Sampling preset for this conversation"));
    m_preset->setAccessibleName(tr("Sampling preset"));
    m_systemPrompt->setText(tr("System prompt…"));
    m_input->setPlaceholderText(tr("Message the model — Enter to send, Shift+Enter for a new line"));
    m_input->setAccessibleName(tr("Message"));
    m_send->setText(tr("Send"));
    m_send->setToolTip(tr("Send (Ctrl+Enter)"));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop the reply (Esc)"));
}
