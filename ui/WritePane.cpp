#include "WritePane.h"

#include "ConversationStore.h"
#include "FailureText.h"
#include "GenerationTracker.h"
#include "WordDiff.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSaveFile>
#include <QSplitter>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTextDocumentWriter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using TaskPrompts::WriteAction;

namespace {
const char* const kTones[] = {QT_TRANSLATE_NOOP("WritePane", "formal"), QT_TRANSLATE_NOOP("WritePane", "friendly"),
                              QT_TRANSLATE_NOOP("WritePane", "confident"), QT_TRANSLATE_NOOP("WritePane", "plain and simple")};
}

WritePane::WritePane(ChatService* service, ConversationStore* store, QWidget* parent)
    : Pane(parent)
    , m_tracker(new GenerationTracker(service, this))
    , m_store(store)
{
    setObjectName(QStringLiteral("writePane"));
    auto makeTool = [this](const char* name) {
        auto* b = new QToolButton(this);
        b->setObjectName(QLatin1String(name));
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        return b;
    };
    m_new = makeTool("writeNew");
    m_open = makeTool("writeOpen");
    m_recent = makeTool("writeRecent");
    m_recent->setPopupMode(QToolButton::InstantPopup);
    m_recent->setMenu(new QMenu(m_recent));
    connect(m_recent->menu(), &QMenu::aboutToShow, this, &WritePane::fillRecentMenu);
    m_save = makeTool("writeSave");
    m_saveAs = makeTool("writeSaveAs");
    m_export = makeTool("writeExport");
    m_actions = new QComboBox(this);
    m_actions->setObjectName(QStringLiteral("writeAction"));
    for (int i = 0; i < 7; ++i)
        m_actions->addItem(QString());
    m_actions->setCurrentIndex(static_cast<int>(WriteAction::Rewrite));
    m_tone = new QComboBox(this);
    m_tone->setObjectName(QStringLiteral("writeTone"));
    for (const char* tone : kTones)
        m_tone->addItem(QString(), QLatin1String(tone));
    m_apply = new QPushButton(this);
    m_apply->setObjectName(QStringLiteral("writeApply"));

    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(QStringLiteral("writeEditor"));
    m_preview = new QTextBrowser(this);
    m_preview->setObjectName(QStringLiteral("writePreview"));
    m_preview->setOpenExternalLinks(true);

    m_suggestionPanel = new QFrame(this);
    m_suggestionPanel->setObjectName(QStringLiteral("writeSuggestion"));
    m_suggestionPanel->setFrameShape(QFrame::StyledPanel);
    m_suggestionLabel = new QLabel(m_suggestionPanel);
    m_diff = new QTextBrowser(m_suggestionPanel);
    m_diff->setObjectName(QStringLiteral("writeDiff"));
    m_accept = new QPushButton(m_suggestionPanel);
    m_accept->setObjectName(QStringLiteral("writeAccept"));
    m_reject = new QPushButton(m_suggestionPanel);
    m_reject->setObjectName(QStringLiteral("writeReject"));
    m_stop = new QPushButton(m_suggestionPanel);
    m_stop->setObjectName(QStringLiteral("writeStop"));
    auto* suggestionButtons = new QHBoxLayout;
    suggestionButtons->addWidget(m_suggestionLabel, 1);
    suggestionButtons->addWidget(m_stop);
    suggestionButtons->addWidget(m_reject);
    suggestionButtons->addWidget(m_accept);
    auto* suggestionLayout = new QVBoxLayout(m_suggestionPanel);
    suggestionLayout->addLayout(suggestionButtons);
    suggestionLayout->addWidget(m_diff);
    m_suggestionPanel->hide();
    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("writeBanner"));
    m_banner->setWordWrap(true);
    m_banner->hide();

    auto* toolbar = new QHBoxLayout;
    for (QToolButton* b : {m_new, m_open, m_recent, m_save, m_saveAs, m_export})
        toolbar->addWidget(b);
    toolbar->addStretch();
    toolbar->addWidget(m_actions);
    toolbar->addWidget(m_tone);
    toolbar->addWidget(m_apply);
    auto* editors = new QSplitter(this);
    editors->addWidget(m_editor);
    editors->addWidget(m_preview);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(toolbar);
    layout->addWidget(editors, 3);
    layout->addWidget(m_banner);
    layout->addWidget(m_suggestionPanel, 2);

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(250);
    m_autosaveTimer = new QTimer(this);
    m_autosaveTimer->setSingleShot(true);
    m_autosaveTimer->setInterval(2000);
    connect(m_previewTimer, &QTimer::timeout, this, &WritePane::updatePreview);
    connect(m_autosaveTimer, &QTimer::timeout, this, &WritePane::autosave);
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        m_previewTimer->start();
        m_autosaveTimer->start();
    });
    connect(m_new, &QToolButton::clicked, this, &WritePane::newDocument);
    connect(m_open, &QToolButton::clicked, this, &WritePane::openDocument);
    connect(m_save, &QToolButton::clicked, this, &WritePane::save);
    connect(m_saveAs, &QToolButton::clicked, this, &WritePane::saveAs);
    connect(m_export, &QToolButton::clicked, this, &WritePane::exportAs);
    connect(m_apply, &QPushButton::clicked, this, &WritePane::submit);
    connect(m_actions, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_tone->setVisible(index == static_cast<int>(WriteAction::ChangeTone)); });
    connect(m_accept, &QPushButton::clicked, this, &WritePane::acceptSuggestion);
    connect(m_reject, &QPushButton::clicked, this, &WritePane::rejectSuggestion);
    connect(m_stop, &QPushButton::clicked, this, &WritePane::stop);
    connect(m_tracker, &GenerationTracker::textChanged, this, &WritePane::onText);
    connect(m_tracker, &GenerationTracker::finished, this, &WritePane::onFinished);
    connect(m_tracker, &GenerationTracker::failed, this, [this](const ServiceFailure& failure) {
        showSuggestionPanel(false);
        m_banner->setText(FailureText::full(failure));
        m_banner->show();
        emit failureOccurred(failure);
    });
    connect(m_tracker, &GenerationTracker::busyChanged, this, [this](bool busy) {
        m_apply->setEnabled(!busy);
        m_stop->setVisible(busy);
        m_accept->setEnabled(!busy);
        emit busyChanged(busy);
    });

    m_tone->hide();
    QFile draft(autosavePath());
    if (draft.open(QIODevice::ReadOnly))
        m_editor->setPlainText(QString::fromUtf8(draft.readAll()));
    retranslate();
    updatePreview();
}

