#include "TranslatePane.h"

#include "ConversationStore.h"
#include "FailureText.h"
#include "GenerationTracker.h"
#include "Languages.h"
#include "SettingsKeys.h"
#include "TaskPrompts.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
constexpr int kMaxRecentPairs = 6;
constexpr int kRecordRole = Qt::UserRole + 1;
}

TranslatePane::TranslatePane(ChatService* service, ConversationStore* store, QWidget* parent)
    : Pane(parent)
    , m_store(store)
    , m_tracker(new GenerationTracker(service, this))
    , m_backTracker(new GenerationTracker(service, this))
{
    setObjectName(QStringLiteral("translatePane"));
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("translateSource"));
    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("translateTarget"));
    fillLanguageCombos();
    m_swap = new QToolButton(this);
    m_swap->setObjectName(QStringLiteral("translateSwap"));
    m_swap->setText(QStringLiteral("⇄"));
    m_recentPairs = new QToolButton(this);
    m_recentPairs->setObjectName(QStringLiteral("translateRecentPairs"));
    m_recentPairs->setPopupMode(QToolButton::InstantPopup);
    m_recentPairs->setMenu(new QMenu(m_recentPairs));
    m_detected = new QLabel(this);
    m_detected->setObjectName(QStringLiteral("translateDetected"));
    m_asYouType = new QCheckBox(this);
    m_asYouType->setObjectName(QStringLiteral("translateAsYouType"));

    m_input = new QPlainTextEdit(this);
    m_input->setObjectName(QStringLiteral("translateInput"));
    m_input->setTabChangesFocus(true);
    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(QStringLiteral("translateOutput"));
    m_output->setReadOnly(true);
    m_output->setTabChangesFocus(true);
    m_translate = new QPushButton(this);
    m_translate->setObjectName(QStringLiteral("translateRun"));
    m_stop = new QPushButton(this);
    m_stop->setObjectName(QStringLiteral("translateStop"));
    m_stop->setEnabled(false);
    m_copy = new QPushButton(this);
    m_copy->setObjectName(QStringLiteral("translateCopy"));
    m_back = new QPushButton(this);
    m_back->setObjectName(QStringLiteral("translateBack"));
    m_backResult = new QLabel(this);
    m_backResult->setObjectName(QStringLiteral("translateBackResult"));
    m_backResult->setWordWrap(true);
    m_backResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_backResult->hide();
    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("translateBanner"));
    m_banner->setWordWrap(true);
    m_banner->hide();

    m_glossaryBox = new QGroupBox(this);
    m_glossaryBox->setCheckable(true);
    m_glossaryBox->setChecked(true);
    m_glossary = new QTableWidget(0, 2, m_glossaryBox);
    m_glossary->setObjectName(QStringLiteral("translateGlossary"));
    m_glossary->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_glossary->verticalHeader()->hide();
    m_addTerm = new QPushButton(m_glossaryBox);
    m_addTerm->setObjectName(QStringLiteral("translateAddTerm"));
    m_removeTerm = new QPushButton(m_glossaryBox);
    m_removeTerm->setObjectName(QStringLiteral("translateRemoveTerm"));
    auto* glossaryButtons = new QHBoxLayout;
    glossaryButtons->addWidget(m_addTerm);
    glossaryButtons->addWidget(m_removeTerm);
    glossaryButtons->addStretch();
    auto* glossaryLayout = new QVBoxLayout(m_glossaryBox);
    glossaryLayout->addWidget(m_glossary);
    glossaryLayout->addLayout(glossaryButtons);

    m_historyLabel = new QLabel(this);
    m_historySearch = new QLineEdit(this);
    m_historySearch->setObjectName(QStringLiteral("translateHistorySearch"));
    m_historySearch->setClearButtonEnabled(true);
    m_history = new QListWidget(this);
    m_history->setObjectName(QStringLiteral("translateHistory"));
    m_history->setWordWrap(true);

    auto* top = new QHBoxLayout;
    top->addWidget(m_source);
    top->addWidget(m_swap);
    top->addWidget(m_target);
    top->addWidget(m_recentPairs);
    top->addWidget(m_detected, 1);
    top->addWidget(m_asYouType);
    auto* editors = new QSplitter(this);
    editors->addWidget(m_input);
    editors->addWidget(m_output);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_translate);
    actions->addWidget(m_stop);
    actions->addStretch();
    actions->addWidget(m_back);
    actions->addWidget(m_copy);

    auto* main = new QWidget(this);
    auto* mainLayout = new QVBoxLayout(main);
    mainLayout->setContentsMargins(0, 0, 0, 0);
    mainLayout->addLayout(top);
    mainLayout->addWidget(editors, 3);
    mainLayout->addLayout(actions);
    mainLayout->addWidget(m_banner);
    mainLayout->addWidget(m_backResult);
    mainLayout->addWidget(m_glossaryBox, 1);
    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_historyLabel);
    sideLayout->addWidget(m_historySearch);
    sideLayout->addWidget(m_history, 1);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(main);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    splitter->setSizes({760, 240});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(700);
    connect(m_debounce, &QTimer::timeout, this, &TranslatePane::submit);
    connect(m_input, &QPlainTextEdit::textChanged, this, [this] {
        updateDetected();
        if (m_asYouType->isChecked())
            m_debounce->start();
    });
    connect(m_source, &QComboBox::currentIndexChanged, this, &TranslatePane::updateDetected);
    connect(m_swap, &QToolButton::clicked, this, &TranslatePane::swapLanguages);
    auto* swapShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), this);
    swapShortcut->setObjectName(QStringLiteral("translate_swap"));
    connect(swapShortcut, &QShortcut::activated, this, &TranslatePane::swapLanguages);
    connect(m_translate, &QPushButton::clicked, this, &TranslatePane::submit);
    connect(m_stop, &QPushButton::clicked, this, &TranslatePane::stop);
    connect(m_copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_output->toPlainText()); });
    connect(m_back, &QPushButton::clicked, this, &TranslatePane::backTranslate);
    connect(m_addTerm, &QPushButton::clicked, this, [this] {
        addGlossaryEntry(QString(), QString());
        m_glossary->editItem(m_glossary->item(m_glossary->rowCount() - 1, 0));
    });
    connect(m_removeTerm, &QPushButton::clicked, this, [this] {
        if (m_glossary->currentRow() >= 0)
            m_glossary->removeRow(m_glossary->currentRow());
    });
    connect(m_historySearch, &QLineEdit::textChanged, this, &TranslatePane::reloadHistory);
    connect(m_history, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const QStringList record = item->data(kRecordRole).toStringList();
        if (record.size() != 4)
            return;
        const QSignalBlocker blocker(m_input);
        m_input->setPlainText(record.at(2));
        m_output->setPlainText(record.at(3));
        const int target = m_target->findData(record.at(1));
        if (target >= 0)
            m_target->setCurrentIndex(target);
    });
    connect(m_tracker, &GenerationTracker::textChanged, this, [this](const QString& text) { m_output->setPlainText(text); });
    connect(m_tracker, &GenerationTracker::finished, this, &TranslatePane::onFinished);
    connect(m_tracker, &GenerationTracker::failed, this, [this](const ServiceFailure& failure) {
        m_banner->setText(FailureText::full(failure));
        m_banner->show();
        emit failureOccurred(failure);
    });
    connect(m_tracker, &GenerationTracker::busyChanged, this, [this](bool busy) {
        m_translate->setEnabled(!busy);
        m_stop->setEnabled(busy);
        emit busyChanged(busy);
    });
    connect(m_backTracker, &GenerationTracker::textChanged, this, [this](const QString& text) {
        m_backResult->setText(tr("Back-translation: %1").arg(text));
    });
    connect(m_backTracker, &GenerationTracker::failed, this, [this](const ServiceFailure& failure) {
        m_backResult->setText(FailureText::full(failure));
    });
    retranslate();
    reloadHistory();
}

