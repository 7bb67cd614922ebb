#pragma once
// Preferences (Ctrl+,): engine, sampling defaults, appearance and data folder. It reads and
// writes QSettings through SettingsKeys only; the window applies what changed (appearance at
// once; threads, context, backend, device and GPU layers at the next model load).

#include "GpuSupport.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
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
    // Automatic, the devices found, and a stored device that is not there now (kept, marked).
    void fillDevices(const QString& selected);
    void updateGpuControls();

    QTabWidget* m_tabs = nullptr;
    QSpinBox* m_threads = nullptr;
    QSpinBox* m_context = nullptr;
    QComboBox* m_overflow = nullptr;
    QComboBox* m_backend = nullptr;
    QComboBox* m_device = nullptr;
    QSpinBox* m_gpuLayers = nullptr;
    QLabel* m_gpuNote = nullptr;
    QList<GpuDevice> m_devices; // listed once, when the dialog opens
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
