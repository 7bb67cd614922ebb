#include "chat/ChatTemplate.h"

#include <ctime>
#include <optional>

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

namespace {

// Folds a leading system message into the first user message ("system\n\nuser").
std::optional<Value> foldSystem(const Value& messages)
{
    if (!messages.isList() || messages.asList().size() < 2)
        return std::nullopt;
    const ValueList& items = messages.asList();
    const Value* role = items[0].find(std::string_view("role"));
    const Value* content = items[0].find(std::string_view("content"));
    const Value* nextRole = items[1].find(std::string_view("role"));
    const Value* nextContent = items[1].find(std::string_view("content"));
    if (!role || !content || !nextRole || !nextContent || !role->isString() || role->asString() != "system" ||
        !nextRole->isString() || nextRole->asString() != "user" || !content->isString() || !nextContent->isString())
        return std::nullopt;
    ValueDict merged = items[1].asDict();
    for (auto& [k, v] : merged)
        if (k.isString() && k.asString() == "content")
            v = Value::string(content->asString() + "\n\n" + nextContent->asString());
    ValueList out(items.begin() + 1, items.end());
    out[0] = Value::dict(std::move(merged));
    return Value::list(std::move(out));
}

std::string systemText(const Value& messages)
{
    if (!messages.isList() || messages.asList().empty())
        return {};
    const Value& first = messages.asList()[0];
    const Value* role = first.find(std::string_view("role"));
    const Value* content = first.find(std::string_view("content"));
    if (role && content && role->isString() && role->asString() == "system" && content->isString())
        return content->asString();
    return {};
}

void setVariable(ValueDict& vars, const char* name, Value v)
{
    for (auto& [k, item] : vars)
        if (k.isString() && k.asString() == name)
            return; // the caller's own value wins
    vars.emplace_back(Value::string(name), std::move(v));
}

} // namespace

Result<RenderedPrompt> renderForModel(const ChatTemplate& tmpl, const ChatRequest& request)
{
    const std::string system = systemText(request.messages);
    const std::optional<Value> folded = foldSystem(request.messages);
    std::optional<Error> firstError;
    for (int compat = 0; compat < 2; ++compat) {
        ChatRequest attempt = request;
        if (compat) {
            // tools = [] instead of None; `functions` and the dates as llama.cpp passes them.
            attempt.extraVariables = request.extraVariables;
            setVariable(attempt.extraVariables, "tools", Value::list({}));
            setVariable(attempt.extraVariables, "functions", Value::string("[]"));
            setVariable(attempt.extraVariables, "datetime", Value::string(formatStrftime("%b %d %Y", request.now)));
            setVariable(attempt.extraVariables, "date_string", Value::string(formatStrftime("%d %b %Y", request.now)));
        }
        auto text = tmpl.apply(attempt);
        if (text.ok() && (system.empty() || text->find(system) != std::string::npos))
            return RenderedPrompt{std::move(*text), false, compat == 1};
        if (!text.ok() && !firstError)
            firstError = text.error();
        if (folded) {
            attempt.messages = *folded;
            auto foldedText = tmpl.apply(attempt);
            if (foldedText.ok())
                return RenderedPrompt{std::move(*foldedText), true, compat == 1};
        }
        if (text.ok()) // the system text was transformed, not dropped
            return RenderedPrompt{std::move(*text), false, compat == 1};
    }
    return *firstError;
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
