#include "chat/ModelChatInfo.h"

#include "gguf/GgufFile.h"

namespace engine::chat {
namespace {

std::optional<std::string> tokenText(const gguf::GgufFile& model, const char* idKey)
{
    const auto id = model.getInt(idKey);
    const gguf::Value* tokens = model.find("tokenizer.ggml.tokens");
    if (!id || !tokens || !tokens->isArray() || *id < 0 || static_cast<uint64_t>(*id) >= tokens->size())
        return std::nullopt;
    const std::string* text = tokens->items()[static_cast<size_t>(*id)].asString();
    return text ? std::optional<std::string>(*text) : std::nullopt;
}

} // namespace

ModelChatInfo readModelChatInfo(const gguf::GgufFile& model)
{
    ModelChatInfo info;
    info.chatTemplate = model.getString("tokenizer.chat_template");
    static const std::string prefix = "tokenizer.chat_template.";
    for (const auto& [key, value] : model.metadata())
        if (key.compare(0, prefix.size(), prefix) == 0)
            if (const std::string* text = value.asString())
                info.namedTemplates.emplace_back(key.substr(prefix.size()), *text);
    info.bosToken = tokenText(model, "tokenizer.ggml.bos_token_id");
    info.eosToken = tokenText(model, "tokenizer.ggml.eos_token_id");
    return info;
}

} // namespace engine::chat
