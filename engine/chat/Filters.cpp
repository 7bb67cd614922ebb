// Jinja2's built-in filters as chat templates use them, with transformers' `tojson`.
#include "chat/Interpreter.h"
#include "chat/Json.h"
#include "chat/PyString.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <unordered_map>

namespace engine::chat {
namespace {

using Filter = Value (*)(Interpreter&, const Value&, const CallArgs&);

bool boolArg(const CallArgs& a, size_t i, const char* name, bool fallback)
{
    const Value* v = a.get(i, name);
    return v ? v->truthy() : fallback;
}

std::string str(const Value& v) { return toPythonStr(v); }

// Attribute paths as Jinja2's make_attrgetter reads them: "a.b", "items.0".
Value attrPath(Interpreter& in, const Value& item, const Value& path)
{
    if (!path.isString())
        return in.getItem(item, path);
    Value cur = item;
    const std::string& p = path.asString();
    size_t start = 0;
    for (;;) {
        const size_t dot = p.find('.', start);
        const std::string part = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        cur = in.getItem(cur, numeric ? Value::integer(std::stoll(part)) : Value::string(part));
        if (dot == std::string::npos)
            return cur;
        start = dot + 1;
    }
}

ValueList iterateFilterInput(Interpreter& in, const Value& v)
{
    if (v.isNone() || v.isNumber() || v.isCallable() || v.isNamespace())
        in.fail(std::string("'") + v.typeName() + "' object is not iterable");
    return in.iterate(v);
}

Value fLength(Interpreter& in, const Value& v, const CallArgs&)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: return Value::integer(0);
    case Value::Kind::String: return Value::integer(static_cast<int64_t>(utf8Length(v.asString())));
    case Value::Kind::List:
        if (v.isGenerator())
            break;
        return Value::integer(static_cast<int64_t>(v.asList().size()));
    case Value::Kind::Dict: return Value::integer(static_cast<int64_t>(v.asDict().size()));
    default: break;
    }
    in.fail(std::string("object of type '") + v.typeName() + "' has no len()");
}

Value fTrim(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* chars = a.get(0, "chars");
    std::optional<std::string> set;
    if (chars && !chars->isNone()) {
        if (!chars->isString())
            in.fail("strip arg must be None or str");
        set = chars->asString();
    }
    return Value::string(py::strip(str(v), set, true, true));
}

Value fTojson(Interpreter& in, const Value& v, const CallArgs& a)
{
    JsonOptions opt;
    if (const Value* indent = a.get(0, "indent"); indent && !indent->isNone()) {
        if (indent->isString())
            opt.indent = indent->asString();
        else
            opt.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, indent->asInt())), ' ');
        opt.itemSeparator = ",";
    }
    if (const Value* ea = a.named_("ensure_ascii"))
        opt.ensureAscii = ea->truthy();
    if (const Value* sk = a.named_("sort_keys"))
        opt.sortKeys = sk->truthy();
    if (const Value* sep = a.named_("separators"); sep && sep->isList() && sep->asList().size() == 2) {
        opt.itemSeparator = str(sep->asList()[0]);
        opt.keySeparator = str(sep->asList()[1]);
    }
    auto r = toJson(v, opt);
    if (!r.ok())
        in.fail(r.error().detail);
    in.checkSize(r->size());
    return Value::string(std::move(*r));
}

Value fDefault(Interpreter&, const Value& v, const CallArgs& a)
{
    const bool boolean = boolArg(a, 1, "boolean", false);
    if (v.isUndefined() || (boolean && !v.truthy())) {
        const Value* d = a.get(0, "default_value");
        return d ? *d : Value::string({});
    }
    return v;
}

Value fJoin(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* sepArg = a.get(0, "d");
    const std::string sep = sepArg ? str(*sepArg) : std::string();
    const Value* attribute = a.get(1, "attribute");
    std::string out;
    bool first = true;
    for (const auto& item : iterateFilterInput(in, v)) {
        if (!first)
            out += sep;
        first = false;
        out += str(attribute ? attrPath(in, item, *attribute) : item);
        in.checkSize(out.size());
    }
    return Value::string(std::move(out));
}

Value fList(Interpreter& in, const Value& v, const CallArgs&) { return Value::list(iterateFilterInput(in, v)); }


