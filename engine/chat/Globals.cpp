// The functions a chat template can call by name: Jinja2's range, namespace, dict, and the two
// transformers adds, raise_exception and strftime_now.
#include "chat/Interpreter.h"

#include <cstdio>
#include <unordered_map>

namespace engine::chat {
namespace {

Value fnRange(Interpreter& in, const CallArgs& a)
{
    if (a.positional.empty() || a.positional.size() > 3 || !a.named.empty())
        in.fail("range expected 1 to 3 integer arguments");
    for (const auto& v : a.positional)
        if (!v.isInt() && !v.isBool())
            in.fail(std::string("'") + v.typeName() + "' object cannot be interpreted as an integer");
    int64_t start = 0, stop, step = 1;
    if (a.positional.size() == 1) {
        stop = a.positional[0].asInt();
    } else {
        start = a.positional[0].asInt();
        stop = a.positional[1].asInt();
        if (a.positional.size() == 3)
            step = a.positional[2].asInt();
    }
    if (step == 0)
        in.fail("range() arg 3 must not be zero");
    const long double span = step > 0 ? static_cast<long double>(stop) - start : static_cast<long double>(start) - stop;
    const long double count = span <= 0 ? 0 : (span + (step > 0 ? step : -step) - 1) / (step > 0 ? step : -step);
    // Jinja2's sandbox refuses ranges over 100000 items (MAX_RANGE); so do we.
    if (count > 100000)
        in.fail("range too big: more than 100000 items");
    in.countIterations(static_cast<uint64_t>(count));
    ValueList out;
    out.reserve(static_cast<size_t>(count));
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
        out.push_back(Value::integer(i));
    return Value::list(std::move(out));
}

ValueDict kwargsDict(Interpreter& in, const CallArgs& a, const char* fn)
{
    ValueDict items;
    if (a.positional.size() > 1)
        in.fail(std::string(fn) + "() takes at most 1 positional argument");
    if (!a.positional.empty()) {
        const Value& init = a.positional[0];
        if (init.isDict() || init.isNamespace()) {
            items = init.asDict();
        } else {
            for (const auto& pair : in.iterate(init)) {
                const ValueList kv = in.iterate(pair);
                if (kv.size() != 2)
                    in.fail(std::string(fn) + "() sequence elements must have length 2");
                items.emplace_back(kv[0], kv[1]);
            }
        }
    }
    for (const auto& [k, v] : a.named) {
        bool replaced = false;
        for (auto& [ek, ev] : items)
            if (ek.isString() && ek.asString() == k) {
                ev = v;
                replaced = true;
            }
        if (!replaced)
            items.emplace_back(Value::string(k), v);
    }
    return items;
}

Value fnNamespace(Interpreter& in, const CallArgs& a)
{
    Value ns = Value::makeNamespace(kwargsDict(in, a, "namespace"));
    in.registerNamespace(ns);
    return ns;
}
Value fnDict(Interpreter& in, const CallArgs& a) { return Value::dict(kwargsDict(in, a, "dict")); }

Value fnRaiseException(Interpreter& in, const CallArgs& a)
{
    in.fail(a.positional.empty() ? std::string("raise_exception called") : toPythonStr(a.positional[0]));
}

Value fnStrftimeNow(Interpreter& in, const CallArgs& a)
{
    const Value* fmt = a.get(0, "format");
    if (!fmt || !fmt->isString())
        in.fail("strftime_now() needs a format string");
    return Value::string(formatStrftime(fmt->asString(), in.now()));
}

const std::unordered_map<std::string, Value>& globals()
{
    static const std::unordered_map<std::string, Value> table = {
        {"range", Value::callable("range", fnRange)},
        {"namespace", Value::callable("namespace", fnNamespace)},
        {"dict", Value::callable("dict", fnDict)},
        {"raise_exception", Value::callable("raise_exception", fnRaiseException)},
        {"strftime_now", Value::callable("strftime_now", fnStrftimeNow)},
    };
    return table;
}

int daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

} // namespace

Value globalFunction(const std::string& name)
{
    const auto& table = globals();
    auto it = table.find(name);
    return it == table.end() ? Value() : it->second;
}

std::string formatStrftime(const std::string& format, const DateTime& t)
{
    static const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    static const char* const kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"};
    const int days = daysFromCivil(t.year, t.month, t.day);
    const int weekday = ((days % 7) + 11) % 7; // 0 = Sunday; 1970-01-01 was a Thursday
    const int yday = days - daysFromCivil(t.year, 1, 1) + 1;
    const int month = (t.month >= 1 && t.month <= 12) ? t.month - 1 : 0;
    std::string out;
    char buf[64];
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 >= format.size()) {
            out += format[i];
            continue;
        }
        char c = format[++i];
        bool noPad = false;
        if (c == '-' && i + 1 < format.size()) {
            noPad = true;
            c = format[++i];
        }
        auto num = [&](int v, int width) {
            std::snprintf(buf, sizeof buf, noPad ? "%d" : "%0*d", noPad ? v : width, v);
            if (noPad)
                std::snprintf(buf, sizeof buf, "%d", v);
            out += buf;
        };
        const int hour12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
        switch (c) {
        case 'Y': num(t.year, 4); break;
        case 'y': num(t.year % 100, 2); break;
        case 'C': num(t.year / 100, 2); break;
        case 'm': num(t.month, 2); break;
        case 'd': num(t.day, 2); break;
        case 'e': std::snprintf(buf, sizeof buf, noPad ? "%d" : "%2d", t.day); out += buf; break;
        case 'H': num(t.hour, 2); break;
        case 'I': num(hour12, 2); break;
        case 'M': num(t.minute, 2); break;
        case 'S': num(t.second, 2); break;
        case 'j': num(yday, 3); break;
        case 'p': out += t.hour < 12 ? "AM" : "PM"; break;
        case 'b':
        case 'h': out += std::string(kMonths[month]).substr(0, 3); break;
        case 'B': out += kMonths[month]; break;
        case 'a': out += std::string(kDays[weekday]).substr(0, 3); break;
        case 'A': out += kDays[weekday]; break;
        case 'w': num(weekday, 1); break;
        case 'u': num(weekday == 0 ? 7 : weekday, 1); break;
        case 'U': num((yday + 6 - weekday) / 7, 2); break;
        case 'W': num((yday + 6 - (weekday + 6) % 7) / 7, 2); break;
        case 'F': out += formatStrftime("%Y-%m-%d", t); break;
        case 'T': out += formatStrftime("%H:%M:%S", t); break;
        case 'D':
        case 'x': out += formatStrftime("%m/%d/%y", t); break;
        case 'R': out += formatStrftime("%H:%M", t); break;
        case 'X': out += formatStrftime("%H:%M:%S", t); break;
        case 'c': out += formatStrftime("%a %b %e %H:%M:%S %Y", t); break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'Z':
        case 'z': break; // a naive local time has no zone
        case '%': out += '%'; break;
        default:
            out += '%';
            if (noPad)
                out += '-';
            out += c;
        }
    }
    return out;
}

} // namespace engine::chat
