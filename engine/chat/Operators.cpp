// Python semantics for the binary operators, comparisons and `in`.
#include "chat/Interpreter.h"

#include <cmath>

namespace engine::chat {
namespace {

std::string pyTypeName(const Value& v) { return v.typeName(); }

[[noreturn]] void unsupported(Interpreter& in, const std::string& op, const Value& a, const Value& b)
{
    in.fail("unsupported operand type(s) for " + op + ": '" + pyTypeName(a) + "' and '" + pyTypeName(b) + "'");
}

Value repeatValue(Interpreter& in, const Value& seq, int64_t times)
{
    if (times <= 0)
        return seq.isString() ? Value::string({}) : Value::list({});
    if (seq.isString()) {
        const std::string& s = seq.asString();
        in.checkSize(s.size() * static_cast<size_t>(std::min<int64_t>(times, INT32_MAX)));
        std::string out;
        out.reserve(s.size() * static_cast<size_t>(times));
        for (int64_t i = 0; i < times; ++i)
            out += s;
        return Value::string(std::move(out));
    }
    const auto& items = seq.asList();
    in.checkSize(items.size() * static_cast<size_t>(std::min<int64_t>(times, INT32_MAX)) * sizeof(Value));
    in.countIterations(items.size() * static_cast<uint64_t>(times));
    ValueList out;
    for (int64_t i = 0; i < times; ++i)
        out.insert(out.end(), items.begin(), items.end());
    return Value::list(std::move(out));
}

int64_t floorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// printf-style formatting for `str % args`.
std::string percentFormat(Interpreter& in, const std::string& fmt, const Value& args)
{
    // A tuple supplies the arguments; any other value is the single argument (lists and dicts
    // count as mappings and may go unused, as in Python).
    const ValueList values = args.isTuple() ? args.asList() : ValueList{args};
    const bool mustConsumeAll = args.isTuple() || !(args.isList() || args.isDict());
    size_t next = 0;
    std::string out;
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        if (++i >= fmt.size())
            in.fail("incomplete format");
        std::string spec = "%";
        while (i < fmt.size() && std::string("-+ #0123456789.").find(fmt[i]) != std::string::npos)
            spec += fmt[i++];
        if (i >= fmt.size())
            in.fail("incomplete format");
        const char conv = fmt[i];
        if (conv == '%') {
            out += '%';
            continue;
        }
        if (next >= values.size())
            in.fail("not enough arguments for format string");
        const Value& v = values[next++];
        char buf[512];
        switch (conv) {
        case 's': out += toPythonStr(v); break;
        case 'r': out += toPythonRepr(v); break;
        case 'd':
        case 'i':
            if (!v.isNumber())
                in.fail(std::string("%d format: a real number is required, not ") + v.typeName());
            std::snprintf(buf, sizeof buf, (spec + "lld").c_str(),
                          static_cast<long long>(v.isFloat() ? std::trunc(v.asDouble()) : v.asInt()));
            out += buf;
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'g':
            if (!v.isNumber())
                in.fail(std::string("must be real number, not ") + v.typeName());
            std::snprintf(buf, sizeof buf, (spec + conv).c_str(), v.asDouble());
            out += buf;
            break;
        default: in.fail(std::string("unsupported format character '") + conv + "'");
        }
    }
    if (next < values.size() && mustConsumeAll)
        in.fail("not all arguments converted during string formatting");
    return out;
}

} // namespace

