#include "ChatTemplateDialog.h"

#include "ChatService.h"
#include "ChatTemplateSettings.h"

#include "chat/ChatTemplate.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {
QString builtinSource()
{
    return QString::fromStdString(engine::chat::fallbackTemplateSource());
}
} // namespace

ChatTemplateDialog::ChatTemplateDialog(ChatService* service, QWidget* parent)
    : QDialog(parent)
    , m_service(service)
    , m_info(service->modelInfo())
    , m_choice(ChatTemplateSettings::load(m_info.path))
{
    setObjectName(QStringLiteral("chatTemplateDialog"));
    setWindowTitle(tr("Chat Template — %1").arg(m_info.name.isEmpty() ? QFileInfo(m_info.path).fileName() : m_info.name));
    auto* intro = new QLabel(tr("The model's prompts are written in this Jinja format. Edit it if the model's own "
                                "template is broken; the change is kept for this model file only."), this);
    intro->setWordWrap(true);
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("chatTemplateState"));
    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(QStringLiteral("chatTemplateEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setAccessibleName(tr("Chat template"));
    m_editor->setTabChangesFocus(true);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("chatTemplateError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_error->hide();
    m_useModel = new QPushButton(tr("Use the &Model's Template"), this);
    m_useModel->setObjectName(QStringLiteral("chatTemplateUseModel"));
    m_useBuiltin = new QPushButton(tr("Use the &Built-in Format"), this);
    m_useBuiltin->setObjectName(QStringLiteral("chatTemplateUseBuiltin"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);

    auto* choices = new QHBoxLayout;
    choices->addWidget(m_useModel);
    choices->addWidget(m_useBuiltin);
    choices->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_state);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_error);
    layout->addLayout(choices);
    layout->addWidget(buttons);
    resize(720, 520);

    connect(m_useModel, &QPushButton::clicked, this,
            [this] { showTemplate(ChatTemplateOverride::Mode::Model, m_info.hasChatTemplate ? m_info.chatTemplate : builtinSource()); });
    connect(m_useBuiltin, &QPushButton::clicked, this, [this] { showTemplate(ChatTemplateOverride::Mode::Builtin, builtinSource()); });
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        if (m_settingText)
            return;
        m_choice.mode = ChatTemplateOverride::Mode::Custom;
        m_choice.source = m_editor->toPlainText();
        m_error->hide();
        updateState();
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &ChatTemplateDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    switch (m_choice.mode) {
    case ChatTemplateOverride::Mode::Custom: showTemplate(m_choice.mode, m_choice.source); break;
    case ChatTemplateOverride::Mode::Builtin: showTemplate(m_choice.mode, builtinSource()); break;
    case ChatTemplateOverride::Mode::Model:
        showTemplate(m_choice.mode, m_info.hasChatTemplate ? m_info.chatTemplate : builtinSource());
        break;
    }
    if (!m_info.templateProblem.isEmpty()) {
        m_error->setText(tr("This template does not work, so the built-in format is used: %1").arg(m_info.templateProblem));
        m_error->show();
    }
}

void ChatTemplateDialog::showTemplate(ChatTemplateOverride::Mode mode, const QString& text)
{
    m_choice.mode = mode;
    m_choice.source = mode == ChatTemplateOverride::Mode::Custom ? text : QString();
    m_settingText = true;
    m_editor->setPlainText(text);
    m_settingText = false;
    m_error->hide();
    updateState();
}

void ChatTemplateDialog::updateState()
{
    switch (m_choice.mode) {
    case ChatTemplateOverride::Mode::Model:
        m_state->setText(m_info.hasChatTemplate ? tr("In use: the template that comes with the model.")
                                                : tr("In use: the built-in format (the model has no template)."));
        break;
    case ChatTemplateOverride::Mode::Custom: m_state->setText(tr("In use: your edited template.")); break;
    case ChatTemplateOverride::Mode::Builtin: m_state->setText(tr("In use: the built-in plain format.")); break;
    }
    m_useModel->setEnabled(m_choice.mode != ChatTemplateOverride::Mode::Model);
    m_useBuiltin->setEnabled(m_choice.mode != ChatTemplateOverride::Mode::Builtin);
}

void ChatTemplateDialog::accept()
{
    if (m_choice.mode == ChatTemplateOverride::Mode::Custom) {
        // The model's own text, unchanged, is the model's template, not an override.
        if (m_info.hasChatTemplate && m_choice.source == m_info.chatTemplate) {
            m_choice = {};
        } else {
            auto parsed = engine::chat::ChatTemplate::fromSource(m_choice.source.toStdString(),
                                                                 engine::chat::ChatTemplate::Origin::UserOverride);
            if (!parsed) {
                m_error->setText(tr("The template cannot be read: %1").arg(QString::fromStdString(parsed.error().message())));
                m_error->show();
                return;
            }
        }
    }
    ChatTemplateSettings::save(m_info.path, m_choice);
    m_service->setChatTemplate(m_choice);
    QDialog::accept();
}
