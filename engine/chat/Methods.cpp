// Methods of str, dict and list values as Python offers them to a sandboxed template. Methods
// that would mutate a list or dict exist (so the error says why) but fail, as in transformers'
// immutable sandbox.
#include "chat/Interpreter.h"
#include "chat/PyString.h"

#include <algorithm>
#include <array>

namespace engine::chat {
namespace {

constexpr std::array kStrMethods = {"strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith",
                                    "endswith", "upper", "lower", "title", "capitalize", "replace", "format",
                                    "find", "rfind", "index", "count", "join", "isdigit", "isalpha", "isalnum",
                                    "isspace", "islower", "isupper", "center", "ljust", "rjust", "zfill",
                                    "removeprefix", "removesuffix", "partition", "rpartition", "casefold",
                                    "swapcase", "isnumeric", "isdecimal", "istitle", "encode"};
constexpr std::array kDictMethods = {"items", "keys", "values", "get", "copy"};
constexpr std::array kListMethods = {"index", "count", "copy"};
constexpr std::array kMutators = {"append", "pop", "insert", "extend", "remove", "clear", "sort", "reverse",
                                  "update", "setdefault", "popitem", "__setitem__", "__delitem__"};

template <size_t N>
bool contains(const std::array<const char*, N>& names, const std::string& name)
{
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

std::optional<std::string> optString(Interpreter& in, const Value* v, const char* what)
{
    if (!v || v->isNone())
        return std::nullopt;
    if (!v->isString())
        in.fail(std::string(what) + " arg must be None or str");
    return v->asString();
}

int64_t intArg(Interpreter& in, const Value* v, int64_t fallback)
{
    if (!v || v->isNone())
        return fallback;
    if (!v->isInt() && !v->isBool())
        in.fail(std::string("'") + v->typeName() + "' object cannot be interpreted as an integer");
    return v->asInt();
}

const std::string& strArg(Interpreter& in, const CallArgs& a, size_t i, const char* name, const char* method)
{
    const Value* v = a.get(i, name);
    if (!v)
        in.fail(std::string(method) + "() missing required argument '" + name + "'");
    if (!v->isString())
        in.fail(std::string(method) + "() argument must be str, not " + v->typeName());
    return v->asString();
}

Value stringList(const std::vector<std::string>& parts)
{
    ValueList out;
    out.reserve(parts.size());
    for (const auto& p : parts)
        out.push_back(Value::string(p));
    return Value::list(std::move(out));
}

// str.format with {} / {0} / {name} fields; format specs other than plain fields are rejected.
std::string pyFormat(Interpreter& in, const std::string& fmt, const CallArgs& args)
{
    std::string out;
    size_t autoIndex = 0;
    for (size_t i = 0; i < fmt.size(); ++i) {
        const char c = fmt[i];
        if (c == '{') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
                out += '{';
                ++i;
                continue;
            }
            const size_t close = fmt.find('}', i);
            if (close == std::string::npos)
                in.fail("Single '{' encountered in format string");
            std::string field = fmt.substr(i + 1, close - i - 1);
            std::string spec;
            if (const size_t colon = field.find(':'); colon != std::string::npos) {
                spec = field.substr(colon + 1);
                field.resize(colon);
            }
            const Value* v = nullptr;
            if (field.empty()) {
                v = autoIndex < args.positional.size() ? &args.positional[autoIndex] : nullptr;
                ++autoIndex;
            } else if (std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
                const size_t idx = std::stoul(field);
                v = idx < args.positional.size() ? &args.positional[idx] : nullptr;
            } else {
                v = args.named_(field);
            }
            if (!v)
                in.fail("Replacement index " + field + " out of range for positional args tuple");
            std::string text = toPythonStr(*v);
            if (!spec.empty()) {
                // Width and alignment only ("<10", ">8", "^6").
                char align = v->isNumber() ? '>' : '<';
                size_t p = 0;
                if (!spec.empty() && (spec[0] == '<' || spec[0] == '>' || spec[0] == '^'))
                    align = spec[p++];
                const std::string width = spec.substr(p);
                if (width.empty() || !std::all_of(width.begin(), width.end(), [](char d) { return d >= '0' && d <= '9'; }))
                    in.fail("unsupported format spec '" + spec + "'");
                const size_t w = std::stoul(width);
                const size_t len = utf8Length(text);
                if (len < w) {
                    const size_t pad = w - len;
                    if (align == '<')
                        text += std::string(pad, ' ');
                    else if (align == '>')
                        text = std::string(pad, ' ') + text;
                    else
                        text = std::string(pad / 2, ' ') + text + std::string(pad - pad / 2, ' ');
                }
            }
            out += text;
            i = close;
        } else if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}')
                ++i;
            else
                in.fail("Single '}' encountered in format string");
            out += '}';
        } else {
            out += c;
        }
    }
    in.checkSize(out.size());
    return out;
}