Value binaryOp(Interpreter& in, const std::string& op, const Value& a, const Value& b)
{
    if (op == "~") {
        std::string s = toPythonStr(a);
        const std::string t = toPythonStr(b);
        in.checkSize(s.size() + t.size());
        return Value::string(s + t);
    }
    if (a.isUndefined())
        in.failUndefined(a);
    if (b.isUndefined())
        in.failUndefined(b);
    if (a.isGenerator() || b.isGenerator()) // Python: generators support no arithmetic
        unsupported(in, op, a, b);
    const bool nums = a.isNumber() && b.isNumber();
    const bool anyFloat = a.isFloat() || b.isFloat();
    if (op == "+") {
        if (nums) {
            if (anyFloat)
                return Value::number(a.asDouble() + b.asDouble());
            int64_t r;
            if (__builtin_add_overflow(a.asInt(), b.asInt(), &r))
                in.fail("integer overflow");
            return Value::integer(r);
        }
        if (a.isString() && b.isString()) {
            in.checkSize(a.asString().size() + b.asString().size());
            // Markup + str escapes the str (markupsafe), which templates meet via `"..."|safe + x`.
            if (a.isMarkup() || b.isMarkup())
                return Value::markup((a.isMarkup() ? a.asString() : htmlEscape(a.asString())) +
                                     (b.isMarkup() ? b.asString() : htmlEscape(b.asString())));
            return Value::string(a.asString() + b.asString());
        }
        if (a.isList() && b.isList()) {
            in.checkSize((a.asList().size() + b.asList().size()) * sizeof(Value));
            in.countIterations(a.asList().size() + b.asList().size());
            ValueList out = a.asList();
            out.insert(out.end(), b.asList().begin(), b.asList().end());
            return Value::list(std::move(out));
        }
        if (a.isString())
            in.fail(std::string("can only concatenate str (not \"") + b.typeName() + "\") to str");
        if (a.isList())
            in.fail(std::string("can only concatenate list (not \"") + b.typeName() + "\") to list");
        unsupported(in, op, a, b);
    }
    if (op == "-") {
        if (!nums)
            unsupported(in, op, a, b);
        if (anyFloat)
            return Value::number(a.asDouble() - b.asDouble());
        int64_t r;
        if (__builtin_sub_overflow(a.asInt(), b.asInt(), &r))
            in.fail("integer overflow");
        return Value::integer(r);
    }
    if (op == "*") {
        if (nums) {
            if (anyFloat)
                return Value::number(a.asDouble() * b.asDouble());
            int64_t r;
            if (__builtin_mul_overflow(a.asInt(), b.asInt(), &r))
                in.fail("integer overflow");
            return Value::integer(r);
        }
        if ((a.isString() || a.isList()) && (b.isInt() || b.isBool()))
            return repeatValue(in, a, b.asInt());
        if ((b.isString() || b.isList()) && (a.isInt() || a.isBool()))
            return repeatValue(in, b, a.asInt());
        in.fail(std::string("can't multiply sequence by non-int of type '") + (a.isString() || a.isList() ? b.typeName() : a.typeName()) + "'");
    }
    if (op == "/") {
        if (!nums)
            unsupported(in, op, a, b);
        if (b.asDouble() == 0.0)
            in.fail("division by zero");
        return Value::number(a.asDouble() / b.asDouble());
    }
    if (op == "//") {
        if (!nums)
            unsupported(in, op, a, b);
        if (b.asDouble() == 0.0)
            in.fail("integer division or modulo by zero");
        if (anyFloat)
            return Value::number(std::floor(a.asDouble() / b.asDouble()));
        return Value::integer(floorDiv(a.asInt(), b.asInt()));
    }
    if (op == "%") {
        if (a.isString())
            return Value::string(percentFormat(in, a.asString(), b));
        if (!nums)
            unsupported(in, op, a, b);
        if (b.asDouble() == 0.0)
            in.fail("integer division or modulo by zero");
        if (anyFloat) {
            const double x = a.asDouble(), y = b.asDouble();
            double r = std::fmod(x, y);
            if (r != 0.0 && ((r < 0) != (y < 0)))
                r += y;
            return Value::number(r);
        }
        return Value::integer(a.asInt() - floorDiv(a.asInt(), b.asInt()) * b.asInt());
    }
    if (op == "**") {
        if (!nums)
            unsupported(in, "** or pow()", a, b);
        if (!anyFloat && b.asInt() >= 0) {
            int64_t r = 1, base = a.asInt();
            for (int64_t e = b.asInt(); e > 0; e >>= 1) {
                if (e & 1)
                    if (__builtin_mul_overflow(r, base, &r))
                        in.fail("integer overflow");
                if (e > 1 && __builtin_mul_overflow(base, base, &base))
                    in.fail("integer overflow");
            }
            return Value::integer(r);
        }
        return Value::number(std::pow(a.asDouble(), b.asDouble()));
    }
    in.fail("unknown operator '" + op + "'");
}

int compareValues(Interpreter& in, const Value& a, const Value& b)
{
    if (a.isNumber() && b.isNumber()) {
        if (a.isFloat() || b.isFloat()) {
            const double x = a.asDouble(), y = b.asDouble();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        return a.asInt() < b.asInt() ? -1 : (a.asInt() > b.asInt() ? 1 : 0);
    }
    if (a.isString() && b.isString()) {
        const int c = a.asString().compare(b.asString()); // UTF-8 byte order is code point order
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (a.isList() && b.isList()) {
        const auto& x = a.asList();
        const auto& y = b.asList();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (valuesEqual(x[i], y[i]))
                continue;
            return compareValues(in, x[i], y[i]);
        }
        return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    if (a.isUndefined())
        in.failUndefined(a);
    if (b.isUndefined())
        in.failUndefined(b);
    in.fail(std::string("'<' not supported between instances of '") + a.typeName() + "' and '" + b.typeName() + "'");
}

bool compareOp(Interpreter& in, const std::string& op, const Value& a, const Value& b)
{
    if (op == "==")
        return valuesEqual(a, b);
    if (op == "!=")
        return !valuesEqual(a, b);
    const bool orderable = (a.isNumber() && b.isNumber()) || (a.isString() && b.isString()) ||
                           (a.isList() && b.isList() && !a.isGenerator() && !b.isGenerator());
    if (!orderable) {
        if (a.isUndefined())
            in.failUndefined(a);
        if (b.isUndefined())
            in.failUndefined(b);
        in.fail("'" + op + "' not supported between instances of '" + a.typeName() + "' and '" + b.typeName() + "'");
    }
    const int c = compareValues(in, a, b);
    if (op == "<")
        return c < 0;
    if (op == "<=")
        return c <= 0;
    if (op == ">")
        return c > 0;
    return c >= 0;
}

bool containsOp(Interpreter& in, const Value& item, const Value& container)
{
    switch (container.kind()) {
    case Value::Kind::Undefined: return false;
    case Value::Kind::String:
        if (!item.isString())
            in.fail(std::string("'in <string>' requires string as left operand, not ") + item.typeName());
        return container.asString().find(item.asString()) != std::string::npos;
    case Value::Kind::List:
        for (const auto& v : container.asList())
            if (valuesEqual(v, item))
                return true;
        return false;
    case Value::Kind::Dict: return container.find(item) != nullptr;
    default: in.fail(std::string("argument of type '") + container.typeName() + "' is not iterable");
    }
}

} // namespace engine::chat
