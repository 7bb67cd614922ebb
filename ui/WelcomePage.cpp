#include "WelcomePage.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("welcomePage"));
    m_title = new QLabel(this);
    QFont font = m_title->font();
    font.setPointSizeF(font.pointSizeF() * 1.8);
    font.setBold(true);
    m_title->setFont(font);
    m_body = new QLabel(this);
    m_body->setWordWrap(true);
    m_body->setTextFormat(Qt::RichText);
    m_body->setOpenExternalLinks(true);
    m_body->setMaximumWidth(640);
    m_open = new QPushButton(this);
    m_open->setObjectName(QStringLiteral("welcomeOpen"));
    m_open->setDefault(true);
    m_skip = new QPushButton(this);
    m_skip->setObjectName(QStringLiteral("welcomeSkip"));
    m_skip->setFlat(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_open);
    buttons->addWidget(m_skip);
    buttons->addStretch();
    auto* column = new QVBoxLayout;
    column->addWidget(m_title);
    column->addSpacing(8);
    column->addWidget(m_body);
    column->addSpacing(12);
    column->addLayout(buttons);
    auto* outer = new QHBoxLayout(this);
    outer->addStretch();
    auto* centre = new QVBoxLayout;
    centre->addStretch();
    centre->addLayout(column);
    centre->addStretch(2);
    outer->addLayout(centre);
    outer->addStretch();

    connect(m_open, &QPushButton::clicked, this, &WelcomePage::openRequested);
    connect(m_skip, &QPushButton::clicked, this, &WelcomePage::skipRequested);
    retranslate();
}

void WelcomePage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void WelcomePage::retranslate()
{
    m_title->setText(tr("Welcome to Inkstone"));
    m_body->setText(tr(
        "<p>Inkstone chats, drafts, translates and writes code with language models that run entirely "
        "on this computer. Nothing you type leaves it.</p>"
        "<p>To begin, Inkstone needs a model file in <b>GGUF</b> format — the kind llama.cpp, Ollama "
        "and LM Studio use:</p>"
        "<ol><li>On Hugging Face, search for a model name followed by “GGUF”, for example "
        "<i>Qwen2.5-0.5B-Instruct-GGUF</i> (small and quick) or <i>Qwen2.5-7B-Instruct-GGUF</i> "
        "(better answers, needs about 6 GB of memory).</li>"
        "<li>Download one <code>.gguf</code> file; <code>Q4_K_M</code> is a good balance of size and quality.</li>"
        "<li>Open it here. Inkstone remembers it for next time.</li></ol>"));
    m_open->setText(tr("Open a GGUF model…"));
    m_skip->setText(tr("Look around first"));
}
