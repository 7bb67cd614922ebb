#pragma once
// The strip above the panes: which model is loaded, recent models, Open…, Load/Unload, the
// loading progress (with cancel), the progress of reading a long prompt ("Reading prompt… 42%")
// and the backend indicator ("CPU · AVX2" or "Vulkan · <device>"; the full description in its
// tooltip).

#include "ServiceTypes.h"

#include <QWidget>

class ChatService;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

class ModelBar : public QWidget {
    Q_OBJECT
public:
    ModelBar(ChatService* service, QWidget* parent = nullptr);

    // Loads a model and remembers it among the recent ones.
    void load(const QString& path);
    QStringList recentModels() const;
    // The indicator's text: the kind and the device or ISA of an engine backend description.
    static QString backendShortName(const QString& description);

signals:
    void openRequested();
    void chatTemplateRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void rememberRecent(const QString& path);
    void fillRecent();
    void updateState();
    void onLoadClicked();
    void endPromptProgress(RequestId id);

    ChatService* m_service;
    bool m_loading = false;
    RequestId m_promptRequest = 0; // the request whose prompt reading the bar shows, or 0
    int m_promptPercent = 0;
    QLabel* m_label = nullptr;
    QComboBox* m_models = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_load = nullptr;
    QPushButton* m_template = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_backend = nullptr;
};
