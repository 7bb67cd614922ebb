#pragma once
// Preferences (Ctrl+,): engine, sampling defaults, appearance and data folder. It reads and
// writes QSettings through SettingsKeys only; the window applies what changed.

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QTabWidget;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    void load();
    void save() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    QWidget* buildEnginePage();
    QWidget* buildSamplingPage();
    QWidget* buildAppearancePage();

    QTabWidget* m_tabs = nullptr;
    QSpinBox* m_threads = nullptr;
    QSpinBox* m_context = nullptr;
    QComboBox* m_overflow = nullptr;
    QComboBox* m_backend = nullptr;
    QLineEdit* m_device = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_topK = nullptr;
    QDoubleSpinBox* m_topP = nullptr;
    QDoubleSpinBox* m_minP = nullptr;
    QSpinBox* m_maxTokens = nullptr;
    QComboBox* m_theme = nullptr;
    QComboBox* m_language = nullptr;
    QSpinBox* m_fontSize = nullptr;
    QLineEdit* m_dataFolder = nullptr;
    QList<QPair<QWidget*, const char*>> m_labels; // form labels, retranslated by source text
};
