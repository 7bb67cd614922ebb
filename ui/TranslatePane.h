#pragma once
// Translate: source (with auto-detect) and target pickers, swap, two editors side by side,
// streaming translation, translate-as-you-type, a glossary / do-not-translate table used in the
// prompt, a back-translation check, and the searchable history of recent translations.

#include "Pane.h"

class ChatService;
class ConversationStore;
class GenerationTracker;
class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;
class QToolButton;

class TranslatePane : public Pane {
    Q_OBJECT
public:
    TranslatePane(ChatService* service, ConversationStore* store, QWidget* parent = nullptr);

    void submit() override;
    void stop() override;
    void focusSearch() override;
    bool isBusy() const override;

    void swapLanguages();
    void backTranslate();
    // The glossary rows, for the prompt.
    void addGlossaryEntry(const QString& term, const QString& translation);

protected:
    void retranslate() override;

private:
    QString sourceLanguageName() const; // English name, or "" for auto-detect with no guess
    QString targetLanguageName() const;
    void updateDetected();
    void onFinished(const GenerationStats& stats);
    void reloadHistory();
    void rememberPair();
    void fillLanguageCombos();

    ConversationStore* m_store;
    GenerationTracker* m_tracker;
    GenerationTracker* m_backTracker;
    QComboBox* m_source = nullptr;
    QComboBox* m_target = nullptr;
    QToolButton* m_swap = nullptr;
    QToolButton* m_recentPairs = nullptr;
    QLabel* m_detected = nullptr;
    QPlainTextEdit* m_input = nullptr;
    QPlainTextEdit* m_output = nullptr;
    QPushButton* m_translate = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_copy = nullptr;
    QPushButton* m_back = nullptr;
    QCheckBox* m_asYouType = nullptr;
    QTimer* m_debounce = nullptr;
    QLabel* m_backResult = nullptr;
    QLabel* m_banner = nullptr;
    QGroupBox* m_glossaryBox = nullptr;
    QTableWidget* m_glossary = nullptr;
    QPushButton* m_addTerm = nullptr;
    QPushButton* m_removeTerm = nullptr;
    QLabel* m_historyLabel = nullptr;
    QLineEdit* m_historySearch = nullptr;
    QListWidget* m_history = nullptr;
};
