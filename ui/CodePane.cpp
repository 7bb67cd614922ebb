#include "CodePane.h"

#include "CodeHighlighter.h"
#include "FailureText.h"
#include "GenerationTracker.h"
#include "Languages.h"
#include "SettingsKeys.h"
#include "TaskPrompts.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QVBoxLayout>

CodePane::CodePane(ChatService* service, QWidget* parent)
    : Pane(parent)
    , m_tracker(new GenerationTracker(service, this))
    , m_highlighter(CodeHighlighter::create(this))
{
    setObjectName(QStringLiteral("codePane"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_languageLabel = new QLabel(this);
    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("codeLanguage"));
    m_convertLabel = new QLabel(this);
    m_convertTo = new QComboBox(this);
    m_convertTo->setObjectName(QStringLiteral("codeConvertTo"));
    for (const auto& language : Languages::code()) {
        m_language->addItem(QLatin1String(language.name));
        m_convertTo->addItem(QLatin1String(language.name));
    }
    m_languageLabel->setBuddy(m_language);
    m_convertLabel->setBuddy(m_convertTo);
    const int saved = m_language->findText(QSettings().value(SettingsKeys::codeLanguage, QStringLiteral("Python")).toString());
    m_language->setCurrentIndex(std::max(0, saved));
    m_convertTo->setCurrentIndex(m_convertTo->findText(QStringLiteral("Rust")));

    m_task = new QPlainTextEdit(this);
    m_task->setObjectName(QStringLiteral("codeTask"));
    m_task->setTabChangesFocus(true);
    m_existing = new QPlainTextEdit(this);
    m_existing->setObjectName(QStringLiteral("codeExisting"));
    m_existing->setFont(mono);
    m_existing->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_existing->setTabChangesFocus(true);
    auto makeButton = [this](const char* name) {
        auto* b = new QPushButton(this);
        b->setObjectName(QLatin1String(name));
        return b;
    };
    m_generate = makeButton("codeGenerate");
    m_explain = makeButton("codeExplain");
    m_fix = makeButton("codeFix");
    m_tests = makeButton("codeTests");
    m_convert = makeButton("codeConvert");
    m_stop = makeButton("codeStop");
    m_stop->setEnabled(false);
    m_copy = makeButton("codeCopy");
    m_save = makeButton("codeSave");
    m_copy->setEnabled(false);
    m_save->setEnabled(false);
    m_result = new QTextBrowser(this);
    m_result->setObjectName(QStringLiteral("codeResult"));
    m_result->setFont(mono);
    m_result->setLineWrapMode(QTextEdit::NoWrap);
    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("codeBanner"));
    m_banner->setWordWrap(true);
    m_banner->hide();
    m_highlighterName = new QLabel(this);
    m_highlighterName->setObjectName(QStringLiteral("codeHighlighterName"));
    m_highlighterName->setEnabled(false);

    auto* languageRow = new QHBoxLayout;
    languageRow->addWidget(m_languageLabel);
    languageRow->addWidget(m_language);
    languageRow->addStretch();
    languageRow->addWidget(m_convertLabel);
    languageRow->addWidget(m_convertTo);
    auto* actions = new QGridLayout;
    actions->addWidget(m_generate, 0, 0);
    actions->addWidget(m_explain, 0, 1);
    actions->addWidget(m_fix, 0, 2);
    actions->addWidget(m_tests, 1, 0);
    actions->addWidget(m_convert, 1, 1);
    actions->addWidget(m_stop, 1, 2);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(languageRow);
    leftLayout->addWidget(m_task, 1);
    leftLayout->addWidget(m_existing, 2);
    leftLayout->addLayout(actions);
    auto* resultButtons = new QHBoxLayout;
    resultButtons->addWidget(m_highlighterName);
    resultButtons->addStretch();
    resultButtons->addWidget(m_copy);
    resultButtons->addWidget(m_save);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_result, 1);
    rightLayout->addWidget(m_banner);
    rightLayout->addLayout(resultButtons);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setSizes({420, 580});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);

    connect(m_generate, &QPushButton::clicked, this, [this] { run(Action::Generate); });
    connect(m_explain, &QPushButton::clicked, this, [this] { run(Action::Explain); });
    connect(m_fix, &QPushButton::clicked, this, [this] { run(Action::Fix); });
    connect(m_tests, &QPushButton::clicked, this, [this] { run(Action::AddTests); });
    connect(m_convert, &QPushButton::clicked, this, [this] { run(Action::Convert); });
    connect(m_stop, &QPushButton::clicked, this, &CodePane::stop);
    connect(m_copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_resultCode); });
    connect(m_save, &QPushButton::clicked, this, &CodePane::saveAs);
    connect(m_language, &QComboBox::currentTextChanged, this,
            [](const QString& name) { QSettings().setValue(SettingsKeys::codeLanguage, name); });
    connect(m_tracker, &GenerationTracker::textChanged, this, [this](const QString& text) {
        if (m_lastAction == Action::Explain)
            m_result->setMarkdown(text);
        else
            m_result->setPlainText(TaskPrompts::extractCode(text, resultLanguageName()));
    });
    connect(m_tracker, &GenerationTracker::finished, this, &CodePane::onFinished);
    connect(m_tracker, &GenerationTracker::failed, this, [this](const ServiceFailure& failure) {
        m_banner->setText(FailureText::full(failure));
        m_banner->show();
        emit failureOccurred(failure);
    });
    connect(m_tracker, &GenerationTracker::busyChanged, this, [this](bool busy) {
        for (QPushButton* b : {m_generate, m_explain, m_fix, m_tests, m_convert})
            b->setEnabled(!busy);
        m_stop->setEnabled(busy);
        emit busyChanged(busy);
    });
    connect(m_highlighter, &CodeHighlighter::highlighted, this, [this](quint64 ticket, const QString& html) {
        if (ticket != m_ticket)
            return; // an answer for older text
        m_result->setHtml(html);
        emit resultHighlighted();
    });
    retranslate();
}

