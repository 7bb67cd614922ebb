#pragma once
// Code: language, a task, optional existing code, and the actions generate / explain / fix /
// add tests / convert. The result streams as plain text and is highlighted once it settles;
// Save As suggests the language's file extension.

#include "Pane.h"

class ChatService;
class CodeHighlighter;
class GenerationTracker;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

class CodePane : public Pane {
    Q_OBJECT
public:
    enum class Action { Generate, Explain, Fix, AddTests, Convert };

    CodePane(ChatService* service, QWidget* parent = nullptr);

    void submit() override;  // runs the selected action (Generate by default)
    void stop() override;
    bool isBusy() const override;

    void run(Action action);
    // The code of the last result (the fenced block), as it would be saved.
    QString resultCode() const { return m_resultCode; }
    QString suggestedExtension() const;
    bool saveTo(const QString& path);
    void saveAs();
    CodeHighlighter* highlighter() const { return m_highlighter; }

signals:
    void resultHighlighted();

protected:
    void retranslate() override;

private:
    void onFinished(const GenerationStats& stats);
    int resultLanguageIndex() const;
    QString resultLanguageName() const;

    GenerationTracker* m_tracker;
    CodeHighlighter* m_highlighter;
    quint64 m_ticket = 0;
    Action m_lastAction = Action::Generate;
    QString m_resultCode;

    QComboBox* m_language = nullptr;
    QComboBox* m_convertTo = nullptr;
    QLabel* m_languageLabel = nullptr;
    QLabel* m_convertLabel = nullptr;
    QPlainTextEdit* m_task = nullptr;
    QPlainTextEdit* m_existing = nullptr;
    QPushButton* m_generate = nullptr;
    QPushButton* m_explain = nullptr;
    QPushButton* m_fix = nullptr;
    QPushButton* m_tests = nullptr;
    QPushButton* m_convert = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_copy = nullptr;
    QPushButton* m_save = nullptr;
    QTextBrowser* m_result = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_highlighterName = nullptr;
};
