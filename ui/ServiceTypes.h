#pragma once
// Value types that cross the boundary between the panes and a ChatService. They are plain data
// (copied through queued connections), hold no engine types and no translated text: the engine's
// English details travel in ServiceFailure::detail, and only the UI turns a kind into tr() text.

#include <QList>
#include <QMetaType>
#include <QString>

using RequestId = quint64;

struct ChatMessage {
    enum class Role { System, User, Assistant };
    Role role = Role::User;
    QString content;

    static QString roleName(Role role);        // "system" / "user" / "assistant" (storage, templates)
    static Role roleFromName(const QString& name);
};

struct SamplingSettings {
    double temperature = 0.7;
    int topK = 40;
    double topP = 0.95;
    double minP = 0.05;
    int maxTokens = 1024;
    quint64 seed = 0; // 0: a fresh seed per request
};

struct GenerationRequest {
    // Which pane asks. The local engine keeps a KV cache per origin, so a pane's follow-up
    // reuses its own earlier prompt even after another pane has generated.
    enum class Origin { Chat, Write, Translate, Code };
    static constexpr int kOrigins = 4;
    QList<ChatMessage> messages;
    SamplingSettings sampling;
    // Also report each token's probability and its best alternatives (tokenDetailsReady).
    bool tokenDetails = false;
    Origin origin = Origin::Chat;
};

// One generated token as the probability view shows it.
struct TokenInfo {
    QString text;              // the text this token released (may be empty when held back)
    float probability = 0;     // of the chosen token, after the sampling filters
    QList<QPair<QString, float>> alternatives; // best first
};

struct GenerationStats {
    int promptTokens = 0;
    int reusedTokens = 0; // of the prompt, found already processed (the KV cache's prefix)
    int generatedTokens = 0;
    double timeToFirstTokenMs = 0;
    double tokensPerSecond = 0;
    int contextUsed = 0;
    int contextSize = 0;
    bool cancelled = false;
};

// The model or a session runs somewhere other than where it was asked to: a GPU that could not
// take the model, a GPU that failed (the session continues on the CPU), or only some layers on
// the GPU. The engine's English sentence travels in detail; the UI words the kind.
struct BackendNote {
    enum class Kind { None, ModelOnCpu, SessionOnCpu, PartialOffload };
    Kind kind = Kind::None;
    QString detail;
    bool isEmpty() const { return kind == Kind::None; }
};

struct ModelInfo {
    QString path;
    QString name;          // general.name, or the file name
    QString architecture;  // general.architecture
    qint64 fileSize = 0;
    qint64 parameterCount = 0;
    int contextLength = 0;
    int tensorCount = 0;
    QString backend;       // the engine's description: "CPU · AVX2 · 2 threads", "Vulkan · <device>"
    QString backendFallbackReason; // why the automatic choice ended on the CPU (English, "" if it did not)
    BackendNote backendNote;       // at load: the model or the chat session not where asked
    bool hasChatTemplate = false;
    QString chatTemplate;     // the model's own tokenizer.chat_template ("" when it has none)
    // Why the template in use is not the one asked for: the override or the model's template
    // does not parse, so the built-in format is used (English engine detail, "" when fine).
    QString templateProblem;
    // False while the inference runtime is not part of this build: the model's file can be read
    // and described, but no text can be generated, and the UI must say so.
    bool canGenerate = false;
};

// Which chat template a model's prompts go through (stored per model file, ChatTemplateSettings).
struct ChatTemplateOverride {
    enum class Mode { Model, Custom, Builtin };
    Mode mode = Mode::Model; // Model: the model's own template (or the built-in format without one)
    QString source;          // Custom: the user's Jinja text
};

struct ServiceFailure {
    enum class Kind {
        Io,            // cannot open / read the file
        InvalidFile,   // not a valid GGUF
        Unsupported,   // valid, but not supported here (architecture, tensor type)
        NoModel,       // a generation was asked for with no model loaded
        NotAvailable,  // this build cannot generate yet
        ContextFull,
        OutOfMemory,
        Device,
        Template,
        Cancelled,
        Internal,
    };
    Kind kind = Kind::Internal;
    QString detail; // English detail from the engine (file, byte offset ...), shown under the message
};

Q_DECLARE_METATYPE(ModelInfo)
Q_DECLARE_METATYPE(GenerationRequest)
Q_DECLARE_METATYPE(GenerationStats)
Q_DECLARE_METATYPE(ServiceFailure)
Q_DECLARE_METATYPE(BackendNote)
Q_DECLARE_METATYPE(ChatTemplateOverride)
Q_DECLARE_METATYPE(TokenInfo)
