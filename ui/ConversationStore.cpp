#include "ConversationStore.h"

#include <QDir>
#include <QRegularExpression>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStringList>
#include <QUuid>
#include <QVariant>

namespace {

// FTS5 treats most punctuation as syntax; quote each word and make it a prefix match.
QString ftsQuery(const QString& text)
{
    QStringList terms;
    const auto words = text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (QString word : words) {
        word.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QStringLiteral("\"%1\"*").arg(word);
    }
    return terms.join(QLatin1Char(' '));
}

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

} // namespace

ConversationStore::ConversationStore()
    : m_connection(QStringLiteral("inkstone-store-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

ConversationStore::~ConversationStore()
{
    close();
}

QString ConversationStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/inkstone.sqlite");
}

bool ConversationStore::open(const QString& filePath)
{
    close();
    QDir().mkpath(QFileInfo(filePath).absolutePath());
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(filePath);
        if (!db.open()) {
            m_lastError = db.lastError().text();
            return false;
        }
    }
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !exec(QStringLiteral("PRAGMA foreign_keys=ON"))
        || !exec(QStringLiteral("PRAGMA synchronous=NORMAL")) || !migrate()) {
        const QString error = m_lastError;
        close();
        m_lastError = error;
        return false;
    }
    return true;
}

bool ConversationStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection) && QSqlDatabase::database(m_connection, false).isOpen();
}

void ConversationStore::close()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool ConversationStore::exec(const QString& sql) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(sql)) {
        m_lastError = query.lastError().text();
        return false;
    }
    return true;
}

int ConversationStore::schemaVersion() const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

bool ConversationStore::migrate()
{
    const int version = schemaVersion();
    if (version < 0)
        return false;
    if (version > kSchemaVersion) {
        m_lastError = QStringLiteral("the database was written by a newer Inkstone (schema %1)").arg(version);
        return false;
    }
    // Each step moves the file forward by one version inside one transaction.
    const QList<QStringList> steps = {
        // 0 → 1: conversations and messages with full-text search.
        {
            QStringLiteral("CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL,"
                           " pinned INTEGER NOT NULL DEFAULT 0, system_prompt TEXT NOT NULL DEFAULT '',"
                           " created INTEGER NOT NULL, updated INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE messages (id INTEGER PRIMARY KEY,"
                           " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
                           " role TEXT NOT NULL, content TEXT NOT NULL, created INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX messages_by_conversation ON messages(conversation_id, id)"),
            QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id')"),
            QStringLiteral("CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN"
                           " INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END"),
            QStringLiteral("CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"
                           " INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); END"),
            QStringLiteral("CREATE TRIGGER messages_au AFTER UPDATE ON messages BEGIN"
                           " INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);"
                           " INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END"),
        },
        // 1 → 2: sampling preset per conversation and the translation history.
        {
            QStringLiteral("ALTER TABLE conversations ADD COLUMN preset TEXT NOT NULL DEFAULT 'balanced'"),
            QStringLiteral("CREATE TABLE translations (id INTEGER PRIMARY KEY, source_language TEXT NOT NULL,"
                           " target_language TEXT NOT NULL, source_text TEXT NOT NULL, result_text TEXT NOT NULL,"
                           " created INTEGER NOT NULL)"),
        },
        // 2 → 3: documents the Write pane opened or saved.
        {
            QStringLiteral("CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
                           " title TEXT NOT NULL, updated INTEGER NOT NULL)"),
        },
    };
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    for (int v = version; v < kSchemaVersion; ++v) {
        if (!db.transaction()) {
            m_lastError = db.lastError().text();
            return false;
        }
        QStringList statements = steps.at(v);
        statements << QStringLiteral("PRAGMA user_version=%1").arg(v + 1);
        for (const QString& sql : std::as_const(statements)) {
            if (!exec(sql)) {
                db.rollback();
                return false;
            }
        }
        if (!db.commit()) {
            m_lastError = db.lastError().text();
            return false;
        }
    }
    return true;
}

