#pragma once
// Splits template source into text and tag tokens the way Jinja2's lexer does under the
// environment transformers uses for chat templates: trim_blocks, lstrip_blocks, '-'/'+'
// whitespace control, {% raw %}, comments, and a single trailing newline dropped.

#include "core/Result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engine::chat {

enum class TokenType { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End };

struct Token {
    TokenType type = TokenType::End;
    std::string text;   // Text: the data; Name/Operator: spelling; String: the decoded value
    int64_t intValue = 0;
    double floatValue = 0.0;
    int line = 1;
    int column = 1;
};

struct LexerOptions {
    bool trimBlocks = true;
    bool lstripBlocks = true;
    bool keepTrailingNewline = false;
};

Result<std::vector<Token>> tokenize(std::string_view source, const LexerOptions& options = {});

} // namespace engine::chat
