#pragma once
// Conversations, their messages, the translation history and the documents the Write pane
// has opened or saved, in one SQLite file (WAL, foreign
// keys, FTS5 over message text). Each call is its own transaction, so a message is on disk the
// moment it is complete and a kill at any point leaves the file consistent. The schema carries a
// version (PRAGMA user_version) and migrate() brings older files forward step by step.

#include "ServiceTypes.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

struct ConversationSummary {
    qint64 id = 0;
    QString title;
    bool pinned = false;
    QDateTime updated;
};

struct StoredMessage {
    qint64 id = 0;
    ChatMessage::Role role = ChatMessage::Role::User;
    QString content;
};

struct TranslationRecord {
    qint64 id = 0;
    QString sourceLanguage;
    QString targetLanguage;
    QString sourceText;
    QString resultText;
    QDateTime created;
};

class ConversationStore {
public:
    static constexpr int kSchemaVersion = 3;

    ConversationStore();
    ~ConversationStore();
    ConversationStore(const ConversationStore&) = delete;
    ConversationStore& operator=(const ConversationStore&) = delete;

    // Opens (creating if needed) the database file and migrates it. False with lastError() set
    // when the file cannot be opened or is not a database we understand.
    bool open(const QString& filePath);
    bool isOpen() const;
    void close();
    QString lastError() const { return m_lastError; }
    int schemaVersion() const;

    // The default place: <XDG data>/inkstone.sqlite (AppDataLocation).
    static QString defaultPath();

    std::optional<qint64> createConversation(const QString& title);
    bool renameConversation(qint64 id, const QString& title);
    bool setPinned(qint64 id, bool pinned);
    bool deleteConversation(qint64 id);
    bool setSystemPrompt(qint64 id, const QString& prompt);
    QString systemPrompt(qint64 id) const;
    bool setPreset(qint64 id, const QString& preset);
    QString preset(qint64 id) const;
    // Pinned first, then most recently updated. A non-empty query keeps the conversations whose
    // title or any message matches it (FTS5 prefix search over the words typed).
    QList<ConversationSummary> conversations(const QString& query = {}) const;

    QList<StoredMessage> messages(qint64 conversationId) const;
    std::optional<qint64> appendMessage(qint64 conversationId, ChatMessage::Role role, const QString& content);
    bool updateMessage(qint64 messageId, const QString& content);
    // Removes this message and every later one of its conversation (regenerate, edit & resend).
    bool truncateFrom(qint64 conversationId, qint64 messageId);

    // Documents (the text lives in the file; this remembers which files, for "Recent").
    bool recordDocument(const QString& path, const QString& title);
    QList<QPair<QString, QString>> recentDocuments(int limit = 10) const; // (path, title), newest first

    std::optional<qint64> addTranslation(const TranslationRecord& record);
    QList<TranslationRecord> translations(const QString& query = {}, int limit = 50) const;

private:
    bool exec(const QString& sql) const;
    bool migrate();
    bool touch(qint64 conversationId) const;

    QString m_connection;
    mutable QString m_lastError;
};
