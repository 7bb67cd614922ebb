#include "SettingsDialog.h"

#include "SettingsKeys.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

namespace K = SettingsKeys;

namespace {
// Form rows are labelled with QT_TR_NOOP texts so retranslate() can find them again.
QLabel* addRow(QFormLayout* form, const char* text, QWidget* field, QList<QPair<QWidget*, const char*>>& labels)
{
    auto* label = new QLabel;
    label->setBuddy(field);
    form->addRow(label, field);
    labels.append({label, text});
    return label;
}
} // namespace

SettingsDialog::SettingsDialog(QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("settingsDialog"));
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildEnginePage(), QString());
    m_tabs->addTab(buildSamplingPage(), QString());
    m_tabs->addTab(buildAppearancePage(), QString());
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
    retranslate();
    load();
}

QWidget* SettingsDialog::buildEnginePage()
{
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    m_threads = new QSpinBox;
    m_threads->setObjectName(QStringLiteral("settingsThreads"));
    m_threads->setRange(0, std::max(1, QThread::idealThreadCount() * 2));
    addRow(form, QT_TR_NOOP("CPU threads:"), m_threads, m_labels);
    m_context = new QSpinBox;
    m_context->setObjectName(QStringLiteral("settingsContext"));
    m_context->setRange(512, 131072);
    m_context->setSingleStep(512);
    addRow(form, QT_TR_NOOP("Context size (tokens):"), m_context, m_labels);
    m_overflow = new QComboBox;
    m_overflow->setObjectName(QStringLiteral("settingsOverflow"));
    m_overflow->addItem(QString(), QStringLiteral("truncateMiddle"));
    m_overflow->addItem(QString(), QStringLiteral("stop"));
    addRow(form, QT_TR_NOOP("When the context is full:"), m_overflow, m_labels);
    m_backend = new QComboBox;
    m_backend->setObjectName(QStringLiteral("settingsBackend"));
    m_backend->addItem(QString(), QStringLiteral("auto"));
    m_backend->addItem(QString(), QStringLiteral("cpu"));
    m_backend->addItem(QString(), QStringLiteral("vulkan"));
    addRow(form, QT_TR_NOOP("Backend:"), m_backend, m_labels);
    m_device = new QComboBox;
    m_device->setObjectName(QStringLiteral("settingsDevice"));
    addRow(form, QT_TR_NOOP("GPU device:"), m_device, m_labels);
    m_gpuLayers = new QSpinBox;
    m_gpuLayers->setObjectName(QStringLiteral("settingsGpuLayers"));
    m_gpuLayers->setRange(-1, 999); // -1 is the automatic choice (the special value text)
    addRow(form, QT_TR_NOOP("Layers on the GPU:"), m_gpuLayers, m_labels);
    m_gpuNote = new QLabel;
    m_gpuNote->setObjectName(QStringLiteral("settingsGpuNote"));
    m_gpuNote->setWordWrap(true);
    form->addRow(m_gpuNote);
    m_devices = GpuSupport::devices();
    connect(m_backend, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateGpuControls);
    return page;
}

QWidget* SettingsDialog::buildSamplingPage()
{
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    m_temperature = new QDoubleSpinBox;
    m_temperature->setObjectName(QStringLiteral("settingsTemperature"));
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.05);
    addRow(form, QT_TR_NOOP("Temperature:"), m_temperature, m_labels);
    m_topK = new QSpinBox;
    m_topK->setObjectName(QStringLiteral("settingsTopK"));
    m_topK->setRange(0, 1000);
    addRow(form, QT_TR_NOOP("Top-K:"), m_topK, m_labels);
    m_topP = new QDoubleSpinBox;
    m_topP->setObjectName(QStringLiteral("settingsTopP"));
    m_topP->setRange(0.0, 1.0);
    m_topP->setSingleStep(0.01);
    addRow(form, QT_TR_NOOP("Top-P:"), m_topP, m_labels);
    m_minP = new QDoubleSpinBox;
    m_minP->setObjectName(QStringLiteral("settingsMinP"));
    m_minP->setRange(0.0, 1.0);
    m_minP->setSingleStep(0.01);
    addRow(form, QT_TR_NOOP("Min-P:"), m_minP, m_labels);
    m_maxTokens = new QSpinBox;
    m_maxTokens->setObjectName(QStringLiteral("settingsMaxTokens"));
    m_maxTokens->setRange(16, 32768);
    addRow(form, QT_TR_NOOP("Longest reply (tokens):"), m_maxTokens, m_labels);
    return page;
}

