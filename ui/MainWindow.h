#pragma once
// The window: model bar, the three panes, menus with the keyboard shortcuts, and the status
// bar. It wires the parts together and holds no pane logic of its own.

#include <QMainWindow>

class Appearance;
class ChatTemplateBar;
class ChatPane;
class ChatService;
class ConversationStore;
class ModelBar;
class Pane;
class QLabel;
class QStackedWidget;
class QTabWidget;
class StatusPanel;
class WelcomePage;
struct ModelInfo;
struct ServiceFailure;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(ChatService* service, ConversationStore* store, Appearance* appearance, QWidget* parent = nullptr);

    enum PaneIndex { ChatWritePaneIndex = 0, TranslatePaneIndex = 1, CodePaneIndex = 2 };
    void showPane(int index);
    Pane* currentPane() const;
    Pane* pane(int index) const;
    void loadModel(const QString& path);
    bool isWelcomeShown() const;

protected:
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createMenus();
    void retranslate();
    void openModelDialog();
    void openSettings();
    void openChatTemplateDialog();
    void showAbout();
    void onModelLoaded(const ModelInfo& info);
    void onModelLoadFailed(const QString& path, const ServiceFailure& failure);
    QAction* makeAction(const char* id, const QKeySequence& shortcut);

    ChatService* m_service;
    ConversationStore* m_store;
    Appearance* m_appearance;
    ModelBar* m_modelBar = nullptr;
    QStackedWidget* m_stack = nullptr;
    WelcomePage* m_welcome = nullptr;
    QTabWidget* m_tabs = nullptr;
    QLabel* m_notice = nullptr;
    ChatTemplateBar* m_templateBar = nullptr;
    StatusPanel* m_statusPanel = nullptr;
    QList<Pane*> m_panes;
    QHash<QString, QAction*> m_actions;
    QList<QMenu*> m_menus;
};
