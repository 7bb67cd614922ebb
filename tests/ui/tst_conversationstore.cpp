// The conversation database: what a user relies on is that conversations survive a restart,
// search finds them, edits truncate correctly, and older files are migrated.

#include "ConversationStore.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QStandardPaths>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QSqlError>
#include <QTest>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

class TestConversationStore : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_dir.reset(new QTemporaryDir);
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(QStringLiteral("sub/inkstone.sqlite"));
    }

    void survivesReopen()
    {
        qint64 id = 0;
        {
            ConversationStore store;
            QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
            QCOMPARE(store.schemaVersion(), ConversationStore::kSchemaVersion);
            id = store.createConversation(QStringLiteral("Trip to Hangzhou")).value();
            QVERIFY(store.appendMessage(id, ChatMessage::Role::User, QStringLiteral("西湖有什么好玩的？")));
            QVERIFY(store.appendMessage(id, ChatMessage::Role::Assistant, QStringLiteral("断桥残雪。")));
            QVERIFY(store.setSystemPrompt(id, QStringLiteral("Be brief.")));
        }
        ConversationStore again;
        QVERIFY(again.open(m_path));
        const auto list = again.conversations();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first().title, QStringLiteral("Trip to Hangzhou"));
        const auto messages = again.messages(id);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).role, ChatMessage::Role::User);
        QCOMPARE(messages.at(1).content, QStringLiteral("断桥残雪。"));
        QCOMPARE(again.systemPrompt(id), QStringLiteral("Be brief."));
    }

    void usesWal()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        }
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("probe"));
    }

    void searchFindsTitlesAndMessageText()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        const qint64 a = store.createConversation(QStringLiteral("Rust lifetimes")).value();
        const qint64 b = store.createConversation(QStringLiteral("Dinner")).value();
        QVERIFY(store.appendMessage(b, ChatMessage::Role::User, QStringLiteral("A recipe with aubergine, please")));
        QCOMPARE(store.conversations(QStringLiteral("lifetime")).size(), 1);
        QCOMPARE(store.conversations(QStringLiteral("lifetime")).first().id, a);
        QCOMPARE(store.conversations(QStringLiteral("auber")).size(), 1); // prefix match in a message
        QCOMPARE(store.conversations(QStringLiteral("auber")).first().id, b);
        QCOMPARE(store.conversations(QStringLiteral("\"quoted\" AND")).size(), 0); // FTS syntax is not an error
        QVERIFY(store.lastError().isEmpty() || !store.lastError().contains(QLatin1String("syntax")));
    }

    void searchSeesEditedText()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = store.createConversation(QStringLiteral("x")).value();
        const qint64 m = store.appendMessage(id, ChatMessage::Role::User, QStringLiteral("walrus")).value();
        QVERIFY(store.updateMessage(m, QStringLiteral("penguin")));
        QCOMPARE(store.conversations(QStringLiteral("walrus")).size(), 0);
        QCOMPARE(store.conversations(QStringLiteral("penguin")).size(), 1);
    }

    void pinnedComeFirstAndDeleteCascades()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        const qint64 a = store.createConversation(QStringLiteral("old")).value();
        const qint64 b = store.createConversation(QStringLiteral("new")).value();
        QVERIFY(store.appendMessage(a, ChatMessage::Role::User, QStringLiteral("hello")));
        QVERIFY(store.setPinned(b, true));
        QCOMPARE(store.conversations().first().id, b);
        QVERIFY(store.deleteConversation(a));
        QCOMPARE(store.conversations().size(), 1);
        QCOMPARE(store.messages(a).size(), 0);
        QCOMPARE(store.conversations(QStringLiteral("hello")).size(), 0);
    }

    void truncateFromRemovesLaterMessages()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        const qint64 id = store.createConversation(QStringLiteral("t")).value();
        store.appendMessage(id, ChatMessage::Role::User, QStringLiteral("1")).value();
        const qint64 second = store.appendMessage(id, ChatMessage::Role::Assistant, QStringLiteral("2")).value();
        store.appendMessage(id, ChatMessage::Role::User, QStringLiteral("3")).value();
        QVERIFY(store.truncateFrom(id, second));
        const auto messages = store.messages(id);
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.first().content, QStringLiteral("1"));
    }

    void migratesVersionOneFiles()
    {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            QDir().mkpath(QFileInfo(m_path).absolutePath());
            db.setDatabaseName(m_path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL,"
                                          " pinned INTEGER NOT NULL DEFAULT 0, system_prompt TEXT NOT NULL DEFAULT '',"
                                          " created INTEGER NOT NULL, updated INTEGER NOT NULL)")));
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL,"
                                          " role TEXT NOT NULL, content TEXT NOT NULL, created INTEGER NOT NULL)")));
            QVERIFY(q.exec(QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id')")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO conversations VALUES (1, 'kept', 0, '', 0, 0)")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version=1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        ConversationStore store;
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        QCOMPARE(store.schemaVersion(), ConversationStore::kSchemaVersion);
        QCOMPARE(store.conversations().first().title, QStringLiteral("kept"));
        QCOMPARE(store.preset(1), QStringLiteral("balanced"));
        QVERIFY(store.addTranslation({0, QStringLiteral("en"), QStringLiteral("zh-Hans"), QStringLiteral("cat"), QStringLiteral("猫"), {}}));
    }

    void refusesNewerSchema()
    {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v99"));
            QDir().mkpath(QFileInfo(m_path).absolutePath());
            db.setDatabaseName(m_path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version=99")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v99"));
        ConversationStore store;
        QVERIFY(!store.open(m_path));
        QVERIFY(store.lastError().contains(QLatin1String("newer")));
    }

    void refusesGarbageFile()
    {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        QFile garbage(m_path);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, 'x'));
        garbage.close();
        ConversationStore store;
        QVERIFY(!store.open(m_path));
        QVERIFY(!store.lastError().isEmpty());
    }

    void documentsAreRememberedNewestFirst()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        QVERIFY(store.recordDocument(QStringLiteral("/a.md"), QStringLiteral("A")));
        QVERIFY(store.recordDocument(QStringLiteral("/b.md"), QStringLiteral("B")));
        QVERIFY(store.recordDocument(QStringLiteral("/a.md"), QStringLiteral("A, renamed"))); // saved again
        const auto recent = store.recentDocuments();
        QCOMPARE(recent.size(), 2);
        QCOMPARE(recent.first().first, QStringLiteral("/a.md"));
        QCOMPARE(recent.first().second, QStringLiteral("A, renamed"));
    }

    void translationHistoryIsSearchable()
    {
        ConversationStore store;
        QVERIFY(store.open(m_path));
        store.addTranslation({0, QStringLiteral("en"), QStringLiteral("fr"), QStringLiteral("good morning"), QStringLiteral("bonjour"), {}});
        store.addTranslation({0, QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("thank you"), QStringLiteral("danke"), {}});
        QCOMPARE(store.translations().size(), 2);
        QCOMPARE(store.translations().first().resultText, QStringLiteral("danke")); // newest first
        QCOMPARE(store.translations(QStringLiteral("bonjour")).size(), 1);
    }

    void killedWriterLeavesAConsistentFile()
    {
        // A child process writes messages as fast as it can and is killed with SIGKILL at an
        // arbitrary moment, as when the app is killed while replies are being stored. Every
        // message that was committed must be there, whole, and the file (FTS index included)
        // must pass SQLite's integrity checks.
        {
            ConversationStore store;
            QVERIFY(store.open(m_path));
            QVERIFY(store.createConversation(QStringLiteral("stress")));
        }
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ConversationStore store;
            if (!store.open(m_path))
                _exit(3);
            for (int i = 0;; ++i)
                store.appendMessage(1, i % 2 ? ChatMessage::Role::Assistant : ChatMessage::Role::User,
                                    QStringLiteral("message %1 ").arg(i).repeated(20));
        }
        QTest::qWait(400);
        QCOMPARE(kill(child, SIGKILL), 0);
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        QVERIFY(WIFSIGNALED(status));

        ConversationStore store;
        QVERIFY2(store.open(m_path), qPrintable(store.lastError()));
        const auto messages = store.messages(1);
        QVERIFY(messages.size() > 0);
        for (int i = 0; i < messages.size(); ++i)
            QCOMPARE(messages.at(i).content, QStringLiteral("message %1 ").arg(i).repeated(20));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
            QVERIFY2(q.exec(QStringLiteral("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")),
                     qPrintable(q.lastError().text()));
        }
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
        qInfo("%lld messages committed before the kill", static_cast<long long>(messages.size()));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

QTEST_GUILESS_MAIN(TestConversationStore)
#include "tst_conversationstore.moc"