void TranslatePane::fillLanguageCombos()
{
    m_source->addItem(QString(), QStringLiteral("auto"));
    for (const auto& language : Languages::human()) {
        m_source->addItem(QString(), QLatin1String(language.code));
        m_target->addItem(QString(), QLatin1String(language.code));
    }
    // A Chinese-speaking user most likely translates to Chinese, everyone else to English.
    const bool chinese = QLocale().language() == QLocale::Chinese;
    m_target->setCurrentIndex(m_target->findData(chinese ? QStringLiteral("en") : QStringLiteral("zh-Hans")));
}

bool TranslatePane::isBusy() const
{
    return m_tracker->isBusy();
}

void TranslatePane::focusSearch()
{
    m_historySearch->setFocus(Qt::ShortcutFocusReason);
}

void TranslatePane::addGlossaryEntry(const QString& term, const QString& translation)
{
    const int row = m_glossary->rowCount();
    m_glossary->insertRow(row);
    m_glossary->setItem(row, 0, new QTableWidgetItem(term));
    m_glossary->setItem(row, 1, new QTableWidgetItem(translation));
}

QString TranslatePane::sourceLanguageName() const
{
    const QString code = m_source->currentData().toString();
    const HumanLanguage* language = code == QLatin1String("auto") ? Languages::detect(m_input->toPlainText())
                                                                  : Languages::findHuman(code);
    return language ? QLatin1String(language->englishName) : QString();
}

