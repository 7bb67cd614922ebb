// Expression evaluation: names, literals, attribute and item access, calls, filters, tests.
#include "chat/Interpreter.h"

namespace engine::chat {

Value Interpreter::eval(const Node& n)
{
    step(n);
    DepthGuard guard(*this);
    switch (n.kind) {
    case Node::Kind::Literal: return n.literal;
    case Node::Kind::Name: return lookup(n.name);
    case Node::Kind::List:
    case Node::Kind::Tuple: {
        ValueList items;
        items.reserve(n.children.size());
        for (const auto& c : n.children)
            items.push_back(eval(*c));
        return n.kind == Node::Kind::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    case Node::Kind::Dict: {
        ValueDict items;
        for (size_t i = 0; i + 1 < n.children.size(); i += 2) {
            Value k = eval(*n.children[i]);
            Value v = eval(*n.children[i + 1]);
            if (k.isList() || k.isDict() || k.isNamespace())
                fail(std::string("unhashable type: '") + k.typeName() + "'");
            bool replaced = false;
            for (auto& [ek, ev] : items)
                if (valuesEqual(ek, k)) {
                    ev = v;
                    replaced = true;
                    break;
                }
            if (!replaced)
                items.emplace_back(std::move(k), std::move(v));
        }
        return Value::dict(std::move(items));
    }
    case Node::Kind::Attr: {
        const Value obj = eval(*n.children[0]);
        step(n);
        return getAttr(obj, n.name);
    }
    case Node::Kind::Subscript: {
        const Value obj = eval(*n.children[0]);
        const Node& index = *n.children[1];
        if (index.kind == Node::Kind::Slice) {
            Value parts[3];
            for (int i = 0; i < 3; ++i)
                parts[i] = index.children[i] ? eval(*index.children[i]) : Value::none();
            step(n);
            CallArgs args;
            args.positional.assign(parts, parts + 3);
            return applyFilter("__slice__", obj, args);
        }
        const Value key = eval(index);
        step(n);
        return getItem(obj, key);
    }
    case Node::Kind::Call: return evalCall(n);
    case Node::Kind::Filter: return evalFilter(n, nullptr);
    case Node::Kind::Test: {
        const Value operand = eval(*n.children[0]);
        CallArgs args = evalArgs(n, 1);
        step(n);
        const bool r = applyTest(n.name, operand, args);
        return Value::boolean(n.negated ? !r : r);
    }
    case Node::Kind::Unary: {
        const Value v = eval(*n.children[0]);
        step(n);
        if (n.name == "not")
            return Value::boolean(!v.truthy());
        if (v.isUndefined())
            failUndefined(v);
        if (!v.isNumber())
            fail(std::string("bad operand type for unary ") + n.name + ": '" + v.typeName() + "'");
        if (n.name == "+")
            return v.isFloat() ? v : Value::integer(v.asInt());
        if (v.isFloat())
            return Value::number(-v.asDouble());
        if (v.asInt() == INT64_MIN)
            fail("integer overflow");
        return Value::integer(-v.asInt());
    }
    case Node::Kind::Binary: return evalBinary(n);
    case Node::Kind::Compare: return evalCompare(n);
    case Node::Kind::CondExpr:
        if (eval(*n.children[0]).truthy())
            return eval(*n.children[1]);
        if (n.children[2])
            return eval(*n.children[2]);
        return Value::undefined("the inline if-expression evaluated to false and no else section was defined");
    default: fail("internal error: statement used as an expression");
    }
}

Value Interpreter::evalBinary(const Node& n)
{
    if (n.name == "and") {
        Value a = eval(*n.children[0]);
        return a.truthy() ? eval(*n.children[1]) : a;
    }
    if (n.name == "or") {
        Value a = eval(*n.children[0]);
        return a.truthy() ? a : eval(*n.children[1]);
    }
    const Value a = eval(*n.children[0]);
    const Value b = eval(*n.children[1]);
    step(n);
    return binaryOp(*this, n.name, a, b);
}

Value Interpreter::evalCompare(const Node& n)
{
    Value left = eval(*n.children[0]);
    for (size_t i = 0; i < n.ops.size(); ++i) {
        Value right = eval(*n.children[i + 1]);
        step(n);
        const std::string& op = n.ops[i];
        bool r;
        if (op == "in")
            r = containsOp(*this, left, right);
        else if (op == "notin")
            r = !containsOp(*this, left, right);
        else
            r = compareOp(*this, op, left, right);
        if (!r)
            return Value::boolean(false);
        left = std::move(right);
    }
    return Value::boolean(true);
}

CallArgs Interpreter::evalArgs(const Node& n, size_t first)
{
    CallArgs args;
    for (size_t i = first; i < n.children.size(); ++i) {
        const std::string& name = n.argNames[i - first];
        Value v = eval(*n.children[i]);
        if (name.empty())
            args.positional.push_back(std::move(v));
        else
            args.named.emplace_back(name, std::move(v));
    }
    return args;
}

Value Interpreter::evalCall(const Node& n)
{
    const Node& calleeNode = *n.children[0];
    // obj.method(...) calls the method directly instead of building a bound callable.
    if (calleeNode.kind == Node::Kind::Attr) {
        const Value obj = eval(*calleeNode.children[0]);
        if (isMethod(obj, calleeNode.name)) {
            CallArgs args = evalArgs(n, 1);
            step(n);
            return callMethod(*this, obj, calleeNode.name, args);
        }
        step(calleeNode);
        const Value callee = getAttr(obj, calleeNode.name);
        CallArgs args = evalArgs(n, 1);
        step(n);
        return call(callee, args);
    }
    const Value callee = eval(calleeNode);
    CallArgs args = evalArgs(n, 1);
    step(n);
    return call(callee, args);
}

Value Interpreter::call(const Value& callee, const CallArgs& args)
{
    if (callee.isUndefined())
        failUndefined(callee);
    if (!callee.isCallable())
        fail(std::string("'") + callee.typeName() + "' object is not callable");
    return callee.function()(*this, args);
}

Value Interpreter::evalFilter(const Node& n, const Value* pipeInput)
{
    Value input;
    if (n.children[0])
        input = n.children[0]->kind == Node::Kind::Filter && pipeInput ? evalFilter(*n.children[0], pipeInput)
                                                                       : eval(*n.children[0]);
    else if (pipeInput)
        input = *pipeInput;
    CallArgs args = evalArgs(n, 1);
    step(n);
    return applyFilter(n.name, input, args);
}

Value Interpreter::getAttr(const Value& object, const std::string& name)
{
    switch (object.kind()) {
    case Value::Kind::Undefined: failUndefined(object);
    case Value::Kind::Dict:
    case Value::Kind::Namespace: {
        if (object.isDict() && isMethod(object, name))
            break;
        if (const Value* v = object.find(std::string_view(name)))
            return *v;
        return Value::undefined("'" + std::string(object.isDict() ? "dict" : "Namespace") +
                                " object' has no attribute '" + name + "'");
    }
    default: break;
    }
    if (isMethod(object, name)) {
        const Value self = object;
        return Value::callable(name, [self, name](Interpreter& in, const CallArgs& args) {
            return callMethod(in, self, name, args);
        });
    }
    return Value::undefined("'" + std::string(object.typeName() == std::string("NoneType") ? "None" : object.typeName()) +
                            (object.isNone() ? "' has no attribute '" : " object' has no attribute '") + name + "'");
}

Value Interpreter::getItem(const Value& object, const Value& key)
{
    switch (object.kind()) {
    case Value::Kind::Undefined: failUndefined(object);
    case Value::Kind::Dict:
    case Value::Kind::Namespace:
        if (const Value* v = object.find(key))
            return *v;
        if (key.isString() && object.isDict() && isMethod(object, key.asString()))
            return getAttr(object, key.asString());
        return Value::undefined("'" + std::string(object.isDict() ? "dict" : "Namespace") + " object' has no attribute '" +
                                toPythonStr(key) + "'");
    case Value::Kind::List:
        if (object.isGenerator())
            return Value::undefined("'generator' object is not subscriptable");
        if (key.isInt() || key.isBool()) {
            const auto& items = object.asList();
            int64_t i = key.asInt();
            const int64_t size = static_cast<int64_t>(items.size());
            if (i < 0)
                i += size;
            if (i >= 0 && i < size)
                return items[static_cast<size_t>(i)];
            return Value::undefined("list index out of range");
        }
        break;
    case Value::Kind::String:
        if (key.isInt() || key.isBool()) {
            const std::string& s = object.asString();
            const auto offsets = utf8Offsets(s);
            const int64_t size = static_cast<int64_t>(offsets.size()) - 1;
            int64_t i = key.asInt();
            if (i < 0)
                i += size;
            if (i >= 0 && i < size)
                return Value::string(s.substr(offsets[static_cast<size_t>(i)],
                                              offsets[static_cast<size_t>(i) + 1] - offsets[static_cast<size_t>(i)]));
            return Value::undefined("string index out of range");
        }
        break;
    default: break;
    }
    if (key.isString())
        return getAttr(object, key.asString());
    return Value::undefined("'" + std::string(object.typeName()) + " object' has no attribute '" + toPythonStr(key) + "'");
}

ValueList Interpreter::iterate(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List: return v.asList();
    case Value::Kind::Dict: {
        ValueList keys;
        keys.reserve(v.asDict().size());
        for (const auto& kv : v.asDict())
            keys.push_back(kv.first);
        return keys;
    }
    case Value::Kind::String: {
        const std::string& s = v.asString();
        const auto offsets = utf8Offsets(s);
        ValueList chars;
        chars.reserve(offsets.size());
        for (size_t i = 0; i + 1 < offsets.size(); ++i)
            chars.push_back(Value::string(s.substr(offsets[i], offsets[i + 1] - offsets[i])));
        return chars;
    }
    default: fail(std::string("'") + v.typeName() + "' object is not iterable");
    }
}

} // namespace engine::chat
