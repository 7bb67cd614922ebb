#include "chat/TaskPrompt.h"

#include "chat/Json.h"
#include "chat/PyString.h"
#include "chat/Template.h"

#include <algorithm>

namespace engine::chat {
namespace {

Result<TaskOutput> parseOutput(const std::string& s)
{
    if (s == "text")
        return TaskOutput::Text;
    if (s == "translation")
        return TaskOutput::Translation;
    if (s == "code")
        return TaskOutput::Code;
    if (s == "code+explanation")
        return TaskOutput::CodeExplanation;
    return makeError(ErrorCode::InvalidArgument, "unknown output kind '" + s + "'");
}

std::string stringField(const Value& preset, const char* key)
{
    const Value* v = preset.find(std::string_view(key));
    return v && v->isString() ? v->asString() : std::string();
}

Result<std::string> renderText(const std::string& source, const TaskFields& fields, const char* what,
                               const std::string& id)
{
    auto t = Template::parse(source);
    if (!t.ok())
        return makeError(ErrorCode::Template, "preset '" + id + "' " + what + ": " + t.error().detail);
    auto out = t->render(Value::dict(fields));
    if (!out.ok())
        return makeError(ErrorCode::Template, "preset '" + id + "' " + what + ": " + out.error().detail);
    return std::move(*out);
}

} // namespace

Result<void> PresetLibrary::addJson(std::string_view text, std::string_view origin)
{
    auto doc = parseJson(text);
    if (!doc.ok())
        return makeError(ErrorCode::InvalidArgument, std::string(origin) + ": " + doc.error().detail);
    const Value* presets = doc->find(std::string_view("presets"));
    if (!doc->isDict() || !presets || !presets->isList())
        return makeError(ErrorCode::InvalidArgument, std::string(origin) + ": expected an object with a \"presets\" array");
    std::vector<TaskPreset> parsed;
    for (size_t i = 0; i < presets->asList().size(); ++i) {
        const Value& p = presets->asList()[i];
        const std::string where = std::string(origin) + ": preset " + std::to_string(i);
        if (!p.isDict())
            return makeError(ErrorCode::InvalidArgument, where + " is not an object");
        TaskPreset preset;
        preset.id = stringField(p, "id");
        preset.pane = stringField(p, "pane");
        preset.label = stringField(p, "label");
        preset.system = stringField(p, "system");
        preset.user = stringField(p, "user");
        if (preset.id.empty() || preset.user.empty())
            return makeError(ErrorCode::InvalidArgument, where + " needs an \"id\" and a \"user\" text");
        auto output = parseOutput(stringField(p, "output").empty() ? "text" : stringField(p, "output"));
        if (!output.ok())
            return makeError(ErrorCode::InvalidArgument, where + " ('" + preset.id + "'): " + output.error().detail);
        preset.output = *output;
        if (const Value* f = p.find(std::string_view("fields")); f && f->isList())
            for (const Value& name : f->asList())
                if (name.isString())
                    preset.fields.push_back(name.asString());
        // Templates are checked when loaded, so a typo in a preset shows up at start-up.
        for (const std::string* src : {&preset.system, &preset.user}) {
            auto t = Template::parse(*src);
            if (!t.ok())
                return makeError(ErrorCode::Template, where + " ('" + preset.id + "'): " + t.error().detail);
        }
        parsed.push_back(std::move(preset));
    }
    for (auto& preset : parsed) {
        auto it = std::find_if(m_presets.begin(), m_presets.end(), [&](const TaskPreset& p) { return p.id == preset.id; });
        if (it != m_presets.end())
            *it = std::move(preset);
        else
            m_presets.push_back(std::move(preset));
    }
    return {};
}

const TaskPreset* PresetLibrary::find(std::string_view id) const
{
    for (const auto& p : m_presets)
        if (p.id == id)
            return &p;
    return nullptr;
}

TaskFields taskFields(const std::vector<std::pair<std::string, std::string>>& fields)
{
    TaskFields out;
    for (const auto& [k, v] : fields)
        out.emplace_back(Value::string(k), Value::string(v));
    return out;
}

Result<std::vector<ChatMessage>> buildTaskMessages(const TaskPreset& preset, const TaskFields& fields)
{
    auto system = renderText(preset.system, fields, "system text", preset.id);
    if (!system.ok())
        return system.error();
    auto user = renderText(preset.user, fields, "user text", preset.id);
    if (!user.ok())
        return user.error();
    std::vector<ChatMessage> messages;
    const std::string systemText = py::strip(*system, std::nullopt, true, true);
    if (!systemText.empty())
        messages.push_back({"system", systemText});
    messages.push_back({"user", py::strip(*user, std::nullopt, true, true)});
    return messages;
}

Result<TaskPrompt> renderTaskPrompt(const ChatTemplate& tmpl, const TaskPreset& preset, const TaskFields& fields,
                                    const ChatRequest& base)
{
    auto messages = buildTaskMessages(preset, fields);
    if (!messages.ok())
        return messages.error();
    ChatRequest request = base;
    request.addGenerationPrompt = true;
    request.messages = messagesValue(*messages);
    auto rendered = renderForModel(tmpl, request);
    if (!rendered.ok())
        return rendered.error();
    TaskPrompt out;
    out.messages = std::move(*messages);
    if (rendered->systemFolded && out.messages.size() == 2) {
        out.messages[1].content = out.messages[0].content + "\n\n" + out.messages[1].content;
        out.messages.erase(out.messages.begin());
    }
    out.text = std::move(rendered->text);
    out.systemFolded = rendered->systemFolded;
    out.compatVariables = rendered->compatVariables;
    return out;
}

} // namespace engine::chat
