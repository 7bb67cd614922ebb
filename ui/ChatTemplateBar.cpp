#include "ChatTemplateBar.h"

#include "ChatService.h"
#include "ChatTemplateSettings.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

ChatTemplateBar::ChatTemplateBar(ChatService* service, QWidget* parent)
    : QWidget(parent)
    , m_service(service)
{
    setObjectName(QStringLiteral("chatTemplateBar"));
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(QStringLiteral("#chatTemplateBar { background: #fde7e9; border-bottom: 1px solid #e8a9b0; }"
                                 "#chatTemplateBar QLabel { color: #6b0010; }"));
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("chatTemplateBarText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_useBuiltin = new QPushButton(this);
    m_useBuiltin->setObjectName(QStringLiteral("chatTemplateBarUseBuiltin"));
    m_edit = new QPushButton(this);
    m_edit->setObjectName(QStringLiteral("chatTemplateBarEdit"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_useBuiltin);
    layout->addWidget(m_edit);
    hide();

    connect(m_useBuiltin, &QPushButton::clicked, this, &ChatTemplateBar::useBuiltinFormat);
    connect(m_edit, &QPushButton::clicked, this, &ChatTemplateBar::editRequested);
    connect(service, &ChatService::modelLoaded, this, &ChatTemplateBar::showModelState);
    connect(service, &ChatService::chatTemplateApplied, this, &ChatTemplateBar::showModelState);
    connect(service, &ChatService::modelUnloaded, this, &QWidget::hide);
    retranslate();
}

void ChatTemplateBar::showFailure(const ServiceFailure& failure)
{
    if (failure.kind != ServiceFailure::Kind::Template)
        return;
    m_detail = failure.detail;
    m_renderFailure = true;
    retranslate();
    show();
}

void ChatTemplateBar::useBuiltinFormat()
{
    const ChatTemplateOverride builtin{ChatTemplateOverride::Mode::Builtin, {}};
    ChatTemplateSettings::save(m_service->modelInfo().path, builtin);
    m_service->setChatTemplate(builtin);
    hide();
}

void ChatTemplateBar::showModelState(const ModelInfo& info)
{
    m_renderFailure = false;
    m_detail = info.templateProblem;
    if (m_detail.isEmpty()) {
        hide();
        return;
    }
    retranslate();
    show();
}

void ChatTemplateBar::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ChatTemplateBar::retranslate()
{
    // A template that does not parse is already replaced by the built-in format; one that fails
    // while rendering stops every request until the user chooses.
    m_text->setText(m_renderFailure
                        ? tr("The model's chat template failed: %1").arg(m_detail)
                        : tr("The chat template cannot be read, so the built-in format is used: %1").arg(m_detail));
    m_useBuiltin->setText(tr("Use the Built-in Format"));
    m_useBuiltin->setVisible(m_renderFailure);
    m_edit->setText(tr("Edit Template…"));
    m_useBuiltin->setAccessibleName(m_useBuiltin->text());
    m_edit->setAccessibleName(m_edit->text());
}
