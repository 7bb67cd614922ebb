#pragma once
// A parsed Jinja template, ready to render many times. The public face of the interpreter:
//
//   auto t = chat::Template::parse(source);          // syntax errors name line and column
//   auto text = t->render(variables, options);        // variables: a dict Value
//
// Rendering is deterministic and bounded by RenderLimits; failures are ErrorCode::Template.

#include "chat/Interpreter.h"
#include "chat/Value.h"
#include "core/Result.h"

#include <memory>
#include <string>
#include <string_view>

namespace engine::chat {

struct RenderOptions {
    RenderLimits limits;
    DateTime now;            // what strftime_now() formats
};

class Template {
public:
    // Largest template source accepted (real chat templates are under 100 KB).
    static constexpr size_t kMaxSourceBytes = 4u << 20;

    static Result<Template> parse(std::string_view source);

    Result<std::string> render(const Value& variables, const RenderOptions& options = {}) const;

private:
    std::shared_ptr<const NodeList> m_body;
};

} // namespace engine::chat