QString TranslatePane::targetLanguageName() const
{
    const HumanLanguage* language = Languages::findHuman(m_target->currentData().toString());
    return language ? QLatin1String(language->englishName) : QStringLiteral("English");
}

void TranslatePane::submit()
{
    const QString text = m_input->toPlainText();
    if (text.trimmed().isEmpty())
        return;
    QList<TaskPrompts::GlossaryEntry> glossary;
    if (m_glossaryBox->isChecked()) {
        for (int row = 0; row < m_glossary->rowCount(); ++row) {
            const auto* term = m_glossary->item(row, 0);
            const auto* translation = m_glossary->item(row, 1);
            if (term && !term->text().trimmed().isEmpty())
                glossary.append({term->text(), translation ? translation->text() : QString()});
        }
    }
    m_banner->hide();
    m_backResult->hide();
    m_output->clear();
    GenerationRequest request;
    request.messages = TaskPrompts::translate(text, sourceLanguageName(), targetLanguageName(), glossary);
    request.origin = GenerationRequest::Origin::Translate;
    request.sampling.temperature = 0.2; // translations want fidelity more than variety
    request.sampling.maxTokens = std::max(256, static_cast<int>(text.size()) * 3);
    m_tracker->start(request);
}

void TranslatePane::stop()
{
    m_debounce->stop();
    m_tracker->stop();
    m_backTracker->stop();
}

void TranslatePane::swapLanguages()
{
    const QString source = m_source->currentData().toString();
    const HumanLanguage* guessed = source == QLatin1String("auto") ? Languages::detect(m_input->toPlainText()) : nullptr;
    const QString from = guessed ? QLatin1String(guessed->code) : source;
    const QString to = m_target->currentData().toString();
    if (from == QLatin1String("auto"))
        return; // nothing to swap to yet
    m_source->setCurrentIndex(m_source->findData(to));
    m_target->setCurrentIndex(m_target->findData(from));
    if (!m_output->toPlainText().isEmpty()) {
        const QString result = m_output->toPlainText();
        m_output->setPlainText(m_input->toPlainText());
        m_input->setPlainText(result);
    }
}

void TranslatePane::backTranslate()
{
    const QString result = m_output->toPlainText();
    if (result.trimmed().isEmpty())
        return;
    const QString original = sourceLanguageName().isEmpty() ? QStringLiteral("English") : sourceLanguageName();
    GenerationRequest request;
    request.messages = TaskPrompts::translate(result, targetLanguageName(), original, {}, /*back=*/true);
    request.origin = GenerationRequest::Origin::Translate;
    request.sampling.temperature = 0.2;
    m_backResult->setText(tr("Back-translation: …"));
    m_backResult->show();
    m_backTracker->start(request);
}

void TranslatePane::onFinished(const GenerationStats& stats)
{
    emit statsReady(stats);
    // The bare translation: a preamble, a trailing note or quotes around it are dropped.
    if (!m_tracker->text().isEmpty())
        m_output->setPlainText(TaskPrompts::extractPlainText(m_tracker->text(), m_input->toPlainText()));
    if (stats.cancelled || m_output->toPlainText().trimmed().isEmpty())
        return;
    TranslationRecord record;
    const QString source = m_source->currentData().toString();
    const HumanLanguage* guessed = source == QLatin1String("auto") ? Languages::detect(m_input->toPlainText()) : nullptr;
    record.sourceLanguage = guessed ? QLatin1String(guessed->code) : source;
    record.targetLanguage = m_target->currentData().toString();
    record.sourceText = m_input->toPlainText();
    record.resultText = m_output->toPlainText();
    m_store->addTranslation(record);
    rememberPair();
    reloadHistory();
}