QString WritePane::autosavePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/drafts/autosave.md");
}

bool WritePane::isBusy() const
{
    return m_tracker->isBusy();
}

void WritePane::submit()
{
    apply(static_cast<WriteAction>(m_actions->currentIndex()));
}

void WritePane::stop()
{
    m_tracker->stop();
}

void WritePane::apply(WriteAction action)
{
    QTextCursor cursor = m_editor->textCursor();
    if (!cursor.hasSelection()) {
        if (action == WriteAction::Continue) {
            cursor.movePosition(QTextCursor::End);
        } else {
            // Without a selection the action applies to the whole document.
            cursor.select(QTextCursor::Document);
        }
    }
    m_selectionStart = cursor.selectionStart();
    m_selectionEnd = cursor.selectionEnd();
    // QTextCursor uses U+2029 between paragraphs; the model and the diff want plain newlines.
    m_original = cursor.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    // Continue reads the text before the cursor; the other actions get the paragraphs around the
    // selection as context.
    const QString before = m_editor->toPlainText().left(m_selectionEnd).right(4000);
    QTextCursor around = cursor;
    around.setPosition(m_selectionStart);
    around.movePosition(QTextCursor::StartOfBlock);
    around.setPosition(m_selectionEnd, QTextCursor::KeepAnchor);
    around.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    const QString paragraph = around.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n')).right(4000);
    if (action != WriteAction::Continue && m_original.trimmed().isEmpty()) {
        m_banner->setText(tr("Write or select some text first."));
        m_banner->show();
        return;
    }
    m_action = action;
    m_banner->hide();
    GenerationRequest request;
    request.messages = action == WriteAction::Continue
        ? TaskPrompts::write(action, before, QString())
        : TaskPrompts::write(action, m_original, paragraph, m_tone->currentData().toString());
    request.origin = GenerationRequest::Origin::Write;
    request.sampling.maxTokens = 1024;
    m_diff->clear();
    showSuggestionPanel(true);
    m_tracker->start(request);
}

