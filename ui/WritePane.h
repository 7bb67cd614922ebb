#pragma once
// Write: a Markdown document with a live preview. Select text, pick an action (continue,
// rewrite, shorten, expand, fix grammar, change tone, summarize); the result streams into a
// suggestion shown as a diff against the selection, and Accept replaces the selection in one
// undoable step. Documents autosave and can be saved or exported as .md, .txt, .odt or .html.

#include "Pane.h"
#include "TaskPrompts.h"

class ChatService;
class ConversationStore;
class GenerationTracker;
class QComboBox;
class QFrame;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;
class QTimer;
class QToolButton;

class WritePane : public Pane {
    Q_OBJECT
public:
    WritePane(ChatService* service, ConversationStore* store, QWidget* parent = nullptr);

    void submit() override; // applies the selected action
    void stop() override;
    bool isBusy() const override;

    QPlainTextEdit* editor() const { return m_editor; }
    void apply(TaskPrompts::WriteAction action);
    bool hasSuggestion() const;
    QString suggestion() const;
    void acceptSuggestion();
    void rejectSuggestion();

    QString documentPath() const { return m_path; }
    bool saveTo(const QString& path);
    // By extension: .md and .txt as text, .odt and .html through QTextDocumentWriter.
    bool exportTo(const QString& path);
    static QString autosavePath();

protected:
    void retranslate() override;

private:
    void newDocument();
    void openDocument();
    bool openPath(const QString& path);
    void fillRecentMenu();
    void save();
    void saveAs();
    void exportAs();
    void autosave();
    void updatePreview();
    void onText(const QString& text);
    void onFinished(const GenerationStats& stats);
    void showSuggestionPanel(bool show);

    GenerationTracker* m_tracker;
    ConversationStore* m_store;
    QString m_path;
    int m_selectionStart = 0;
    int m_selectionEnd = 0;
    TaskPrompts::WriteAction m_action = TaskPrompts::WriteAction::Rewrite;
    QString m_original;

    QToolButton* m_new = nullptr;
    QToolButton* m_open = nullptr;
    QToolButton* m_recent = nullptr;
    QToolButton* m_save = nullptr;
    QToolButton* m_saveAs = nullptr;
    QToolButton* m_export = nullptr;
    QComboBox* m_actions = nullptr;
    QComboBox* m_tone = nullptr;
    QPushButton* m_apply = nullptr;
    QPlainTextEdit* m_editor = nullptr;
    QTextBrowser* m_preview = nullptr;
    QFrame* m_suggestionPanel = nullptr;
    QLabel* m_suggestionLabel = nullptr;
    QTextBrowser* m_diff = nullptr;
    QPushButton* m_accept = nullptr;
    QPushButton* m_reject = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_banner = nullptr;
    QTimer* m_previewTimer = nullptr;
    QTimer* m_autosaveTimer = nullptr;
};