QWidget* SettingsDialog::buildAppearancePage()
{
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    m_theme = new QComboBox;
    m_theme->setObjectName(QStringLiteral("settingsTheme"));
    m_theme->addItem(QString(), QStringLiteral("system"));
    m_theme->addItem(QString(), QStringLiteral("light"));
    m_theme->addItem(QString(), QStringLiteral("dark"));
    addRow(form, QT_TR_NOOP("Theme:"), m_theme, m_labels);
    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("settingsLanguage"));
    m_language->addItem(QString(), QStringLiteral("system"));
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    addRow(form, QT_TR_NOOP("Language:"), m_language, m_labels);
    m_fontSize = new QSpinBox;
    m_fontSize->setObjectName(QStringLiteral("settingsFontSize"));
    m_fontSize->setRange(0, 32);
    addRow(form, QT_TR_NOOP("Font size:"), m_fontSize, m_labels);
    m_dataFolder = new QLineEdit;
    m_dataFolder->setObjectName(QStringLiteral("settingsDataFolder"));
    auto* browse = new QPushButton;
    browse->setObjectName(QStringLiteral("settingsBrowseData"));
    m_labels.append({browse, QT_TR_NOOP("Browse…")});
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data folder"), m_dataFolder->text());
        if (!dir.isEmpty())
            m_dataFolder->setText(dir);
    });
    auto* row = new QWidget;
    auto* rowLayout = new QHBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    rowLayout->addWidget(m_dataFolder, 1);
    rowLayout->addWidget(browse);
    addRow(form, QT_TR_NOOP("Data folder:"), row, m_labels);
    return page;
}

void SettingsDialog::load()
{
    const QSettings s;
    auto selectData = [](QComboBox* box, const QString& value) {
        const int index = box->findData(value);
        box->setCurrentIndex(index >= 0 ? index : 0);
    };
    m_threads->setValue(s.value(K::threads, K::Defaults::threads).toInt());
    m_context->setValue(s.value(K::contextSize, K::Defaults::contextSize).toInt());
    selectData(m_overflow, s.value(K::contextOverflow, QStringLiteral("truncateMiddle")).toString());
    selectData(m_backend, s.value(K::backend, K::Defaults::backend).toString());
    fillDevices(s.value(K::device).toString());
    m_gpuLayers->setValue(s.value(K::gpuLayers, K::Defaults::gpuLayers).toInt());
    updateGpuControls();
    m_temperature->setValue(s.value(K::temperature, K::Defaults::temperature).toDouble());
    m_topK->setValue(s.value(K::topK, K::Defaults::topK).toInt());
    m_topP->setValue(s.value(K::topP, K::Defaults::topP).toDouble());
    m_minP->setValue(s.value(K::minP, K::Defaults::minP).toDouble());
    m_maxTokens->setValue(s.value(K::maxTokens, K::Defaults::maxTokens).toInt());
    selectData(m_theme, s.value(K::theme, QStringLiteral("system")).toString());
    selectData(m_language, s.value(K::language, QStringLiteral("system")).toString());
    m_fontSize->setValue(s.value(K::fontSize, 0).toInt());
    m_dataFolder->setText(s.value(K::dataFolder).toString());
}

void SettingsDialog::save() const
{
    QSettings s;
    s.setValue(K::threads, m_threads->value());
    s.setValue(K::contextSize, m_context->value());
    s.setValue(K::contextOverflow, m_overflow->currentData());
    s.setValue(K::backend, m_backend->currentData());
    s.setValue(K::device, m_device->currentData().toString());
    s.setValue(K::gpuLayers, m_gpuLayers->value());
    s.setValue(K::temperature, m_temperature->value());
    s.setValue(K::topK, m_topK->value());
    s.setValue(K::topP, m_topP->value());
    s.setValue(K::minP, m_minP->value());
    s.setValue(K::maxTokens, m_maxTokens->value());
    s.setValue(K::theme, m_theme->currentData());
    s.setValue(K::language, m_language->currentData());
    s.setValue(K::fontSize, m_fontSize->value());
    s.setValue(K::dataFolder, m_dataFolder->text().trimmed());
}

void SettingsDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void SettingsDialog::retranslate()
{
    setWindowTitle(tr("Settings"));
    m_tabs->setTabText(0, tr("Engine"));
    m_tabs->setTabText(1, tr("Sampling"));
    m_tabs->setTabText(2, tr("Appearance"));
    for (const auto& [widget, text] : std::as_const(m_labels)) {
        if (auto* label = qobject_cast<QLabel*>(widget))
            label->setText(tr(text));
        else if (auto* button = qobject_cast<QPushButton*>(widget))
            button->setText(tr(text));
    }
    m_threads->setSpecialValueText(tr("Automatic"));
    m_fontSize->setSpecialValueText(tr("System default"));
    m_overflow->setItemText(0, tr("Drop the oldest messages, keep the system prompt"));
    m_overflow->setItemText(1, tr("Stop and tell me"));
    m_backend->setItemText(0, tr("Automatic (GPU when available)"));
    m_backend->setItemText(1, tr("CPU only"));
    m_backend->setItemText(2, tr("Vulkan GPU"));
    fillDevices(m_device->currentData().toString());
    m_gpuLayers->setSpecialValueText(tr("Automatic (as many as fit)"));
    m_gpuLayers->setToolTip(tr("The first layers run on the GPU and the rest on the CPU; 0 runs everything on the CPU"));
    updateGpuControls();
    m_theme->setItemText(0, tr("Follow the system"));
    m_theme->setItemText(1, tr("Light"));
    m_theme->setItemText(2, tr("Dark"));
    m_language->setItemText(0, tr("Follow the system"));
    m_dataFolder->setPlaceholderText(tr("Default (the XDG data folder)"));
}

void SettingsDialog::fillDevices(const QString& selected)
{
    auto kindText = [](const QString& kind) {
        if (kind == QLatin1String("discrete"))
            return tr("dedicated GPU");
        if (kind == QLatin1String("integrated"))
            return tr("integrated GPU");
        if (kind == QLatin1String("virtual"))
            return tr("virtual GPU");
        if (kind == QLatin1String("cpu"))
            return tr("runs on the CPU, slow");
        return tr("other device");
    };
    m_device->clear();
    m_device->addItem(tr("Automatic (a dedicated GPU first)"), QString());
    auto* items = qobject_cast<QStandardItemModel*>(m_device->model());
    bool found = selected.isEmpty();
    for (const GpuDevice& device : std::as_const(m_devices)) {
        QString text = tr("%1 (%2, %3)").arg(device.name, kindText(device.kind), QLocale().formattedDataSize(device.memoryBytes, 1));
        if (!device.problem.isEmpty())
            text = tr("%1 — cannot be used").arg(text);
        m_device->addItem(text, device.name);
        if (!device.problem.isEmpty()) {
            // Listed so the user sees it was found, not chosen: the driver's reason is the tooltip.
            m_device->setItemData(m_device->count() - 1, device.problem, Qt::ToolTipRole);
            if (items)
                items->item(m_device->count() - 1)->setEnabled(false);
        }
        found = found || device.name == selected;
    }
    if (!found) // a GPU that is gone for now (an eGPU unplugged): kept, so saving does not forget it
        m_device->addItem(tr("%1 (not found now)").arg(selected), selected);
    const int index = m_device->findData(selected);
    m_device->setCurrentIndex(index >= 0 ? index : 0);
}

void SettingsDialog::updateGpuControls()
{
    const bool gpu = GpuSupport::available();
    const bool usesGpu = gpu && m_backend->currentData().toString() != QLatin1String("cpu");
    m_backend->setEnabled(gpu);
    m_device->setEnabled(usesGpu);
    m_gpuLayers->setEnabled(usesGpu);
    QString note = tr("Backend, GPU device and layers take effect the next time a model is loaded.");
    if (!gpu)
        note = tr("This build of Inkstone has no GPU support: models run on the CPU.");
    else if (m_devices.isEmpty())
        note += QLatin1Char('\n') + tr("No Vulkan device was found, so models run on the CPU.");
    m_gpuNote->setText(note);
}
