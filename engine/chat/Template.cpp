#include "chat/Template.h"

#include "chat/Lexer.h"
#include "chat/Parser.h"

namespace engine::chat {

Result<Template> Template::parse(std::string_view source)
{
    if (source.size() > kMaxSourceBytes)
        return makeError(ErrorCode::Template, "template is too large (" + std::to_string(source.size()) +
                                                  " bytes, limit " + std::to_string(kMaxSourceBytes) + ")");
    auto tokens = tokenize(source);
    if (!tokens.ok())
        return tokens.error();
    auto body = parseTemplate(*tokens);
    if (!body.ok())
        return body.error();
    Template t;
    t.m_body = std::make_shared<const NodeList>(std::move(*body));
    return t;
}

Result<std::string> Template::render(const Value& variables, const RenderOptions& options) const
{
    Interpreter interpreter(options.limits);
    interpreter.setNow(options.now);
    return interpreter.render(*m_body, variables);
}

} // namespace engine::chat