Value fFirst(Interpreter& in, const Value& v, const CallArgs&)
{
    const ValueList items = iterateFilterInput(in, v);
    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value fLast(Interpreter& in, const Value& v, const CallArgs&)
{
    if (v.isUndefined())
        in.failUndefined(v);
    if (v.isGenerator())
        in.fail("'generator' object is not reversible");
    const ValueList items = iterateFilterInput(in, v);
    return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value fItems(Interpreter& in, const Value& v, const CallArgs&)
{
    if (v.isUndefined())
        return Value::generator({});
    if (!v.isDict())
        in.fail("Can only get item pairs from a mapping.");
    ValueList out;
    for (const auto& [k, item] : v.asDict())
        out.push_back(Value::tuple({k, item}));
    return Value::generator(std::move(out));
}

Value fUpper(Interpreter&, const Value& v, const CallArgs&) { return Value::string(py::upper(str(v))); }
Value fLower(Interpreter&, const Value& v, const CallArgs&) { return Value::string(py::lower(str(v))); }
Value fCapitalize(Interpreter&, const Value& v, const CallArgs&) { return Value::string(py::capitalize(str(v))); }
Value fTitle(Interpreter&, const Value& v, const CallArgs&)
{
    // Jinja2's title capitalises after spaces, dashes, brackets and braces, not after apostrophes.
    std::string s = str(v);
    bool start = true;
    for (char& c : s) {
        if (start && c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 32);
        else if (!start && c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
        start = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '-' || c == '(' ||
                c == '{' || c == '[' || c == '<';
    }
    return Value::string(s);
}

Value fString(Interpreter&, const Value& v, const CallArgs&) { return v.isString() ? v : Value::string(str(v)); }
Value fSafe(Interpreter&, const Value& v, const CallArgs&) { return Value::markup(str(v)); }

Value fEscape(Interpreter&, const Value& v, const CallArgs&)
{
    if (v.isMarkup())
        return v;
    return Value::markup(htmlEscape(str(v)));
}

Value fForceEscape(Interpreter&, const Value& v, const CallArgs&) { return Value::markup(htmlEscape(str(v))); }

} // namespace

std::string htmlEscape(const std::string& text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

Value fReplace(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* from = a.get(0, "old");
    const Value* to = a.get(1, "new");
    if (!from || !to)
        in.fail("replace filter needs 'old' and 'new'");
    const Value* count = a.get(2, "count");
    std::string out = py::replace(str(v), str(*from), str(*to), count && !count->isNone() ? count->asInt() : -1);
    in.checkSize(out.size());
    return Value::string(std::move(out));
}

Value fIndent(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* w = a.get(0, "width");
    std::string indent = w && w->isString() ? w->asString() : std::string(static_cast<size_t>(w ? std::max<int64_t>(0, w->asInt()) : 4), ' ');
    const bool first = boolArg(a, 1, "first", false);
    const bool blank = boolArg(a, 2, "blank", false);
    if (v.isUndefined()) // Jinja2 does `s += "\n"` on its input, which only strings survive
        in.failUndefined(v);
    if (!v.isString())
        in.fail(std::string("unsupported operand type(s) for +=: '") + v.typeName() + "' and 'str'");
    std::string s = str(v) + "\n"; // Jinja2 appends a newline so splitlines keeps a trailing empty line
    std::vector<std::string> lines = py::splitLines(s, false);
    std::string out;
    if (blank) {
        for (size_t i = 0; i < lines.size(); ++i) {
            if (i > 0)
                out += "\n" + indent;
            out += lines[i];
        }
    } else {
        out = lines.empty() ? std::string() : lines[0];
        for (size_t i = 1; i < lines.size(); ++i) {
            out += "\n";
            if (!lines[i].empty())
                out += indent;
            out += lines[i];
        }
    }
    if (first)
        out = indent + out;
    in.checkSize(out.size());
    return Value::string(out);
}

Value fInt(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* d = a.get(0, "default");
    const Value fallback = d ? *d : Value::integer(0);
    if (v.isUndefined())
        in.failUndefined(v);
    if (v.isInt() || v.isBool())
        return Value::integer(v.asInt());
    if (v.isFloat())
        return std::isfinite(v.asDouble()) ? Value::integer(static_cast<int64_t>(std::trunc(v.asDouble()))) : fallback;
    if (v.isString()) {
        std::string s = py::strip(v.asString(), std::nullopt, true, true);
        s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
        if (s.empty())
            return fallback;
        char* end = nullptr;
        errno = 0;
        const long long i = std::strtoll(s.c_str(), &end, 10);
        if (end && *end == 0 && errno == 0)
            return Value::integer(i);
        const double f = std::strtod(s.c_str(), &end);
        if (end && *end == 0 && std::isfinite(f))
            return Value::integer(static_cast<int64_t>(std::trunc(f)));
    }
    return fallback;
}

Value fFloat(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* d = a.get(0, "default");
    const Value fallback = d ? *d : Value::number(0.0);
    if (v.isUndefined())
        in.failUndefined(v);
    if (v.isNumber())
        return Value::number(v.asDouble());
    if (v.isString()) {
        const std::string s = py::strip(v.asString(), std::nullopt, true, true);
        char* end = nullptr;
        const double f = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == 0)
            return Value::number(f);
    }
    return fallback;
}

Value fAbs(Interpreter& in, const Value& v, const CallArgs&)
{
    if (!v.isNumber())
        in.fail(std::string("bad operand type for abs(): '") + v.typeName() + "'");
    return v.isFloat() ? Value::number(std::fabs(v.asDouble())) : Value::integer(std::llabs(v.asInt()));
}

Value fRound(Interpreter& in, const Value& v, const CallArgs& a)
{
    if (!v.isNumber())
        in.fail("round filter needs a number");
    const Value* p = a.get(0, "precision");
    const int64_t precision = p ? p->asInt() : 0;
    const Value* m = a.get(1, "method");
    const std::string method = m ? str(*m) : "common";
    const double scale = std::pow(10.0, static_cast<double>(precision));
    double x = v.asDouble() * scale;
    if (method == "ceil")
        x = std::ceil(x);
    else if (method == "floor")
        x = std::floor(x);
    else
        x = std::nearbyint(x); // Python's round(): ties to even
    return Value::number(x / scale);
}

// select/reject/selectattr/rejectattr share one loop. Jinja2 skips falsy inputs entirely.
Value selectOrReject(Interpreter& in, const Value& v, const CallArgs& a, bool attr, bool select)
{
    ValueList out;
    if (!v.truthy())
        return Value::generator(std::move(out));
    size_t next = 0;
    Value attribute;
    if (attr) {
        if (a.positional.empty())
            in.fail("missing attribute name");
        attribute = a.positional[next++];
    }
    std::string test;
    if (next < a.positional.size())
        test = str(a.positional[next++]);
    CallArgs testArgs;
    testArgs.positional.assign(a.positional.begin() + static_cast<std::ptrdiff_t>(next), a.positional.end());
    testArgs.named = a.named;
    for (const auto& item : iterateFilterInput(in, v)) {
        in.countIterations(1);
        const Value subject = attr ? attrPath(in, item, attribute) : item;
        const bool ok = test.empty() ? subject.truthy() : in.applyTest(test, subject, testArgs);
        if (ok == select)
            out.push_back(item);
    }
    return Value::generator(std::move(out));
}

Value fSelect(Interpreter& in, const Value& v, const CallArgs& a) { return selectOrReject(in, v, a, false, true); }
Value fReject(Interpreter& in, const Value& v, const CallArgs& a) { return selectOrReject(in, v, a, false, false); }
Value fSelectAttr(Interpreter& in, const Value& v, const CallArgs& a) { return selectOrReject(in, v, a, true, true); }
Value fRejectAttr(Interpreter& in, const Value& v, const CallArgs& a) { return selectOrReject(in, v, a, true, false); }

Value fMap(Interpreter& in, const Value& v, const CallArgs& a)
{
    ValueList out;
    if (!v.truthy())
        return Value::generator(std::move(out));
    const Value* attribute = a.named_("attribute");
    const Value* def = a.named_("default");
    for (const auto& item : iterateFilterInput(in, v)) {
        in.countIterations(1);
        if (attribute) {
            Value r = attrPath(in, item, *attribute);
            out.push_back(r.isUndefined() && def ? *def : r);
        } else {
            if (a.positional.empty())
                in.fail("map requires a filter argument");
            CallArgs rest;
            rest.positional.assign(a.positional.begin() + 1, a.positional.end());
            rest.named = a.named;
            out.push_back(in.applyFilter(str(a.positional[0]), item, rest));
        }
    }
    return Value::generator(std::move(out));
}

Value sortKey(Interpreter& in, const Value& item, const Value* attribute, bool caseSensitive)
{
    Value k = attribute && !attribute->isNone() ? attrPath(in, item, *attribute) : item;
    if (!caseSensitive && k.isString())
        return Value::string(py::lower(k.asString()));
    return k;
}

Value fSort(Interpreter& in, const Value& v, const CallArgs& a)
{
    const bool reverse = boolArg(a, 0, "reverse", false);
    const bool caseSensitive = boolArg(a, 1, "case_sensitive", false);
    const Value* attribute = a.get(2, "attribute");
    ValueList items = iterateFilterInput(in, v);
    in.countIterations(items.size());
    std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
        const int c = compareValues(in, sortKey(in, x, attribute, caseSensitive), sortKey(in, y, attribute, caseSensitive));
        return reverse ? c > 0 : c < 0;
    });
    return Value::list(std::move(items));
}

