#pragma once
// The "Chat & Write" pane: a Chat / Write switch over the two modes, which keeps each mode's
// state while the other is shown. The window's shortcuts go to the mode on screen.

#include "Pane.h"

class ChatPane;
class ChatService;
class ConversationStore;
class QButtonGroup;
class QStackedWidget;
class QToolButton;
class WritePane;

class ChatWritePane : public Pane {
    Q_OBJECT
public:
    ChatWritePane(ChatService* service, ConversationStore* store, QWidget* parent = nullptr);

    void submit() override;
    void stop() override;
    void focusSearch() override;
    bool isBusy() const override;

    ChatPane* chat() const { return m_chat; }
    WritePane* write() const { return m_write; }
    void showWrite(bool write);
    void newConversation();

protected:
    void retranslate() override;

private:
    Pane* current() const;

    ChatPane* m_chat;
    WritePane* m_write;
    QStackedWidget* m_stack = nullptr;
    QToolButton* m_chatButton = nullptr;
    QToolButton* m_writeButton = nullptr;
};
