#pragma once
// The conversations sidebar: search (FTS5 through the store), new, rename, pin and delete.

#include <QWidget>

class ConversationStore;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

class ConversationList : public QWidget {
    Q_OBJECT
public:
    ConversationList(ConversationStore* store, QWidget* parent = nullptr);

    void reload();
    void select(qint64 id);
    qint64 currentId() const;
    void focusSearch();

signals:
    void conversationSelected(qint64 id); // 0: none
    void newRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void showMenu(const QPoint& pos);
    void renameCurrent();
    void togglePinCurrent();
    void deleteCurrent();

    ConversationStore* m_store;
    QLineEdit* m_search = nullptr;
    QListWidget* m_list = nullptr;
    QPushButton* m_new = nullptr;
};