Value fDictsort(Interpreter& in, const Value& v, const CallArgs& a)
{
    if (!v.isDict())
        in.fail("You can only sort by either 'key' or 'value'");
    const bool caseSensitive = boolArg(a, 0, "case_sensitive", false);
    const Value* by = a.get(1, "by");
    const bool byValue = by && str(*by) == "value";
    const bool reverse = boolArg(a, 2, "reverse", false);
    ValueList pairs;
    for (const auto& [k, item] : v.asDict())
        pairs.push_back(Value::tuple({k, item}));
    std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
        const size_t i = byValue ? 1 : 0;
        const int c = compareValues(in, sortKey(in, x.asList()[i], nullptr, caseSensitive),
                                    sortKey(in, y.asList()[i], nullptr, caseSensitive));
        return reverse ? c > 0 : c < 0;
    });
    return Value::list(std::move(pairs));
}

Value fUnique(Interpreter& in, const Value& v, const CallArgs& a)
{
    const bool caseSensitive = boolArg(a, 0, "case_sensitive", false);
    const Value* attribute = a.get(1, "attribute");
    ValueList out, seen;
    for (const auto& item : iterateFilterInput(in, v)) {
        in.countIterations(out.size() + 1);
        const Value key = sortKey(in, item, attribute, caseSensitive);
        if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return valuesEqual(s, key); })) {
            seen.push_back(key);
            out.push_back(item);
        }
    }
    return Value::generator(std::move(out));
}

