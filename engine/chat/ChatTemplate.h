#pragma once
// Turning a conversation into the prompt text a model expects, with the model's own chat
// template run the way Hugging Face transformers' apply_chat_template runs it.
//
// Which template: a user override (stored per model in the app's settings) wins over the
// model's tokenizer.chat_template; a model without one (GPT-2, base models) gets the built-in
// plain transcript format. Variables: messages, add_generation_prompt, tools = None,
// documents = None, bos_token / eos_token when known (left undefined otherwise), any extras,
// and strftime_now() formatting the request's `now`.

#include "chat/Template.h"
#include "chat/Value.h"
#include "core/Result.h"

#include <optional>
#include <string>
#include <vector>

namespace engine::chat {

struct ChatMessage {
    std::string role;    // "system", "user", "assistant", "tool" ...
    std::string content;
};

// Messages as template values: [{"role": ..., "content": ...}, ...].
Value messagesValue(const std::vector<ChatMessage>& messages);

struct ChatRequest {
    Value messages = Value::list({});   // a list of dicts (see messagesValue)
    bool addGenerationPrompt = true;
    std::optional<std::string> bosToken;
    std::optional<std::string> eosToken;
    DateTime now;                       // see currentDateTime()
    ValueDict extraVariables;           // e.g. {"enable_thinking": false}
    RenderLimits limits;
};

// The local wall-clock time, for strftime_now().
DateTime currentDateTime();

class ChatTemplate {
public:
    enum class Origin { UserOverride, Model, Fallback };

    static Result<ChatTemplate> fromSource(std::string source, Origin origin = Origin::Model);
    // The plain transcript format for models without a template:
    //   "<system text>\n\n" (when given), "User: ...\n\n", "Assistant: ...\n\n", then
    //   "Assistant:" when a reply is wanted.
    static ChatTemplate fallback();

    Result<std::string> apply(const ChatRequest& request) const;

    Origin origin() const { return m_origin; }
    const std::string& source() const { return m_source; }

private:
    Template m_template;
    std::string m_source;
    Origin m_origin = Origin::Model;
};

// A prompt rendered the forgiving way the app needs, and what it took.
struct RenderedPrompt {
    std::string text;
    bool systemFolded = false;     // the template rejects or drops a system turn, so the system
                                   // text was put at the top of the first user turn
    bool compatVariables = false;  // the template needed variables transformers does not pass
                                   // (tools = [], functions, datetime, date_string)
};

// Renders `request` as is; when the template fails, or silently drops the system turn, tries
// again with the system text folded into the first user turn, then with the extra variables
// that tool-use templates and llama.cpp-era templates expect. Returns the first success, or the
// error of the plain attempt.
Result<RenderedPrompt> renderForModel(const ChatTemplate& tmpl, const ChatRequest& request);

// The template to use for a model, and why. `problem` is set when a template was given but
// could not be parsed (the choice then falls back; the app should show the problem).
struct TemplateChoice {
    ChatTemplate chosen;
    std::optional<Error> problem;
};

TemplateChoice chooseTemplate(const std::optional<std::string>& userOverride,
                              const std::optional<std::string>& modelTemplate);

// The fallback template's source, for showing in the settings as a starting point.
const std::string& fallbackTemplateSource();

} // namespace engine::chat