bool matchAffix(Interpreter& in, const std::string& s, const Value* affix, bool prefix, const char* method)
{
    if (!affix)
        in.fail(std::string(method) + "() takes at least 1 argument (0 given)");
    auto test = [&](const Value& a) {
        if (!a.isString())
            in.fail(std::string(method) + " first arg must be str or a tuple of str, not " + a.typeName());
        const std::string& t = a.asString();
        if (t.size() > s.size())
            return false;
        return prefix ? s.compare(0, t.size(), t) == 0 : s.compare(s.size() - t.size(), t.size(), t) == 0;
    };
    if (affix->isList())
        return std::any_of(affix->asList().begin(), affix->asList().end(), test);
    return test(*affix);
}

Value stringMethod(Interpreter& in, const std::string& s, const std::string& name, const CallArgs& a)
{
    if (name == "strip" || name == "lstrip" || name == "rstrip")
        return Value::string(py::strip(s, optString(in, a.get(0, "chars"), name.c_str()), name != "rstrip",
                                       name != "lstrip"));
    if (name == "split" || name == "rsplit") {
        const auto sep = optString(in, a.get(0, "sep"), "sep");
        if (sep && sep->empty())
            in.fail("empty separator");
        const int64_t maxSplit = intArg(in, a.get(1, "maxsplit"), -1);
        return stringList(name == "split" ? py::split(s, sep, maxSplit) : py::rsplit(s, sep, maxSplit));
    }
    if (name == "splitlines") {
        const Value* keep = a.get(0, "keepends");
        return stringList(py::splitLines(s, keep && keep->truthy()));
    }
    if (name == "startswith" || name == "endswith")
        return Value::boolean(matchAffix(in, s, a.get(0, "prefix"), name == "startswith", name.c_str()));
    if (name == "upper")
        return Value::string(py::upper(s));
    if (name == "lower" || name == "casefold")
        return Value::string(py::lower(s));
    if (name == "title")
        return Value::string(py::title(s));
    if (name == "capitalize")
        return Value::string(py::capitalize(s));
    if (name == "swapcase") {
        std::string out = s;
        for (char& c : out)
            c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        return Value::string(out);
    }
    if (name == "replace") {
        const std::string& from = strArg(in, a, 0, "old", "replace");
        const std::string& to = strArg(in, a, 1, "new", "replace");
        std::string out = py::replace(s, from, to, intArg(in, a.get(2, "count"), -1));
        in.checkSize(out.size());
        return Value::string(std::move(out));
    }
    if (name == "format")
        return Value::string(pyFormat(in, s, a));
    if (name == "find" || name == "rfind" || name == "index" || name == "count") {
        const std::string& sub = strArg(in, a, 0, "sub", name.c_str());
        if (name == "count") {
            if (sub.empty())
                return Value::integer(static_cast<int64_t>(utf8Length(s)) + 1);
            int64_t n = 0;
            for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size()))
                ++n;
            return Value::integer(n);
        }
        const size_t at = name == "rfind" ? s.rfind(sub) : s.find(sub);
        if (at == std::string::npos) {
            if (name == "index")
                in.fail("substring not found");
            return Value::integer(-1);
        }
        return Value::integer(static_cast<int64_t>(utf8Length(std::string_view(s).substr(0, at))));
    }
    if (name == "join") {
        const Value* items = a.get(0, "iterable");
        if (!items)
            in.fail("join() takes exactly one argument (0 given)");
        std::string out;
        bool first = true;
        for (const auto& item : in.iterate(*items)) {
            if (!item.isString())
                in.fail(std::string("sequence item: expected str instance, ") + item.typeName() + " found");
            if (!first)
                out += s;
            first = false;
            out += item.asString();
            in.checkSize(out.size());
        }
        return Value::string(std::move(out));
    }
    if (name == "isdigit" || name == "isnumeric" || name == "isdecimal" || name == "isalpha" ||
        name == "isalnum" || name == "isspace" || name == "islower" || name == "isupper" || name == "istitle") {
        const std::u32string u = py::decode(s);
        if (u.empty())
            return Value::boolean(false);
        auto digit = [](char32_t c) { return c >= '0' && c <= '9'; };
        auto alpha = [](char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; };
        bool r = true;
        if (name == "isdigit" || name == "isnumeric" || name == "isdecimal")
            r = std::all_of(u.begin(), u.end(), digit);
        else if (name == "isalpha")
            r = std::all_of(u.begin(), u.end(), alpha);
        else if (name == "isalnum")
            r = std::all_of(u.begin(), u.end(), [&](char32_t c) { return digit(c) || alpha(c); });
        else if (name == "isspace")
            r = std::all_of(u.begin(), u.end(), py::isSpace);
        else if (name == "islower")
            r = py::lower(s) == s && py::upper(s) != s;
        else if (name == "isupper")
            r = py::upper(s) == s && py::lower(s) != s;
        else
            r = py::title(s) == s && py::lower(s) != s;
        return Value::boolean(r);
    }
    if (name == "center" || name == "ljust" || name == "rjust" || name == "zfill") {
        const int64_t width = intArg(in, a.get(0, "width"), 0);
        in.checkSize(static_cast<size_t>(std::max<int64_t>(width, 0)));
        const int64_t len = static_cast<int64_t>(utf8Length(s));
        if (width <= len)
            return Value::string(s);
        const auto fillArg = optString(in, a.get(1, "fillchar"), "fillchar");
        const std::string fill = name == "zfill" ? "0" : fillArg.value_or(" ");
        const int64_t pad = width - len;
        auto rep = [&](int64_t n) {
            std::string r;
            for (int64_t i = 0; i < n; ++i)
                r += fill;
            return r;
        };
        if (name == "ljust")
            return Value::string(s + rep(pad));
        if (name == "rjust")
            return Value::string(rep(pad) + s);
        if (name == "zfill") {
            if (!s.empty() && (s[0] == '-' || s[0] == '+'))
                return Value::string(s.substr(0, 1) + rep(pad) + s.substr(1));
            return Value::string(rep(pad) + s);
        }
        const int64_t left = pad / 2 + (pad & width & 1);
        return Value::string(rep(left) + s + rep(pad - left));
    }
    if (name == "removeprefix" || name == "removesuffix") {
        const std::string& affix = strArg(in, a, 0, "affix", name.c_str());
        if (name == "removeprefix" && s.compare(0, affix.size(), affix) == 0)
            return Value::string(s.substr(affix.size()));
        if (name == "removesuffix" && !affix.empty() && s.size() >= affix.size() &&
            s.compare(s.size() - affix.size(), affix.size(), affix) == 0)
            return Value::string(s.substr(0, s.size() - affix.size()));
        return Value::string(s);
    }
    if (name == "partition" || name == "rpartition") {
        const std::string& sep = strArg(in, a, 0, "sep", name.c_str());
        if (sep.empty())
            in.fail("empty separator");
        const size_t at = name == "partition" ? s.find(sep) : s.rfind(sep);
        if (at == std::string::npos)
            return name == "partition" ? stringList({s, "", ""}) : stringList({"", "", s});
        return stringList({s.substr(0, at), sep, s.substr(at + sep.size())});
    }
    if (name == "encode")
        return Value::string(s);
    in.fail("'str' object has no attribute '" + name + "'");
}

} // namespace