void WritePane::onText(const QString& text)
{
    if (m_action == WriteAction::Continue)
        m_diff->setHtml(WordDiff::html(QString(), text));
    else
        m_diff->setHtml(WordDiff::html(m_original, text));
}

void WritePane::onFinished(const GenerationStats& stats)
{
    emit statsReady(stats);
    onText(suggestion());
}

bool WritePane::hasSuggestion() const
{
    return m_suggestionPanel->isVisible() && !m_tracker->text().isEmpty();
}

QString WritePane::suggestion() const
{
    const QString text = m_tracker->text();
    if (m_action == WriteAction::Continue)
        return text;
    // Only the replacement: preambles, notes and quotes the model added are dropped.
    return TaskPrompts::extractPlainText(text, m_original).trimmed();
}

void WritePane::acceptSuggestion()
{
    if (m_tracker->isBusy() || m_tracker->text().isEmpty())
        return;
    QTextCursor cursor(m_editor->document());
    cursor.setPosition(m_selectionStart);
    cursor.setPosition(m_selectionEnd, QTextCursor::KeepAnchor);
    // One edit block: a single Ctrl+Z takes the whole accepted change back.
    cursor.beginEditBlock();
    if (m_action == WriteAction::Continue) {
        cursor.clearSelection();
        cursor.setPosition(m_selectionEnd);
        const QString before = m_editor->toPlainText().left(m_selectionEnd);
        const QString text = suggestion();
        const bool needsSpace = !before.isEmpty() && !before.back().isSpace() && !text.isEmpty() && !text.front().isSpace();
        cursor.insertText(needsSpace ? QStringLiteral(" ") + text : text);
    } else {
        cursor.insertText(suggestion());
    }
    cursor.endEditBlock();
    m_editor->setTextCursor(cursor);
    showSuggestionPanel(false);
}

void WritePane::rejectSuggestion()
{
    stop();
    showSuggestionPanel(false);
}

void WritePane::showSuggestionPanel(bool show)
{
    m_suggestionPanel->setVisible(show);
}

void WritePane::updatePreview()
{
    const int scroll = m_preview->verticalScrollBar() ? m_preview->verticalScrollBar()->value() : 0;
    m_preview->setMarkdown(m_editor->toPlainText());
    m_preview->verticalScrollBar()->setValue(scroll);
}

void WritePane::autosave()
{
    const QString path = m_path.isEmpty() ? autosavePath() : m_path;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(m_editor->toPlainText().toUtf8());
        file.commit();
    }
}

void WritePane::newDocument()
{
    m_path.clear();
    m_editor->clear();
    retranslate();
}

void WritePane::openDocument()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open document"), QString(),
                                                      tr("Markdown and text (*.md *.markdown *.txt);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

bool WritePane::openPath(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_banner->setText(tr("Could not open %1: %2").arg(path, file.errorString()));
        m_banner->show();
        return false;
    }
    m_editor->setPlainText(QString::fromUtf8(file.readAll()));
    m_path = path;
    m_store->recordDocument(path, QFileInfo(path).fileName());
    retranslate();
    return true;
}

