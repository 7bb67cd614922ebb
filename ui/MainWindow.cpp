#include "MainWindow.h"

#include "Appearance.h"
#include "ChatService.h"
#include "ChatTemplateBar.h"
#include "ChatTemplateDialog.h"
#include "ChatWritePane.h"
#include "CodePane.h"
#include "ConversationStore.h"
#include "FailureText.h"
#include "ModelBar.h"
#include "SettingsDialog.h"
#include "SettingsKeys.h"
#include "StatusPanel.h"
#include "TranslatePane.h"
#include "WelcomePage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

MainWindow::MainWindow(ChatService* service, ConversationStore* store, Appearance* appearance, QWidget* parent)
    : QMainWindow(parent)
    , m_service(service)
    , m_store(store)
    , m_appearance(appearance)
{
    setObjectName(QStringLiteral("mainWindow"));
    m_modelBar = new ModelBar(service, this);
    auto* modelToolBar = new QToolBar(this);
    modelToolBar->setObjectName(QStringLiteral("modelToolBar"));
    modelToolBar->setMovable(false);
    modelToolBar->setFloatable(false);
    modelToolBar->addWidget(m_modelBar);
    addToolBar(Qt::TopToolBarArea, modelToolBar);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("paneTabs"));
    m_tabs->setDocumentMode(true);
    m_panes = {new ChatWritePane(service, store, this), new TranslatePane(service, store, this), new CodePane(service, this)};
    for (Pane* p : std::as_const(m_panes)) {
        m_tabs->addTab(p, QString());
        connect(p, &Pane::statsReady, this, [this](const GenerationStats& stats) { m_statusPanel->showStats(stats); });
        connect(p, &Pane::failureOccurred, this, [this](const ServiceFailure& failure) { m_templateBar->showFailure(failure); });
    }
    m_notice = new QLabel(this);
    m_notice->setObjectName(QStringLiteral("engineNotice"));
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; border-bottom: 1px solid #e0c97a; padding: 6px 10px; }"));
    m_notice->hide();
    auto* work = new QWidget(this);
    auto* workLayout = new QVBoxLayout(work);
    workLayout->setContentsMargins(0, 0, 0, 0);
    workLayout->setSpacing(0);
    workLayout->addWidget(m_notice);
    m_templateBar = new ChatTemplateBar(service, this);
    workLayout->addWidget(m_templateBar);
    workLayout->addWidget(m_tabs, 1);

    m_welcome = new WelcomePage(this);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_welcome);
    m_stack->addWidget(work);
    setCentralWidget(m_stack);
    const QSettings settings;
    const bool firstRun = m_modelBar->recentModels().isEmpty() && !settings.value(SettingsKeys::welcomeDismissed).toBool();
    m_stack->setCurrentIndex(firstRun ? 0 : 1);

    m_statusPanel = new StatusPanel(statusBar());
    createActions();
    createMenus();

    connect(m_welcome, &WelcomePage::openRequested, this, &MainWindow::openModelDialog);
    connect(m_welcome, &WelcomePage::skipRequested, this, [this] {
        QSettings().setValue(SettingsKeys::welcomeDismissed, true);
        m_stack->setCurrentIndex(1);
    });
    connect(m_modelBar, &ModelBar::openRequested, this, &MainWindow::openModelDialog);
    connect(m_modelBar, &ModelBar::chatTemplateRequested, this, &MainWindow::openChatTemplateDialog);
    connect(m_templateBar, &ChatTemplateBar::editRequested, this, &MainWindow::openChatTemplateDialog);
    connect(service, &ChatService::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(service, &ChatService::modelLoadFailed, this, &MainWindow::onModelLoadFailed);
    // Where the model runs is news only when it is not where it was asked to run; the reply
    // in progress carries on either way.
    connect(service, &ChatService::backendNoteReported, m_statusPanel, &StatusPanel::showBackendNote);
    connect(service, &ChatService::modelUnloaded, this, [this] {
        m_notice->hide();
        m_statusPanel->showBackendNote({});
        m_statusPanel->setContextSize(0);
        statusBar()->showMessage(tr("Model unloaded"), 4000);
    });

    restoreGeometry(settings.value(SettingsKeys::windowGeometry).toByteArray());
    retranslate();
}

QAction* MainWindow::makeAction(const char* id, const QKeySequence& shortcut)
{
    auto* action = new QAction(this);
    action->setObjectName(QLatin1String(id));
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    addAction(action); // shortcuts work even while the menu bar is hidden
    m_actions.insert(QLatin1String(id), action);
    return action;
}

