#pragma once
// Builds the AST from the lexer's tokens (Jinja2's grammar and operator precedence).

#include "chat/Ast.h"
#include "chat/Lexer.h"
#include "core/Result.h"

namespace engine::chat {

struct ParseLimits {
    int maxNesting = 128; // nested blocks and parenthesised expressions
};

Result<NodeList> parseTemplate(const std::vector<Token>& tokens, const ParseLimits& limits = {});

} // namespace engine::chat
