#pragma once
// "Chat template…": the current model's chat template, which the user can edit or replace
// (stored per model file), reset to the model's own, or swap for the built-in plain format.

#include "ServiceTypes.h"

#include <QDialog>

class ChatService;
class QLabel;
class QPlainTextEdit;
class QPushButton;

class ChatTemplateDialog : public QDialog {
    Q_OBJECT
public:
    ChatTemplateDialog(ChatService* service, QWidget* parent = nullptr);

    ChatTemplateOverride choice() const { return m_choice; }
    // Stores the choice for the model file and applies it (the dialog's OK does this).
    void accept() override;

private:
    void showTemplate(ChatTemplateOverride::Mode mode, const QString& text);
    void updateState();

    ChatService* m_service;
    ModelInfo m_info;
    ChatTemplateOverride m_choice;
    bool m_settingText = false;
    QLabel* m_state = nullptr;
    QLabel* m_error = nullptr;
    QPlainTextEdit* m_editor = nullptr;
    QPushButton* m_useModel = nullptr;
    QPushButton* m_useBuiltin = nullptr;
};
