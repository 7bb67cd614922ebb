#pragma once
// Python str operations on UTF-8 text, as chat templates call them (strip, split, title ...).
// Case mapping covers ASCII only; other scripts pass through unchanged.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::chat::py {

std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
void appendUtf8(std::string& out, char32_t cp);

bool isSpace(char32_t c); // str.isspace()

// str.strip/lstrip/rstrip; chars = nullopt strips whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);
// str.split / str.rsplit; sep = nullopt splits on runs of whitespace.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit);
std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit);
std::vector<std::string> splitLines(std::string_view s, bool keepEnds);
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string title(std::string_view s);
std::string capitalize(std::string_view s);

} // namespace engine::chat::py