Value fReverse(Interpreter& in, const Value& v, const CallArgs&)
{
    if (v.isString()) {
        std::u32string u = py::decode(v.asString());
        std::reverse(u.begin(), u.end());
        return Value::string(py::encode(u));
    }
    ValueList items = iterateFilterInput(in, v);
    std::reverse(items.begin(), items.end());
    return Value::generator(std::move(items)); // Python returns a reverse iterator
}

Value minMax(Interpreter& in, const Value& v, const CallArgs& a, bool wantMax)
{
    const bool caseSensitive = boolArg(a, 0, "case_sensitive", false);
    const Value* attribute = a.get(1, "attribute");
    const ValueList items = iterateFilterInput(in, v);
    if (items.empty())
        return Value::undefined(std::string("No aggregated item, sequence was empty."));
    size_t best = 0;
    for (size_t i = 1; i < items.size(); ++i) {
        const int c = compareValues(in, sortKey(in, items[i], attribute, caseSensitive),
                                    sortKey(in, items[best], attribute, caseSensitive));
        if (wantMax ? c > 0 : c < 0)
            best = i;
    }
    return items[best];
}

Value fMin(Interpreter& in, const Value& v, const CallArgs& a) { return minMax(in, v, a, false); }
Value fMax(Interpreter& in, const Value& v, const CallArgs& a) { return minMax(in, v, a, true); }

Value fSum(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* attribute = a.get(0, "attribute");
    const Value* start = a.get(1, "start");
    Value total = start ? *start : Value::integer(0);
    for (const auto& item : iterateFilterInput(in, v))
        total = binaryOp(in, "+", total, attribute ? attrPath(in, item, *attribute) : item);
    return total;
}

Value fCenter(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* w = a.get(0, "width");
    CallArgs args;
    args.positional.push_back(w ? *w : Value::integer(80));
    return callMethod(in, Value::string(str(v)), "center", args);
}

Value fWordcount(Interpreter&, const Value& v, const CallArgs&)
{
    return Value::integer(static_cast<int64_t>(py::split(str(v), std::nullopt, -1).size()));
}

Value fAttr(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* name = a.get(0, "name");
    if (!name)
        in.fail("attr filter needs a name");
    return in.getAttr(v, str(*name));
}

Value fFormat(Interpreter& in, const Value& v, const CallArgs& a)
{
    return binaryOp(in, "%", Value::string(str(v)), Value::tuple(a.positional));
}