bool CodePane::isBusy() const
{
    return m_tracker->isBusy();
}

void CodePane::submit()
{
    run(Action::Generate);
}

void CodePane::stop()
{
    m_tracker->stop();
}

void CodePane::run(Action action)
{
    const QString task = m_task->toPlainText();
    const QString existing = m_existing->toPlainText();
    if (action == Action::Generate ? task.trimmed().isEmpty() : existing.trimmed().isEmpty()) {
        m_banner->setText(action == Action::Generate ? tr("Describe the task first.")
                                                     : tr("Paste the code to work on into “Existing code” first."));
        m_banner->show();
        return;
    }
    m_banner->hide();
    m_lastAction = action;
    m_resultCode.clear();
    m_result->clear();
    m_copy->setEnabled(false);
    m_save->setEnabled(false);
    ++m_ticket;
    GenerationRequest request;
    request.messages = TaskPrompts::code(static_cast<TaskPrompts::CodeAction>(action), m_language->currentText(), task,
                                         existing, m_convertTo->currentText());
    request.origin = GenerationRequest::Origin::Code;
    request.sampling.temperature = 0.2;
    request.sampling.maxTokens = 2048;
    m_tracker->start(request);
}

int CodePane::resultLanguageIndex() const
{
    return m_lastAction == Action::Convert ? m_convertTo->currentIndex() : m_language->currentIndex();
}

QString CodePane::resultLanguageName() const
{
    return m_lastAction == Action::Convert ? m_convertTo->currentText() : m_language->currentText();
}

QString CodePane::suggestedExtension() const
{
    if (m_lastAction == Action::Explain)
        return QStringLiteral("md");
    return QLatin1String(Languages::code().at(resultLanguageIndex()).extension);
}

void CodePane::onFinished(const GenerationStats& stats)
{
    emit statsReady(stats);
    const QString text = m_tracker->text();
    m_resultCode = m_lastAction == Action::Explain ? text : TaskPrompts::extractCode(text, resultLanguageName());
    m_copy->setEnabled(!m_resultCode.isEmpty());
    m_save->setEnabled(!m_resultCode.isEmpty());
    if (m_lastAction != Action::Explain && !m_resultCode.isEmpty())
        m_highlighter->highlight(m_ticket, m_resultCode, QLatin1String(Languages::code().at(resultLanguageIndex()).syntax));
}

bool CodePane::saveTo(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_resultCode.toUtf8()) < 0 || !file.commit()) {
        m_banner->setText(tr("Could not save %1: %2").arg(path, file.errorString()));
        m_banner->show();
        return false;
    }
    return true;
}

void CodePane::saveAs()
{
    const QString extension = suggestedExtension();
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString name = m_lastAction == Action::AddTests ? QStringLiteral("test_code.") : QStringLiteral("code.");
    QString path = QFileDialog::getSaveFileName(this, tr("Save code"), dir + QLatin1Char('/') + name + extension,
                                                tr("%1 files (*.%2);;All files (*)").arg(extension.toUpper(), extension));
    if (path.isEmpty())
        return;
    if (!path.contains(QLatin1Char('.')))
        path += QLatin1Char('.') + extension;
    saveTo(path);
}

void CodePane::retranslate()
{
    m_languageLabel->setText(tr("&Language:"));
    m_convertLabel->setText(tr("Convert &to:"));
    m_task->setPlaceholderText(tr("Describe what the code should do (Ctrl+Enter generates)"));
    m_task->setAccessibleName(tr("Task"));
    m_existing->setPlaceholderText(tr("Existing code (optional): paste code to explain, fix, test or convert"));
    m_existing->setAccessibleName(tr("Existing code"));
    m_generate->setText(tr("Generate"));
    m_explain->setText(tr("Explain"));
    m_fix->setText(tr("Fix"));
    m_tests->setText(tr("Add tests"));
    m_convert->setText(tr("Convert"));
    m_stop->setText(tr("Stop"));
    m_copy->setText(tr("Copy"));
    m_save->setText(tr("Save As…"));
    m_result->setAccessibleName(tr("Result"));
    m_result->setPlaceholderText(tr("The result appears here"));
    m_highlighterName->setText(tr("Highlighting: %1").arg(m_highlighter->name()));
}
