// Jinja2's built-in tests (`x is defined`, `x is string` ...), with Python's type rules:
// a bool is a number, a string is iterable and a sequence, Undefined is iterable.
#include "chat/Interpreter.h"
#include "chat/PyString.h"

#include <unordered_map>

namespace engine::chat {
namespace {

using Test = bool (*)(Interpreter&, const Value&, const CallArgs&);

const Value& arg(Interpreter& in, const CallArgs& a, const char* test)
{
    if (a.positional.empty() && a.named.empty())
        in.fail(std::string("test '") + test + "' needs an argument");
    return a.positional.empty() ? a.named.front().second : a.positional.front();
}

bool tDefined(Interpreter&, const Value& v, const CallArgs&) { return !v.isUndefined(); }
bool tUndefined(Interpreter&, const Value& v, const CallArgs&) { return v.isUndefined(); }
bool tNone(Interpreter&, const Value& v, const CallArgs&) { return v.isNone(); }
bool tBoolean(Interpreter&, const Value& v, const CallArgs&) { return v.isBool(); }
bool tTrue(Interpreter&, const Value& v, const CallArgs&) { return v.isBool() && v.asBool(); }
bool tFalse(Interpreter&, const Value& v, const CallArgs&) { return v.isBool() && !v.asBool(); }
bool tInteger(Interpreter&, const Value& v, const CallArgs&) { return v.isInt(); }
bool tFloat(Interpreter&, const Value& v, const CallArgs&) { return v.isFloat(); }
bool tNumber(Interpreter&, const Value& v, const CallArgs&) { return v.isNumber(); }
bool tString(Interpreter&, const Value& v, const CallArgs&) { return v.isString(); }
bool tMapping(Interpreter&, const Value& v, const CallArgs&) { return v.isDict(); }
bool tCallable(Interpreter&, const Value& v, const CallArgs&) { return v.isCallable(); }
bool tIterable(Interpreter&, const Value& v, const CallArgs&)
{
    return v.isUndefined() || v.isString() || v.isList() || v.isDict();
}
bool tSequence(Interpreter&, const Value& v, const CallArgs&)
{
    return v.isUndefined() || v.isString() || (v.isList() && !v.isGenerator()) || v.isDict();
}

// Jinja2: odd is `value % 2 == 1`, even `value % 2 == 0`, divisibleby `value % num == 0`,
// with Python's % (so 0.5 is neither odd nor even).
bool moduloIs(Interpreter& in, const Value& v, const Value& divisor, int64_t expected)
{
    return valuesEqual(binaryOp(in, "%", v, divisor), Value::integer(expected));
}

bool tOdd(Interpreter& in, const Value& v, const CallArgs&) { return moduloIs(in, v, Value::integer(2), 1); }
bool tEven(Interpreter& in, const Value& v, const CallArgs&) { return moduloIs(in, v, Value::integer(2), 0); }
bool tDivisibleBy(Interpreter& in, const Value& v, const CallArgs& a)
{
    return moduloIs(in, v, arg(in, a, "divisibleby"), 0);
}

bool tEq(Interpreter& in, const Value& v, const CallArgs& a) { return compareOp(in, "==", v, arg(in, a, "eq")); }
bool tNe(Interpreter& in, const Value& v, const CallArgs& a) { return compareOp(in, "!=", v, arg(in, a, "ne")); }
bool tLt(Interpreter& in, const Value& v, const CallArgs& a) { return compareOp(in, "<", v, arg(in, a, "lt")); }
bool tLe(Interpreter& in, const Value& v, const CallArgs& a) { return compareOp(in, "<=", v, arg(in, a, "le")); }
bool tGt(Interpreter& in, const Value& v, const CallArgs& a) { return compareOp(in, ">", v, arg(in, a, "gt")); }
bool tGe(Interpreter& in, const Value& v, const CallArgs& a) { return compareOp(in, ">=", v, arg(in, a, "ge")); }
bool tIn(Interpreter& in, const Value& v, const CallArgs& a) { return containsOp(in, v, arg(in, a, "in")); }
bool tSameAs(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value& o = arg(in, a, "sameas");
    if (v.kind() != o.kind())
        return false;
    if (v.isNone() || v.isUndefined())
        return true;
    if (v.isBool() || v.isInt())
        return v.asInt() == o.asInt();
    return valuesEqual(v, o) && (v.isString() || v.isFloat());
}
bool tLower(Interpreter&, const Value& v, const CallArgs&)
{
    return v.isString() && py::lower(v.asString()) == v.asString();
}
bool tUpper(Interpreter&, const Value& v, const CallArgs&)
{
    return v.isString() && py::upper(v.asString()) == v.asString();
}
bool tEscaped(Interpreter&, const Value&, const CallArgs&) { return false; }

const std::unordered_map<std::string, Test>& tests()
{
    static const std::unordered_map<std::string, Test> table = {
        {"defined", tDefined}, {"undefined", tUndefined}, {"none", tNone}, {"boolean", tBoolean},
        {"true", tTrue}, {"false", tFalse}, {"integer", tInteger}, {"float", tFloat}, {"number", tNumber},
        {"string", tString}, {"mapping", tMapping}, {"callable", tCallable}, {"iterable", tIterable},
        {"sequence", tSequence}, {"odd", tOdd}, {"even", tEven}, {"divisibleby", tDivisibleBy},
        {"eq", tEq}, {"equalto", tEq}, {"==", tEq}, {"ne", tNe}, {"!=", tNe}, {"lt", tLt},
        {"lessthan", tLt}, {"<", tLt}, {"le", tLe}, {"<=", tLe}, {"gt", tGt}, {"greaterthan", tGt},
        {">", tGt}, {"ge", tGe}, {">=", tGe}, {"in", tIn}, {"sameas", tSameAs}, {"lower", tLower},
        {"upper", tUpper}, {"escaped", tEscaped},
    };
    return table;
}

} // namespace

bool Interpreter::applyTest(const std::string& name, const Value& input, const CallArgs& args)
{
    const auto& table = tests();
    auto it = table.find(name);
    if (it == table.end())
        fail("no test named '" + name + "'");
    return it->second(*this, input, args);
}

} // namespace engine::chat