void TranslatePane::rememberPair()
{
    const QString pair = m_source->currentData().toString() + QLatin1Char('>') + m_target->currentData().toString();
    QSettings settings;
    QStringList pairs = settings.value(SettingsKeys::recentLanguagePairs).toStringList();
    pairs.removeAll(pair);
    pairs.prepend(pair);
    while (pairs.size() > kMaxRecentPairs)
        pairs.removeLast();
    settings.setValue(SettingsKeys::recentLanguagePairs, pairs);
    retranslate();
}

void TranslatePane::reloadHistory()
{
    m_history->clear();
    const auto records = m_store->translations(m_historySearch->text(), 50);
    for (const auto& record : records) {
        auto* item = new QListWidgetItem(record.sourceText.simplified().left(60) + QStringLiteral("\n→ ")
                                             + record.resultText.simplified().left(60),
                                         m_history);
        item->setData(kRecordRole, QStringList{record.sourceLanguage, record.targetLanguage, record.sourceText, record.resultText});
    }
}

void TranslatePane::updateDetected()
{
    if (m_source->currentData().toString() != QLatin1String("auto")) {
        m_detected->clear();
        return;
    }
    const HumanLanguage* guess = Languages::detect(m_input->toPlainText());
    m_detected->setText(guess ? tr("Detected: %1").arg(Languages::displayName(*guess)) : QString());
}

void TranslatePane::retranslate()
{
    m_source->setItemText(0, tr("Detect language"));
    for (int i = 0; i < Languages::human().size(); ++i) {
        const QString name = Languages::displayName(Languages::human().at(i));
        m_source->setItemText(i + 1, name);
        m_target->setItemText(i, name);
    }
    m_source->setAccessibleName(tr("Source language"));
    m_target->setAccessibleName(tr("Target language"));
    m_swap->setToolTip(tr("Swap languages (Ctrl+Shift+S)"));
    m_swap->setAccessibleName(tr("Swap languages"));
    m_recentPairs->setText(tr("Recent"));
    m_recentPairs->setToolTip(tr("Language pairs used recently"));
    QMenu* menu = m_recentPairs->menu();
    menu->clear();
    const QStringList pairs = QSettings().value(SettingsKeys::recentLanguagePairs).toStringList();
    for (const QString& pair : pairs) {
        const QStringList codes = pair.split(QLatin1Char('>'));
        if (codes.size() != 2)
            continue;
        const HumanLanguage* to = Languages::findHuman(codes.at(1));
        const HumanLanguage* from = Languages::findHuman(codes.at(0));
        if (!to)
            continue;
        const QString label = (from ? Languages::displayName(*from) : tr("Detect language")) + QStringLiteral(" → ")
            + Languages::displayName(*to);
        menu->addAction(label, this, [this, codes] {
            m_source->setCurrentIndex(std::max(0, m_source->findData(codes.at(0))));
            m_target->setCurrentIndex(std::max(0, m_target->findData(codes.at(1))));
        });
    }
    m_recentPairs->setEnabled(!menu->isEmpty());
    m_asYouType->setText(tr("Translate as I type"));
    m_input->setPlaceholderText(tr("Type or paste text to translate"));
    m_input->setAccessibleName(tr("Text to translate"));
    m_output->setPlaceholderText(tr("The translation appears here"));
    m_output->setAccessibleName(tr("Translation"));
    m_translate->setText(tr("Translate"));
    m_translate->setToolTip(tr("Translate (Ctrl+Enter)"));
    m_stop->setText(tr("Stop"));
    m_copy->setText(tr("Copy"));
    m_copy->setToolTip(tr("Copy the translation"));
    m_back->setText(tr("Check by translating back"));
    m_back->setToolTip(tr("Translate the result back to the source language to check its meaning"));
    m_glossaryBox->setTitle(tr("Glossary and do-not-translate list"));
    m_glossary->setHorizontalHeaderLabels({tr("Term"), tr("Translation (empty: keep as is)")});
    m_glossary->setAccessibleName(tr("Glossary"));
    m_addTerm->setText(tr("Add term"));
    m_removeTerm->setText(tr("Remove term"));
    m_historyLabel->setText(tr("Recent translations"));
    m_historySearch->setPlaceholderText(tr("Search history"));
    m_history->setAccessibleName(tr("Recent translations"));
    updateDetected();
}
