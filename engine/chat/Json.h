#pragma once
// JSON in and out of template values. Output follows Python's json.dumps, which is what
// transformers' `tojson` calls (ensure_ascii=False, key order kept); input keeps object key
// order, so messages read from a file render their fields in file order.

#include "chat/Value.h"
#include "core/Result.h"

#include <optional>
#include <string>
#include <string_view>

namespace engine::chat {

struct JsonOptions {
    std::optional<std::string> indent;  // nullopt: one line; otherwise the per-level indent text
    bool ensureAscii = false;
    std::string itemSeparator = ", ";   // json.dumps uses "," when indent is set
    std::string keySeparator = ": ";
    bool sortKeys = false;
};

// Fails (Error detail names the reason) on values JSON cannot hold: Undefined, callables,
// namespaces, unsupported key types.
Result<std::string> toJson(const Value& v, const JsonOptions& options = {});

// Standard JSON (RFC 8259). Integers without fraction or exponent become Int.
Result<Value> parseJson(std::string_view text);

} // namespace engine::chat