std::optional<qint64> ConversationStore::createConversation(const QString& title)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("INSERT INTO conversations (title, created, updated) VALUES (?, ?, ?)"));
    query.addBindValue(title);
    query.addBindValue(nowMs());
    query.addBindValue(nowMs());
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return std::nullopt;
    }
    return query.lastInsertId().toLongLong();
}

namespace {
bool runPrepared(const QString& connection, const QString& sql, const QVariantList& values, QString& error)
{
    QSqlQuery query(QSqlDatabase::database(connection, false));
    query.prepare(sql);
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec()) {
        error = query.lastError().text();
        return false;
    }
    return true;
}

QVariant selectOne(const QString& connection, const QString& sql, const QVariantList& values)
{
    QSqlQuery query(QSqlDatabase::database(connection, false));
    query.prepare(sql);
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec() || !query.next())
        return {};
    return query.value(0);
}
} // namespace

bool ConversationStore::renameConversation(qint64 id, const QString& title)
{
    return runPrepared(m_connection, QStringLiteral("UPDATE conversations SET title = ? WHERE id = ?"), {title, id}, m_lastError);
}

bool ConversationStore::setPinned(qint64 id, bool pinned)
{
    return runPrepared(m_connection, QStringLiteral("UPDATE conversations SET pinned = ? WHERE id = ?"),
                       {pinned ? 1 : 0, id}, m_lastError);
}

bool ConversationStore::deleteConversation(qint64 id)
{
    return runPrepared(m_connection, QStringLiteral("DELETE FROM conversations WHERE id = ?"), {id}, m_lastError);
}

bool ConversationStore::setSystemPrompt(qint64 id, const QString& prompt)
{
    return runPrepared(m_connection, QStringLiteral("UPDATE conversations SET system_prompt = ? WHERE id = ?"),
                       {prompt, id}, m_lastError);
}

QString ConversationStore::systemPrompt(qint64 id) const
{
    return selectOne(m_connection, QStringLiteral("SELECT system_prompt FROM conversations WHERE id = ?"), {id}).toString();
}

bool ConversationStore::setPreset(qint64 id, const QString& preset)
{
    return runPrepared(m_connection, QStringLiteral("UPDATE conversations SET preset = ? WHERE id = ?"), {preset, id}, m_lastError);
}

QString ConversationStore::preset(qint64 id) const
{
    return selectOne(m_connection, QStringLiteral("SELECT preset FROM conversations WHERE id = ?"), {id}).toString();
}

bool ConversationStore::touch(qint64 conversationId) const
{
    return runPrepared(m_connection, QStringLiteral("UPDATE conversations SET updated = ? WHERE id = ?"),
                       {nowMs(), conversationId}, m_lastError);
}

QList<ConversationSummary> ConversationStore::conversations(const QString& queryText) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    const QString fts = ftsQuery(queryText);
    if (fts.isEmpty()) {
        query.prepare(QStringLiteral("SELECT id, title, pinned, updated FROM conversations ORDER BY pinned DESC, updated DESC, id DESC"));
    } else {
        query.prepare(QStringLiteral(
            "SELECT id, title, pinned, updated FROM conversations WHERE title LIKE ? ESCAPE '\\'"
            " OR id IN (SELECT m.conversation_id FROM messages m JOIN messages_fts f ON f.rowid = m.id"
            " WHERE messages_fts MATCH ?) ORDER BY pinned DESC, updated DESC, id DESC"));
        QString like = queryText.trimmed();
        like.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('%'), QStringLiteral("\\%")).replace(QLatin1Char('_'), QStringLiteral("\\_"));
        query.addBindValue(QStringLiteral("%") + like + QStringLiteral("%"));
        query.addBindValue(fts);
    }
    QList<ConversationSummary> out;
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return out;
    }
    while (query.next()) {
        out.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toInt() != 0,
                    QDateTime::fromMSecsSinceEpoch(query.value(3).toLongLong())});
    }
    return out;
}

