#include "ConversationList.h"

#include "ConversationStore.h"

#include <QEvent>
#include <QInputDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kPinnedRole = Qt::UserRole + 2;
}

ConversationList::ConversationList(ConversationStore* store, QWidget* parent)
    : QWidget(parent)
    , m_store(store)
{
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("conversationSearch"));
    m_search->setClearButtonEnabled(true);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("conversationList"));
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_new = new QPushButton(this);
    m_new->setObjectName(QStringLiteral("conversationNew"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_new);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);

    connect(m_new, &QPushButton::clicked, this, &ConversationList::newRequested);
    connect(m_search, &QLineEdit::textChanged, this, &ConversationList::reload);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        emit conversationSelected(item ? item->data(kIdRole).toLongLong() : 0);
    });
    connect(m_list, &QListWidget::customContextMenuRequested, this, &ConversationList::showMenu);
    auto* rename = new QShortcut(QKeySequence(Qt::Key_F2), m_list, nullptr, nullptr, Qt::WidgetShortcut);
    connect(rename, &QShortcut::activated, this, &ConversationList::renameCurrent);
    auto* remove = new QShortcut(QKeySequence::Delete, m_list, nullptr, nullptr, Qt::WidgetShortcut);
    connect(remove, &QShortcut::activated, this, &ConversationList::deleteCurrent);
    retranslate();
}

void ConversationList::reload()
{
    const qint64 current = currentId();
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    const auto conversations = m_store->conversations(m_search->text());
    for (const auto& c : conversations) {
        auto* item = new QListWidgetItem(c.pinned ? QStringLiteral("📌 ") + c.title : c.title, m_list);
        item->setData(kIdRole, c.id);
        item->setData(kPinnedRole, c.pinned);
        item->setToolTip(c.title);
        if (c.id == current)
            m_list->setCurrentItem(item);
    }
}

void ConversationList::select(qint64 id)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(kIdRole).toLongLong() == id) {
            const QSignalBlocker blocker(m_list);
            m_list->setCurrentRow(i);
            return;
        }
    }
    const QSignalBlocker blocker(m_list);
    m_list->setCurrentRow(-1);
}

qint64 ConversationList::currentId() const
{
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(kIdRole).toLongLong() : 0;
}

void ConversationList::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void ConversationList::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ConversationList::retranslate()
{
    m_search->setPlaceholderText(tr("Search conversations (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search conversations"));
    m_list->setAccessibleName(tr("Conversations"));
    m_new->setText(tr("New chat"));
    m_new->setToolTip(tr("Start a new conversation (Ctrl+N)"));
}

void ConversationList::showMenu(const QPoint& pos)
{
    QListWidgetItem* item = m_list->itemAt(pos);
    if (!item)
        return;
    m_list->setCurrentItem(item);
    QMenu menu(this);
    menu.addAction(tr("Rename…"), this, &ConversationList::renameCurrent);
    menu.addAction(item->data(kPinnedRole).toBool() ? tr("Unpin") : tr("Pin"), this, &ConversationList::togglePinCurrent);
    menu.addSeparator();
    menu.addAction(tr("Delete"), this, &ConversationList::deleteCurrent);
    menu.exec(m_list->viewport()->mapToGlobal(pos));
}

void ConversationList::renameCurrent()
{
    QListWidgetItem* item = m_list->currentItem();
    if (!item)
        return;
    bool ok = false;
    const QString title = QInputDialog::getText(this, tr("Rename conversation"), tr("Title:"), QLineEdit::Normal,
                                                item->toolTip(), &ok);
    if (ok && !title.trimmed().isEmpty()) {
        m_store->renameConversation(item->data(kIdRole).toLongLong(), title.trimmed());
        reload();
    }
}

void ConversationList::togglePinCurrent()
{
    QListWidgetItem* item = m_list->currentItem();
    if (!item)
        return;
    m_store->setPinned(item->data(kIdRole).toLongLong(), !item->data(kPinnedRole).toBool());
    reload();
}

void ConversationList::deleteCurrent()
{
    QListWidgetItem* item = m_list->currentItem();
    if (!item)
        return;
    const auto answer = QMessageBox::question(this, tr("Delete conversation"),
                                              tr("Delete “%1” and all its messages?").arg(item->toolTip()));
    if (answer != QMessageBox::Yes)
        return;
    m_store->deleteConversation(item->data(kIdRole).toLongLong());
    reload();
    emit conversationSelected(currentId());
}
