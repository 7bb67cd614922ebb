#pragma once
// The inline notice shown above the panes when the model's chat template fails: the error, and
// "Use the built-in format" (stored for this model file, applied at once) or "Edit template…".

#include "ServiceTypes.h"

#include <QWidget>

class ChatService;
class QLabel;
class QPushButton;

class ChatTemplateBar : public QWidget {
    Q_OBJECT
public:
    ChatTemplateBar(ChatService* service, QWidget* parent = nullptr);

    // A generation failed; Template failures are shown, others ignored.
    void showFailure(const ServiceFailure& failure);
    void useBuiltinFormat();

signals:
    void editRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void showModelState(const ModelInfo& info);
    void retranslate();

    ChatService* m_service;
    QString m_detail;
    bool m_renderFailure = false; // true: a generation failed; false: the template did not parse
    QLabel* m_text = nullptr;
    QPushButton* m_useBuiltin = nullptr;
    QPushButton* m_edit = nullptr;
};
