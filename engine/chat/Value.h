#pragma once
// The values a chat template computes with. They mirror the Python objects Jinja2 hands a
// template under Hugging Face transformers: None, bool, int, float, str, list, dict (insertion
// ordered), callables, plus Jinja2's Undefined. Lists and dicts share their storage on copy;
// templates cannot mutate them (transformers renders in an immutable sandbox), except namespace
// objects, which are the one mutable container Jinja2 offers and are shared by reference.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace engine::chat {

class Value;
class Interpreter;
struct CallArgs;

using ValueList = std::vector<Value>;
using ValueDict = std::vector<std::pair<Value, Value>>; // insertion order, keys are unique

// A built-in function, a bound method or a macro. Failures throw TemplateFailure (Interpreter.h),
// which the render entry point turns into an engine::Error.
using NativeFunction = std::function<Value(Interpreter&, const CallArgs&)>;

class Value {
public:
    enum class Kind : uint8_t { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable };

    Value() = default; // Undefined
    static Value undefined(std::string hint = {});
    static Value none();
    static Value boolean(bool b);
    static Value integer(int64_t i);
    static Value number(double d);
    static Value string(std::string s);
    static Value list(ValueList items);
    static Value tuple(ValueList items); // a list that prints as a Python tuple
    // The lazy result of map/select/reject/selectattr/rejectattr: Python makes these generators,
    // which are always true, have no len() and cannot go through tojson.
    static Value generator(ValueList items);
    // Jinja2's Markup (from |safe, |escape): `markup + str` HTML-escapes the str.
    static Value markup(std::string s);
    static Value dict(ValueDict items);
    static Value makeNamespace(ValueDict items);
    static Value callable(std::string name, NativeFunction fn);

    Kind kind() const { return m_kind; }
    bool isUndefined() const { return m_kind == Kind::Undefined; }
    bool isNone() const { return m_kind == Kind::None; }
    bool isBool() const { return m_kind == Kind::Bool; }
    bool isInt() const { return m_kind == Kind::Int; }
    bool isFloat() const { return m_kind == Kind::Float; }
    bool isNumber() const { return m_kind == Kind::Int || m_kind == Kind::Float || m_kind == Kind::Bool; }
    bool isString() const { return m_kind == Kind::String; }
    bool isList() const { return m_kind == Kind::List; }
    bool isTuple() const { return m_kind == Kind::List && m_int == 1; }
    bool isGenerator() const { return m_kind == Kind::List && m_int == 2; }
    bool isMarkup() const { return m_kind == Kind::String && m_int == 1; }
    bool isDict() const { return m_kind == Kind::Dict; }
    bool isNamespace() const { return m_kind == Kind::Namespace; }
    bool isMapping() const { return m_kind == Kind::Dict; }
    bool isCallable() const { return m_kind == Kind::Callable; }

    bool asBool() const { return m_int != 0; }
    int64_t asInt() const { return m_int; }                 // Int and Bool
    double asDouble() const;                                // Int, Bool, Float
    const std::string& asString() const { return *m_str; }  // String; Undefined hint
    const ValueList& asList() const { return *m_list; }
    const ValueDict& asDict() const { return *m_dict; }     // Dict and Namespace
    ValueDict& namespaceItems() const { return *m_dict; }   // Namespace only: shared, mutable
    const NativeFunction& function() const { return *m_fn; }
    const std::string& callableName() const { return *m_str; }
    // Why this value is undefined ("'x' is undefined"), for error messages.
    std::string undefinedHint() const { return m_str ? *m_str : std::string("value is undefined"); }

    // Python truthiness (Undefined is false).
    bool truthy() const;
    // Python type name as used in Python's own error messages ("NoneType", "str", "dict" ...).
    const char* typeName() const;

    // Dict lookup by Python equality; nullptr when absent.
    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;

private:
    Kind m_kind = Kind::Undefined;
    int64_t m_int = 0;
    double m_float = 0.0;
    std::shared_ptr<const std::string> m_str;
    std::shared_ptr<const ValueList> m_list;
    std::shared_ptr<ValueDict> m_dict;
    std::shared_ptr<const NativeFunction> m_fn;
};

// Python semantics: 1 == 1.0 == True, deep equality for containers, Undefined == Undefined.
bool valuesEqual(const Value& a, const Value& b);

// Python str(): None -> "None", True -> "True", 1.5 -> "1.5", lists and dicts in repr form.
std::string toPythonStr(const Value& v);
// Python repr(): strings quoted the way Python quotes them.
std::string toPythonRepr(const Value& v);
// Python float repr (shortest round-trip, "1.0", "1e-05", "inf").
std::string formatPythonFloat(double d);

// Arguments of a call: positional, then keyword arguments in call order.
struct CallArgs {
    ValueList positional;
    std::vector<std::pair<std::string, Value>> named;

    // The argument at `index` or named `name`; nullptr when not given.
    const Value* get(size_t index, std::string_view name) const;
    const Value* named_(std::string_view name) const;
};

// UTF-8 helpers: code point count and byte offsets of each code point.
size_t utf8Length(std::string_view s);
std::vector<size_t> utf8Offsets(std::string_view s); // size = length + 1 (last = s.size())

} // namespace engine::chat