bool isMethod(const Value& object, const std::string& name)
{
    switch (object.kind()) {
    case Value::Kind::String: return contains(kStrMethods, name);
    case Value::Kind::Dict: return contains(kDictMethods, name) || contains(kMutators, name);
    case Value::Kind::List:
        return !object.isGenerator() && (contains(kListMethods, name) || contains(kMutators, name));
    default: return false;
    }
}

Value callMethod(Interpreter& in, const Value& object, const std::string& name, const CallArgs& a)
{
    if (object.isString())
        return stringMethod(in, object.asString(), name, a);
    if (contains(kMutators, name))
        in.fail("access to attribute '" + name + "' of '" + object.typeName() + "' object is unsafe.");
    if (object.isDict()) {
        const ValueDict& d = object.asDict();
        if (name == "items") {
            ValueList out;
            for (const auto& [k, v] : d)
                out.push_back(Value::tuple({k, v}));
            return Value::list(std::move(out));
        }
        if (name == "keys" || name == "values") {
            ValueList out;
            for (const auto& [k, v] : d)
                out.push_back(name == "keys" ? k : v);
            return Value::list(std::move(out));
        }
        if (name == "get") {
            const Value* key = a.get(0, "key");
            if (!key)
                in.fail("get expected at least 1 argument, got 0");
            if (const Value* v = object.find(*key))
                return *v;
            const Value* def = a.get(1, "default");
            return def ? *def : Value::none();
        }
        if (name == "copy")
            return Value::dict(d);
    }
    if (object.isList()) {
        const ValueList& items = object.asList();
        if (name == "copy")
            return object;
        const Value* x = a.get(0, "value");
        if (!x)
            in.fail(name + "() takes exactly one argument (0 given)");
        if (name == "count")
            return Value::integer(std::count_if(items.begin(), items.end(), [&](const Value& v) { return valuesEqual(v, *x); }));
        for (size_t i = 0; i < items.size(); ++i)
            if (valuesEqual(items[i], *x))
                return Value::integer(static_cast<int64_t>(i));
        in.fail(toPythonRepr(*x) + " is not in list");
    }
    in.fail("'" + std::string(object.typeName()) + "' object has no attribute '" + name + "'");
}

} // namespace engine::chat
