#include "ModelBar.h"

#include "ChatService.h"
#include "SettingsKeys.h"

#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>

#include <algorithm>

namespace {
// "0.5 B" / "135 M": how model sizes are spoken of.
QString parameterText(qint64 count)
{
    if (count >= 1'000'000'000)
        return QLocale().toString(count / 1e9, 'f', 1) + QStringLiteral(" B");
    return QLocale().toString(count / 1e6, 'f', count >= 10'000'000 ? 0 : 1) + QStringLiteral(" M");
}
} // namespace

QString ModelBar::backendShortName(const QString& description)
{
    // "CPU · AVX2 · 2 threads" → "CPU · AVX2"; "Vulkan · <device> · 20/24 layers, …" →
    // "Vulkan · <device>" (Backend::description() puts the kind and the device or ISA first).
    const QString separator = QStringLiteral(" \u00b7 ");
    return description.section(separator, 0, 1);
}

ModelBar::ModelBar(ChatService* service, QWidget* parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("modelBar"));
    m_label = new QLabel(this);
    m_models = new QComboBox(this);
    m_models->setObjectName(QStringLiteral("modelCombo"));
    m_models->setMinimumContentsLength(28);
    m_models->setMaximumWidth(460);
    m_models->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_label->setBuddy(m_models);
    m_open = new QPushButton(this);
    m_open->setObjectName(QStringLiteral("modelOpen"));
    m_load = new QPushButton(this);
    m_load->setObjectName(QStringLiteral("modelLoad"));
    m_template = new QPushButton(this);
    m_template->setObjectName(QStringLiteral("modelChatTemplate"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("modelProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel = new QPushButton(this);
    m_cancel->setObjectName(QStringLiteral("modelCancelLoad"));
    m_cancel->hide();
    m_backend = new QLabel(this);
    m_backend->setObjectName(QStringLiteral("backendIndicator"));
    m_backend->setStyleSheet(QStringLiteral("QLabel { border: 1px solid palette(mid); border-radius: 8px; padding: 2px 8px; }"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_label);
    layout->addWidget(m_models, 1);
    layout->addWidget(m_load);
    layout->addWidget(m_open);
    layout->addWidget(m_template);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addStretch();
    layout->addWidget(m_backend);

    connect(m_open, &QPushButton::clicked, this, &ModelBar::openRequested);
    connect(m_template, &QPushButton::clicked, this, &ModelBar::chatTemplateRequested);
    connect(m_load, &QPushButton::clicked, this, &ModelBar::onLoadClicked);
    connect(m_cancel, &QPushButton::clicked, m_service, &ChatService::cancelLoad);
    connect(m_models, &QComboBox::activated, this, [this](int index) {
        const QString path = m_models->itemData(index).toString();
        if (!path.isEmpty() && path != m_service->modelInfo().path)
            load(path);
    });
    connect(m_service, &ChatService::modelLoadProgress, this, [this](double fraction) {
        m_progress->setValue(static_cast<int>(fraction * 1000));
    });
    connect(m_service, &ChatService::modelLoaded, this, [this](const ModelInfo&) {
        m_loading = false;
        updateState();
    });
    connect(m_service, &ChatService::modelLoadFailed, this, [this] {
        m_loading = false;
        updateState();
    });
    connect(m_service, &ChatService::modelUnloaded, this, &ModelBar::updateState);
    // Reading a long prompt: the same bar, with its text, until the first text or the end.
    connect(m_service, &ChatService::promptProgress, this, [this](RequestId id, double fraction) {
        if (m_loading)
            return;
        if (fraction >= 1.0) {
            endPromptProgress(id);
            return;
        }
        m_promptRequest = id;
        m_promptPercent = std::clamp(static_cast<int>(fraction * 100), 0, 99);
        m_progress->setValue(static_cast<int>(fraction * 1000));
        updateState();
    });
    connect(m_service, &ChatService::textReady, this, [this](RequestId id) { endPromptProgress(id); });
    connect(m_service, &ChatService::generationFinished, this, [this](RequestId id) { endPromptProgress(id); });
    connect(m_service, &ChatService::generationFailed, this, [this](RequestId id) { endPromptProgress(id); });
    fillRecent();
    retranslate();
}

void ModelBar::endPromptProgress(RequestId id)
{
    if (id == 0 || id != m_promptRequest)
        return;
    m_promptRequest = 0;
    updateState();
}

void ModelBar::load(const QString& path)
{
    rememberRecent(path);
    m_loading = true;
    m_promptRequest = 0;
    m_progress->setValue(0);
    updateState();
    m_service->loadModel(path);
}

QStringList ModelBar::recentModels() const
{
    return QSettings().value(SettingsKeys::recentModels).toStringList();
}

void ModelBar::rememberRecent(const QString& path)
{
    QStringList recent = recentModels();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > SettingsKeys::Defaults::maxRecentModels)
        recent.removeLast();
    QSettings settings;
    settings.setValue(SettingsKeys::recentModels, recent);
    settings.setValue(SettingsKeys::lastModel, path);
    fillRecent();
}

void ModelBar::fillRecent()
{
    const QSignalBlocker blocker(m_models);
    m_models->clear();
    for (const QString& path : recentModels())
        m_models->addItem(QFileInfo(path).fileName(), path);
    for (int i = 0; i < m_models->count(); ++i)
        m_models->setItemData(i, m_models->itemData(i), Qt::ToolTipRole);
    updateState();
}

void ModelBar::onLoadClicked()
{
    if (m_service->hasModel()) {
        m_service->unloadModel();
        updateState();
        return;
    }
    const QString path = m_models->currentData().toString();
    if (path.isEmpty())
        emit openRequested();
    else
        load(path);
}

void ModelBar::updateState()
{
    const bool loaded = m_service->hasModel();
    m_progress->setVisible(m_loading || m_promptRequest != 0);
    m_progress->setTextVisible(!m_loading && m_promptRequest != 0);
    m_cancel->setVisible(m_loading);
    m_load->setEnabled(!m_loading);
    m_template->setEnabled(loaded && !m_loading);
    m_models->setEnabled(!m_loading);
    if (loaded) {
        const int index = m_models->findData(m_service->modelInfo().path);
        if (index >= 0) {
            const QSignalBlocker blocker(m_models);
            m_models->setCurrentIndex(index);
        }
    }
    retranslate();
}

void ModelBar::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ModelBar::retranslate()
{
    m_label->setText(tr("&Model:"));
    m_models->setAccessibleName(tr("Recent models"));
    m_models->setPlaceholderText(tr("No model yet"));
    m_template->setText(tr("Chat Template…"));
    m_template->setToolTip(tr("See or change the chat format this model's prompts are written in"));
    m_open->setText(tr("Open GGUF…"));
    m_open->setToolTip(tr("Open a GGUF model file (Ctrl+O)"));
    m_load->setText(m_service->hasModel() ? tr("Unload") : tr("Load"));
    m_load->setToolTip(m_service->hasModel() ? tr("Free the memory the model uses") : tr("Load the selected model"));
    m_cancel->setText(tr("Cancel"));
    if (!m_loading && m_promptRequest != 0) {
        m_progress->setAccessibleName(tr("Prompt progress"));
        m_progress->setFormat(tr("Reading prompt… %1%").arg(m_promptPercent));
    } else {
        m_progress->setAccessibleName(tr("Loading progress"));
    }
    if (m_loading) {
        m_backend->setText(tr("Loading…"));
    } else if (m_service->hasModel()) {
        const ModelInfo info = m_service->modelInfo();
        m_backend->setText(backendShortName(info.backend));
        // The engine's full description (threads, a GPU/CPU split) and why the GPU was not
        // used stay in the tooltip, in the engine's English, like error details.
        QString tip = tr("%1 · %2 · %3 parameters · context %4")
                          .arg(info.name, info.architecture, parameterText(info.parameterCount),
                               QString::number(info.contextLength))
            + QLatin1Char('\n') + info.backend;
        if (!info.backendFallbackReason.isEmpty())
            tip += QLatin1Char('\n') + tr("No GPU used: %1").arg(info.backendFallbackReason);
        m_backend->setToolTip(tip);
    } else {
        m_backend->setText(tr("No model loaded"));
        m_backend->setToolTip(QString());
    }
}
