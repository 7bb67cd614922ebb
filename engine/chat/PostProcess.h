#pragma once
// Getting the useful part out of a chatty answer: the code block of a Code task, the bare
// translation of a Translate task, the replacement text of a Write task. Models wrap answers in
// reasoning blocks, preambles ("Here is the translation:"), quotes and fences even when told
// not to; these functions undo that without touching the answer itself.

#include <string>
#include <string_view>

namespace engine::chat {

// Removes <think>…</think> (also <thinking>, <reasoning>) blocks, including an unterminated
// one at the end of a reply that is still streaming, and an orphan "</think>" prefix.
std::string stripReasoning(std::string_view answer);

struct CodeAnswer {
    std::string code;         // the block's content, without fences; the whole answer if unfenced
    std::string language;     // the fence's info word ("python"), empty if none
    std::string explanation;  // the text outside the chosen block, trimmed
    bool fenced = false;
};

// The fenced block to use: the first whose language matches `preferredLanguage` (case-
// insensitive, common aliases such as c++/cpp, js/javascript, py/python), else the first block.
// An unterminated fence (a cut-off reply) runs to the end of the answer.
CodeAnswer extractCode(std::string_view answer, std::string_view preferredLanguage = {});

// The bare text of a translation or rewrite: reasoning, a leading preamble line ending in ':',
// a trailing "Note: …" paragraph, surrounding quotes and a fence wrapping the whole answer are
// removed unless `source` has them too; the source's leading/trailing whitespace is restored.
std::string extractPlainText(std::string_view answer, std::string_view source = {});

} // namespace engine::chat