void MainWindow::createActions()
{
    connect(makeAction("model_open", QKeySequence::Open), &QAction::triggered, this, &MainWindow::openModelDialog);
    connect(makeAction("model_unload", {}), &QAction::triggered, m_service, &ChatService::unloadModel);
    connect(makeAction("app_settings", QKeySequence(Qt::CTRL | Qt::Key_Comma)), &QAction::triggered, this, &MainWindow::openSettings);
    QAction* quit = makeAction("app_quit", QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    connect(makeAction("chat_new", QKeySequence::New), &QAction::triggered, this, [this] {
        showPane(ChatWritePaneIndex);
        static_cast<ChatWritePane*>(m_panes.at(ChatWritePaneIndex))->newConversation();
    });
    QAction* send = makeAction("generation_send", QKeySequence(Qt::CTRL | Qt::Key_Return));
    send->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    connect(send, &QAction::triggered, this, [this] { currentPane()->submit(); });
    connect(makeAction("generation_stop", QKeySequence(Qt::Key_Escape)), &QAction::triggered, this,
            [this] { currentPane()->stop(); });
    connect(makeAction("edit_find", QKeySequence::Find), &QAction::triggered, this, [this] { currentPane()->focusSearch(); });
    const char* paneIds[] = {"pane_chat", "pane_translate", "pane_code"};
    for (int i = 0; i < 3; ++i) {
        QAction* a = makeAction(paneIds[i], QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { showPane(i); });
    }
    connect(makeAction("help_about", {}), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    auto addMenu = [this](std::initializer_list<const char*> ids) {
        QMenu* menu = menuBar()->addMenu(QString());
        for (const char* id : ids) {
            if (id == nullptr)
                menu->addSeparator();
            else
                menu->addAction(m_actions.value(QLatin1String(id)));
        }
        m_menus.append(menu);
    };
    addMenu({"model_open", "model_unload", nullptr, "app_settings", nullptr, "app_quit"});
    addMenu({"chat_new", "generation_send", "generation_stop", nullptr, "edit_find"});
    addMenu({"pane_chat", "pane_translate", "pane_code"});
    addMenu({"help_about"});
}

void MainWindow::showPane(int index)
{
    m_stack->setCurrentIndex(1);
    m_tabs->setCurrentIndex(index);
}

Pane* MainWindow::currentPane() const
{
    return m_panes.at(m_tabs->currentIndex());
}

Pane* MainWindow::pane(int index) const
{
    return m_panes.value(index);
}

bool MainWindow::isWelcomeShown() const
{
    return m_stack->currentIndex() == 0;
}

void MainWindow::loadModel(const QString& path)
{
    m_modelBar->load(path);
}

void MainWindow::openModelDialog()
{
    const QString last = QSettings().value(SettingsKeys::lastModel).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a GGUF model"), QFileInfo(last).absolutePath(),
                                                      tr("GGUF models (*.gguf);;All files (*)"));
    if (!path.isEmpty())
        loadModel(path);
}

void MainWindow::onModelLoaded(const ModelInfo& info)
{
    m_stack->setCurrentIndex(1);
    m_statusPanel->setContextSize(info.contextLength);
    m_statusPanel->showBackendNote(info.backendNote);
    statusBar()->showMessage(tr("Loaded %1").arg(info.name), 5000);
    if (!info.canGenerate) {
        m_notice->setText(tr("“%1” is open, but this build cannot generate text yet: the inference engine is "
                             "still being written. You can browse and organise conversations meanwhile.").arg(info.name));
        m_notice->show();
    } else {
        m_notice->hide();
    }
}

void MainWindow::onModelLoadFailed(const QString& path, const ServiceFailure& failure)
{
    m_statusPanel->showBackendNote({}); // the previous model is gone
    if (failure.kind == ServiceFailure::Kind::Cancelled) {
        statusBar()->showMessage(tr("Loading cancelled"), 4000);
        return;
    }
    // Not exec(): the window stays live (and testable) while the message is up.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not open the model"),
                                tr("Inkstone could not open “%1”.").arg(QFileInfo(path).fileName()), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("modelErrorBox"));
    box->setInformativeText(FailureText::full(failure));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    statusBar()->showMessage(tr("Could not open %1").arg(QFileInfo(path).fileName()), 8000);
}

void MainWindow::openChatTemplateDialog()
{
    if (!m_service->hasModel())
        return;
    auto* dialog = new ChatTemplateDialog(m_service, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open(); // not exec(): the window stays live (and testable)
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    dialog.save();
    if (m_appearance)
        m_appearance->applySettings();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Inkstone"),
                       tr("<h3>Inkstone %1</h3><p>Chat, write, translate and code with language models that run "
                          "on your own computer.</p>").arg(QApplication::applicationVersion()));
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings().setValue(SettingsKeys::windowGeometry, saveGeometry());
    for (Pane* p : std::as_const(m_panes))
        p->stop();
    event->accept();
}

void MainWindow::retranslate()
{
    setWindowTitle(tr("Inkstone"));
    m_statusPanel->retranslate(); // a QObject: it gets no LanguageChange of its own
    m_tabs->setTabText(ChatWritePaneIndex, tr("Chat && Write"));
    m_tabs->setTabText(TranslatePaneIndex, tr("Translate"));
    m_tabs->setTabText(CodePaneIndex, tr("Code"));
    m_menus.at(0)->setTitle(tr("&File"));
    m_menus.at(1)->setTitle(tr("&Chat"));
    m_menus.at(2)->setTitle(tr("&View"));
    m_menus.at(3)->setTitle(tr("&Help"));
    auto set = [this](const char* id, const QString& text, const QString& tip) {
        QAction* a = m_actions.value(QLatin1String(id));
        a->setText(text);
        a->setStatusTip(tip);
        a->setWhatsThis(tip);
    };
    set("model_open", tr("&Open GGUF Model…"), tr("Open a model file in GGUF format"));
    set("model_unload", tr("&Unload Model"), tr("Free the memory the current model uses"));
    set("app_settings", tr("&Settings…"), tr("Threads, context, sampling, theme and language"));
    set("app_quit", tr("&Quit"), tr("Quit Inkstone"));
    set("chat_new", tr("&New Chat"), tr("Start a new conversation"));
    set("generation_send", tr("&Send"), tr("Send the message or run the pane's action"));
    set("generation_stop", tr("S&top"), tr("Stop the text being generated"));
    set("edit_find", tr("&Find…"), tr("Search conversations or history"));
    set("pane_chat", tr("&Chat && Write"), tr("Show the Chat & Write pane"));
    set("pane_translate", tr("&Translate"), tr("Show the Translate pane"));
    set("pane_code", tr("C&ode"), tr("Show the Code pane"));
    set("help_about", tr("&About Inkstone"), tr("Version and credits"));
    if (!m_service->hasModel())
        statusBar()->showMessage(tr("No model loaded — open a GGUF file with Ctrl+O"));
}