void WritePane::fillRecentMenu()
{
    QMenu* menu = m_recent->menu();
    menu->clear();
    const auto documents = m_store->recentDocuments();
    for (const auto& document : documents) {
        const QString path = document.first;
        QAction* action = menu->addAction(document.second, this, [this, path] { openPath(path); });
        action->setToolTip(path);
    }
    if (documents.isEmpty())
        menu->addAction(tr("No recent documents"))->setEnabled(false);
}

bool WritePane::saveTo(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->toPlainText().toUtf8()) < 0 || !file.commit()) {
        m_banner->setText(tr("Could not save %1: %2").arg(path, file.errorString()));
        m_banner->show();
        return false;
    }
    m_path = path;
    m_store->recordDocument(path, QFileInfo(path).fileName());
    retranslate();
    return true;
}

void WritePane::save()
{
    if (m_path.isEmpty())
        saveAs();
    else
        saveTo(m_path);
}

void WritePane::saveAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save document"), m_path,
                                                      tr("Markdown (*.md);;Text (*.txt)"));
    if (!path.isEmpty())
        saveTo(QFileInfo(path).suffix().isEmpty() ? path + QStringLiteral(".md") : path);
}

bool WritePane::exportTo(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("md") || suffix == QLatin1String("txt") || suffix == QLatin1String("markdown")) {
        const QString keep = m_path;
        const bool ok = saveTo(path);
        m_path = keep; // exporting does not change which file the document is
        retranslate();
        return ok;
    }
    QTextDocument document;
    document.setMarkdown(m_editor->toPlainText());
    QTextDocumentWriter writer(path, suffix == QLatin1String("odt") ? QByteArray("odf") : QByteArray("html"));
    if (!writer.write(&document)) {
        m_banner->setText(tr("Could not export %1.").arg(path));
        m_banner->show();
        return false;
    }
    return true;
}

void WritePane::exportAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export document"), QString(),
        tr("OpenDocument text (*.odt);;Web page (*.html);;Markdown (*.md);;Text (*.txt)"));
    if (!path.isEmpty())
        exportTo(path);
}

void WritePane::retranslate()
{
    m_new->setText(tr("New"));
    m_new->setToolTip(tr("Start a new document"));
    m_open->setText(tr("Open…"));
    m_recent->setText(tr("Recent"));
    m_recent->setToolTip(tr("Documents opened or saved recently"));
    m_save->setText(tr("Save"));
    m_save->setToolTip(m_path.isEmpty() ? tr("Save the document") : tr("Save to %1").arg(m_path));
    m_saveAs->setText(tr("Save As…"));
    m_export->setText(tr("Export…"));
    m_export->setToolTip(tr("Export as OpenDocument, HTML, Markdown or plain text"));
    const char* const names[] = {QT_TR_NOOP("Continue writing"), QT_TR_NOOP("Rewrite"), QT_TR_NOOP("Shorten"),
                                 QT_TR_NOOP("Expand"), QT_TR_NOOP("Fix grammar"), QT_TR_NOOP("Change tone"),
                                 QT_TR_NOOP("Summarize")};
    for (int i = 0; i < 7; ++i)
        m_actions->setItemText(i, tr(names[i]));
    m_actions->setAccessibleName(tr("Writing action"));
    for (int i = 0; i < m_tone->count(); ++i)
        m_tone->setItemText(i, tr(kTones[i]));
    m_tone->setAccessibleName(tr("Tone"));
    m_apply->setText(tr("Apply to selection"));
    m_apply->setToolTip(tr("Apply the action to the selected text, or to the whole document (Ctrl+Enter)"));
    m_editor->setPlaceholderText(tr("Write in Markdown here. Select text and pick an action to rewrite, shorten, "
                                    "expand or fix it."));
    m_editor->setAccessibleName(tr("Document"));
    m_preview->setAccessibleName(tr("Preview"));
    m_suggestionLabel->setText(tr("Suggestion — review the changes, then accept or reject them"));
    m_accept->setText(tr("Accept"));
    m_reject->setText(tr("Reject"));
    m_stop->setText(tr("Stop"));
    m_diff->setAccessibleName(tr("Suggested changes"));
}
