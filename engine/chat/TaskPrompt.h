#pragma once
// The prompts behind the Write, Translate and Code panes. They are data (resources/prompts/
// *.json, editable), not string literals in widgets: each preset has a system text and a user
// text, the latter a small Jinja template filled with the pane's fields (selection, context,
// languages, glossary, code ...). Field values are data: they are never parsed as template text.
//
// The app loads the files (from Qt resources or disk) and hands their text here; the engine
// reads no files and uses no Qt.

#include "chat/ChatTemplate.h"
#include "chat/Value.h"
#include "core/Result.h"

#include <string>
#include <string_view>
#include <vector>

namespace engine::chat {

// What the answer should be, which decides the post-processing (PostProcess.h).
enum class TaskOutput {
    Text,            // replacement text only (Write)
    Translation,     // the bare translation (Translate)
    Code,            // one fenced code block
    CodeExplanation, // one fenced code block plus a short explanation
};

struct TaskPreset {
    std::string id;          // stable id, e.g. "write.rewrite"; the UI maps it to tr() labels
    std::string pane;        // "write", "translate" or "code"
    std::string label;       // English label, a fallback for the UI
    std::string system;      // system message text (a Jinja template, like `user`)
    std::string user;        // user message template
    std::vector<std::string> fields; // field names the user template reads (documentation for the UI)
    TaskOutput output = TaskOutput::Text;
};

class PresetLibrary {
public:
    // Adds the presets of one file ({"format": "inkstone-prompts/1", "presets": [...]}). A
    // preset whose id already exists replaces it, so a user's file can override built-ins.
    Result<void> addJson(std::string_view text, std::string_view origin = "presets");

    const TaskPreset* find(std::string_view id) const;
    const std::vector<TaskPreset>& presets() const { return m_presets; }

private:
    std::vector<TaskPreset> m_presets;
};

// The pane's inputs, e.g. {"selection": "...", "context": "...", "target_language": "German",
// "glossary": [{"term": "...", "translation": "..."}]}. Missing fields are undefined (empty).
using TaskFields = ValueDict;

// A field list from plain strings, for the common case.
TaskFields taskFields(const std::vector<std::pair<std::string, std::string>>& fields);

// [system, user] messages for a preset (system omitted when its text renders empty).
Result<std::vector<ChatMessage>> buildTaskMessages(const TaskPreset& preset, const TaskFields& fields);

struct TaskPrompt {
    std::vector<ChatMessage> messages; // what was rendered (after any folding)
    std::string text;                  // the prompt, through the model's template
    bool systemFolded = false;         // the template rejects or drops a system turn, so the
                                       // system text was put at the top of the user turn
    bool compatVariables = false;      // see RenderedPrompt
};

// Renders a preset through a chat template with renderForModel(). `base` supplies bos/eos, the
// date and limits; its messages are ignored. Templates that reject a system role (Gemma's
// raise_exception) or drop it get the system text folded into the user turn instead.
Result<TaskPrompt> renderTaskPrompt(const ChatTemplate& tmpl, const TaskPreset& preset, const TaskFields& fields,
                                    const ChatRequest& base = {});

} // namespace engine::chat