QList<StoredMessage> ConversationStore::messages(qint64 conversationId) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("SELECT id, role, content FROM messages WHERE conversation_id = ? ORDER BY id"));
    query.addBindValue(conversationId);
    QList<StoredMessage> out;
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return out;
    }
    while (query.next())
        out.append({query.value(0).toLongLong(), ChatMessage::roleFromName(query.value(1).toString()), query.value(2).toString()});
    return out;
}

std::optional<qint64> ConversationStore::appendMessage(qint64 conversationId, ChatMessage::Role role, const QString& content)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("INSERT INTO messages (conversation_id, role, content, created) VALUES (?, ?, ?, ?)"));
    query.addBindValue(conversationId);
    query.addBindValue(ChatMessage::roleName(role));
    query.addBindValue(content);
    query.addBindValue(nowMs());
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return std::nullopt;
    }
    touch(conversationId);
    return query.lastInsertId().toLongLong();
}

bool ConversationStore::updateMessage(qint64 messageId, const QString& content)
{
    return runPrepared(m_connection, QStringLiteral("UPDATE messages SET content = ? WHERE id = ?"), {content, messageId}, m_lastError);
}

bool ConversationStore::truncateFrom(qint64 conversationId, qint64 messageId)
{
    return runPrepared(m_connection, QStringLiteral("DELETE FROM messages WHERE conversation_id = ? AND id >= ?"),
                       {conversationId, messageId}, m_lastError);
}

bool ConversationStore::recordDocument(const QString& path, const QString& title)
{
    return runPrepared(m_connection,
                       // "updated" only grows, so two saves in the same millisecond still order.
                       QStringLiteral("INSERT INTO documents (path, title, updated) VALUES (?, ?,"
                                      " max(?, coalesce((SELECT max(updated) FROM documents), 0) + 1))"
                                      " ON CONFLICT(path) DO UPDATE SET title = excluded.title, updated = excluded.updated"),
                       {path, title, nowMs()}, m_lastError);
}

QList<QPair<QString, QString>> ConversationStore::recentDocuments(int limit) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("SELECT path, title FROM documents ORDER BY updated DESC, id DESC LIMIT ?"));
    query.addBindValue(limit);
    QList<QPair<QString, QString>> out;
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return out;
    }
    while (query.next())
        out.append({query.value(0).toString(), query.value(1).toString()});
    return out;
}

std::optional<qint64> ConversationStore::addTranslation(const TranslationRecord& record)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("INSERT INTO translations (source_language, target_language, source_text, result_text, created)"
                                 " VALUES (?, ?, ?, ?, ?)"));
    query.addBindValue(record.sourceLanguage);
    query.addBindValue(record.targetLanguage);
    query.addBindValue(record.sourceText);
    query.addBindValue(record.resultText);
    query.addBindValue(nowMs());
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return std::nullopt;
    }
    return query.lastInsertId().toLongLong();
}

QList<TranslationRecord> ConversationStore::translations(const QString& queryText, int limit) const
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (queryText.trimmed().isEmpty()) {
        query.prepare(QStringLiteral("SELECT id, source_language, target_language, source_text, result_text, created"
                                     " FROM translations ORDER BY id DESC LIMIT ?"));
    } else {
        query.prepare(QStringLiteral("SELECT id, source_language, target_language, source_text, result_text, created"
                                     " FROM translations WHERE instr(source_text, ?) > 0 OR instr(result_text, ?) > 0"
                                     " ORDER BY id DESC LIMIT ?"));
        query.addBindValue(queryText.trimmed());
        query.addBindValue(queryText.trimmed());
    }
    query.addBindValue(limit);
    QList<TranslationRecord> out;
    if (!query.exec()) {
        m_lastError = query.lastError().text();
        return out;
    }
    while (query.next()) {
        out.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                    query.value(3).toString(), query.value(4).toString(),
                    QDateTime::fromMSecsSinceEpoch(query.value(5).toLongLong())});
    }
    return out;
}
