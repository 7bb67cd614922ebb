#pragma once
// Chat: the conversation sidebar, the conversation itself, and the input. Each message is
// written to the store as soon as it is complete; a reply is stored when it finishes or stops.

#include "ConversationStore.h"
#include "Pane.h"

class ChatView;
class ChatService;
class ConversationList;
class GenerationTracker;
class MessageWidget;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

class ChatPane : public Pane {
    Q_OBJECT
public:
    ChatPane(ChatService* service, ConversationStore* store, QWidget* parent = nullptr);

    void submit() override;
    void stop() override;
    void focusSearch() override;
    bool isBusy() const override;

    void newConversation();
    qint64 currentConversation() const { return m_conversationId; }
    void openConversation(qint64 id);
    void regenerate();
    void continueReply();
    void editMessage(int index);

protected:
    void retranslate() override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void startReply(bool continuing);
    void onText(const QString& fullText);
    void onFinished(const GenerationStats& stats);
    void onFailed(const ServiceFailure& failure);
    void showBanner(const QString& text);
    void editSystemPrompt();
    GenerationRequest buildRequest() const;
    void setBusy(bool busy);

    ChatService* m_service;
    ConversationStore* m_store;
    GenerationTracker* m_tracker;
    qint64 m_conversationId = 0;
    QList<StoredMessage> m_messages; // mirror of the store for the open conversation
    qint64 m_editingMessageId = 0;
    // A "continue" appends to the last reply instead of adding one.
    QString m_continueBase;
    bool m_continuing = false;

    ConversationList* m_list = nullptr;
    ChatView* m_view = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_title = nullptr;
    QComboBox* m_preset = nullptr;
    QPushButton* m_systemPrompt = nullptr;
    QPlainTextEdit* m_input = nullptr;
    QPushButton* m_send = nullptr;
    QPushButton* m_stop = nullptr;
};
