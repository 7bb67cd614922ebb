#pragma once
// What a GGUF model says about its chat format: tokenizer.chat_template (plus any named
// variants such as tokenizer.chat_template.tool_use), and the BOS/EOS token texts that
// transformers would pass as bos_token/eos_token.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace engine::gguf {
class GgufFile;
}

namespace engine::chat {

struct ModelChatInfo {
    std::optional<std::string> chatTemplate;                        // the default template
    std::vector<std::pair<std::string, std::string>> namedTemplates; // ("tool_use", text) ...
    std::optional<std::string> bosToken;  // tokenizer.ggml.tokens[tokenizer.ggml.bos_token_id]
    std::optional<std::string> eosToken;  // tokenizer.ggml.tokens[tokenizer.ggml.eos_token_id]
};

ModelChatInfo readModelChatInfo(const gguf::GgufFile& model);

} // namespace engine::chat
