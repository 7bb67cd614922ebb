#include "chat/ChatTemplate.h"

#include <ctime>

namespace engine::chat {

Value messagesValue(const std::vector<ChatMessage>& messages)
{
    ValueList out;
    out.reserve(messages.size());
    for (const auto& m : messages)
        out.push_back(Value::dict({{Value::string("role"), Value::string(m.role)},
                                   {Value::string("content"), Value::string(m.content)}}));
    return Value::list(std::move(out));
}

DateTime currentDateTime()
{
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    DateTime t;
    t.year = local.tm_year + 1900;
    t.month = local.tm_mon + 1;
    t.day = local.tm_mday;
    t.hour = local.tm_hour;
    t.minute = local.tm_min;
    t.second = local.tm_sec;
    return t;
}

const std::string& fallbackTemplateSource()
{
    static const std::string source =
        "{%- for message in messages -%}\n"
        "{%- if message['role'] == 'system' -%}\n"
        "{{ message['content'] }}\n\n"
        "{% elif message['role'] == 'user' -%}\n"
        "User: {{ message['content'] }}\n\n"
        "{% elif message['role'] == 'assistant' -%}\n"
        "Assistant: {{ message['content'] }}\n\n"
        "{% else -%}\n"
        "{{ message['role'] | capitalize }}: {{ message['content'] }}\n\n"
        "{% endif -%}\n"
        "{%- endfor -%}\n"
        "{%- if add_generation_prompt -%}\n"
        "Assistant:\n"
        "{%- endif -%}\n";
    return source;
}

Result<ChatTemplate> ChatTemplate::fromSource(std::string source, Origin origin)
{
    auto parsed = Template::parse(source);
    if (!parsed.ok())
        return parsed.error();
    ChatTemplate t;
    t.m_template = std::move(*parsed);
    t.m_source = std::move(source);
    t.m_origin = origin;
    return t;
}

ChatTemplate ChatTemplate::fallback()
{
    auto t = fromSource(fallbackTemplateSource(), Origin::Fallback);
    return std::move(t).value(); // the built-in source always parses (tested)
}

Result<std::string> ChatTemplate::apply(const ChatRequest& request) const
{
    ValueDict vars;
    vars.emplace_back(Value::string("messages"), request.messages);
    vars.emplace_back(Value::string("add_generation_prompt"), Value::boolean(request.addGenerationPrompt));
    vars.emplace_back(Value::string("tools"), Value::none());
    vars.emplace_back(Value::string("documents"), Value::none());
    if (request.bosToken)
        vars.emplace_back(Value::string("bos_token"), Value::string(*request.bosToken));
    if (request.eosToken)
        vars.emplace_back(Value::string("eos_token"), Value::string(*request.eosToken));
    for (const auto& [k, v] : request.extraVariables) {
        bool replaced = false;
        for (auto& [ek, ev] : vars)
            if (valuesEqual(ek, k)) {
                ev = v;
                replaced = true;
            }
        if (!replaced)
            vars.emplace_back(k, v);
    }
    RenderOptions options;
    options.limits = request.limits;
    options.now = request.now;
    return m_template.render(Value::dict(std::move(vars)), options);
}

TemplateChoice chooseTemplate(const std::optional<std::string>& userOverride,
                              const std::optional<std::string>& modelTemplate)
{
    std::optional<Error> problem;
    if (userOverride && !userOverride->empty()) {
        auto t = ChatTemplate::fromSource(*userOverride, ChatTemplate::Origin::UserOverride);
        if (t.ok())
            return {std::move(*t), std::nullopt};
        problem = makeError(ErrorCode::Template, "the custom chat template does not parse: " + t.error().detail);
    }
    if (modelTemplate && !modelTemplate->empty()) {
        auto t = ChatTemplate::fromSource(*modelTemplate, ChatTemplate::Origin::Model);
        if (t.ok())
            return {std::move(*t), problem};
        if (!problem)
            problem = makeError(ErrorCode::Template, "the model's chat template does not parse: " + t.error().detail);
    }
    return {ChatTemplate::fallback(), problem};
}

} // namespace engine::chat