Value fBatch(Interpreter& in, const Value& v, const CallArgs& a)
{
    const Value* n = a.get(0, "linecount");
    if (!n || n->asInt() <= 0)
        in.fail("batch size must be positive");
    const Value* fill = a.get(1, "fill_with");
    const size_t size = static_cast<size_t>(n->asInt());
    ValueList out, cur;
    for (const auto& item : iterateFilterInput(in, v)) {
        cur.push_back(item);
        if (cur.size() == size) {
            out.push_back(Value::list(std::move(cur)));
            cur.clear();
        }
    }
    if (!cur.empty()) {
        if (fill && !fill->isNone())
            while (cur.size() < size)
                cur.push_back(*fill);
        out.push_back(Value::list(std::move(cur)));
    }
    return Value::generator(std::move(out));
}

// v[start:stop:step] with Python's clamping rules.
Value fSlice(Interpreter& in, const Value& v, const CallArgs& a)
{
    if (v.isUndefined())
        in.failUndefined(v);
    auto opt = [&](size_t i) -> std::optional<int64_t> {
        const Value& x = a.positional[i];
        if (x.isNone())
            return std::nullopt;
        if (!x.isInt() && !x.isBool())
            in.fail("slice indices must be integers or None");
        return x.asInt();
    };
    const std::optional<int64_t> start = opt(0), stop = opt(1), stepOpt = opt(2);
    const int64_t step = stepOpt.value_or(1);
    if (step == 0)
        in.fail("slice step cannot be zero");
    ValueList items;
    std::vector<size_t> offsets;
    int64_t len;
    if (v.isString()) {
        offsets = utf8Offsets(v.asString());
        len = static_cast<int64_t>(offsets.size()) - 1;
    } else if (v.isList() && !v.isGenerator()) {
        len = static_cast<int64_t>(v.asList().size());
    } else { // Jinja2 turns a failed subscript into Undefined
        return Value::undefined(std::string("'") + v.typeName() + "' object is not subscriptable");
    }
    auto clamp = [&](std::optional<int64_t> x, int64_t def) {
        if (!x)
            return def;
        int64_t i = *x;
        if (i < 0)
            i += len;
        if (step > 0)
            return std::clamp<int64_t>(i, 0, len);
        return std::clamp<int64_t>(i, -1, len - 1);
    };
    const int64_t b = clamp(start, step > 0 ? 0 : len - 1);
    const int64_t e = clamp(stop, step > 0 ? len : -1);
    std::string s;
    for (int64_t i = b; step > 0 ? i < e : i > e; i += step) {
        if (v.isString())
            s.append(v.asString(), offsets[static_cast<size_t>(i)], offsets[static_cast<size_t>(i) + 1] - offsets[static_cast<size_t>(i)]);
        else
            items.push_back(v.asList()[static_cast<size_t>(i)]);
    }
    if (v.isString())
        return Value::string(std::move(s));
    return v.isTuple() ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

const std::unordered_map<std::string, Filter>& filters()
{
    static const std::unordered_map<std::string, Filter> table = {
        {"length", fLength}, {"count", fLength}, {"trim", fTrim}, {"tojson", fTojson}, {"default", fDefault},
        {"d", fDefault}, {"join", fJoin}, {"list", fList}, {"first", fFirst}, {"last", fLast}, {"items", fItems},
        {"upper", fUpper}, {"lower", fLower}, {"capitalize", fCapitalize}, {"title", fTitle}, {"string", fString},
        {"safe", fSafe}, {"e", fEscape}, {"escape", fEscape}, {"forceescape", fForceEscape}, {"replace", fReplace},
        {"indent", fIndent}, {"int", fInt}, {"float", fFloat}, {"abs", fAbs}, {"round", fRound},
        {"select", fSelect}, {"reject", fReject}, {"selectattr", fSelectAttr}, {"rejectattr", fRejectAttr},
        {"map", fMap}, {"sort", fSort}, {"dictsort", fDictsort}, {"unique", fUnique}, {"reverse", fReverse},
        {"min", fMin}, {"max", fMax}, {"sum", fSum}, {"center", fCenter}, {"wordcount", fWordcount},
        {"attr", fAttr}, {"format", fFormat}, {"batch", fBatch}, {"__slice__", fSlice},
    };
    return table;
}

} // namespace

Value Interpreter::applyFilter(const std::string& name, const Value& input, const CallArgs& args)
{
    const auto& table = filters();
    auto it = table.find(name);
    if (it == table.end())
        fail("no filter named '" + name + "'");
    return it->second(*this, input, args);
}

} // namespace engine::chat
