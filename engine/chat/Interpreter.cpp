#include "chat/Interpreter.h"

#include <algorithm>

namespace engine::chat {

Interpreter::DepthGuard::DepthGuard(Interpreter& i) : in(i)
{
    if (++in.m_evalDepth > in.m_limits.maxEvalDepth)
        in.fail("template nests too deeply (more than " + std::to_string(in.m_limits.maxEvalDepth) + " levels)");
}

Interpreter::Interpreter(const RenderLimits& limits) : m_limits(limits) {}

Result<std::string> Interpreter::render(const NodeList& body, const Value& variables)
{
    m_root = std::make_shared<Scope>();
    if (variables.isDict())
        for (const auto& [k, v] : variables.asDict())
            if (k.isString())
                m_root->vars[k.asString()] = v;
    m_scope = m_root;
    std::string out;
    m_out = &out;
    m_steps = m_iterations = 0;
    m_callDepth = m_evalDepth = 0;
    try {
        execBody(body);
    } catch (const TemplateFailure& f) {
        releaseState();
        return makeError(ErrorCode::Template, f.message);
    } catch (const std::bad_alloc&) {
        releaseState();
        return makeError(ErrorCode::Template, "template needs more memory than is available");
    }
    releaseState();
    return out;
}

void Interpreter::releaseState()
{
    // Namespaces are the one mutable container, so a template can make them contain themselves;
    // emptying them breaks any such cycle.
    for (const Value& ns : m_namespaces)
        ns.namespaceItems().clear();
    m_namespaces.clear();
    m_out = nullptr;
    m_scope.reset();
    m_root.reset();
}

void Interpreter::fail(const std::string& message) const
{
    std::string where;
    if (m_line > 0)
        where = " (line " + std::to_string(m_line) + ", column " + std::to_string(m_column) + ")";
    throw TemplateFailure{message + where};
}

void Interpreter::failUndefined(const Value& v) const
{
    fail(v.undefinedHint());
}

void Interpreter::checkSize(size_t bytes) const
{
    if (bytes > m_limits.maxOutputBytes)
        fail("template output exceeds the limit of " + std::to_string(m_limits.maxOutputBytes) + " bytes");
}

void Interpreter::countIterations(uint64_t n)
{
    m_iterations += n;
    if (m_iterations > m_limits.maxLoopIterations)
        fail("template exceeds the limit of " + std::to_string(m_limits.maxLoopIterations) + " loop iterations");
}

void Interpreter::step(const Node& n)
{
    m_line = n.line;
    m_column = n.column;
    if (++m_steps > m_limits.maxSteps)
        fail("template exceeds the limit of " + std::to_string(m_limits.maxSteps) + " evaluation steps");
}

void Interpreter::write(const std::string& s)
{
    checkSize(m_out->size() + s.size());
    m_out->append(s);
}

std::string Interpreter::capture(const NodeList& body)
{
    std::string buffer;
    std::string* saved = m_out;
    m_out = &buffer;
    try {
        execBody(body);
    } catch (...) {
        m_out = saved;
        throw;
    }
    m_out = saved;
    return buffer;
}

// --- variables ---------------------------------------------------------------------------

Value Interpreter::lookup(const std::string& name) const
{
    for (const Scope* s = m_scope.get(); s; s = s->parent.get()) {
        auto it = s->vars.find(name);
        if (it != s->vars.end())
            return it->second;
    }
    Value g = globalFunction(name);
    if (!g.isUndefined())
        return g;
    return Value::undefined("'" + name + "' is undefined");
}

void Interpreter::assign(const std::string& name, Value v)
{
    m_scope->vars[name] = std::move(v);
}

// --- statements --------------------------------------------------------------------------

Interpreter::Flow Interpreter::execBody(const NodeList& body)
{
    for (const auto& n : body) {
        const Flow f = exec(*n);
        if (f != Flow::Normal)
            return f;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Node& n)
{
    step(n);
    DepthGuard guard(*this);
    switch (n.kind) {
    case Node::Kind::Text: write(n.name); return Flow::Normal;
    case Node::Kind::Output: {
        const Value v = eval(*n.children[0]);
        step(n);
        write(toPythonStr(v));
        return Flow::Normal;
    }
    case Node::Kind::If:
        if (eval(*n.children[0]).truthy())
            return execBody(n.body);
        return execBody(n.elseBody);
    case Node::Kind::For: execFor(n); return Flow::Normal;
    case Node::Kind::Set: execSet(n); return Flow::Normal;
    case Node::Kind::SetBlock: {
        Value v = Value::string(capture(n.body));
        if (n.children[0])
            v = evalFilter(*n.children[0], &v);
        assign(n.targets[0], std::move(v));
        return Flow::Normal;
    }
    case Node::Kind::Macro: execMacro(n); return Flow::Normal;
    case Node::Kind::CallBlock: execCallBlock(n); return Flow::Normal;
    case Node::Kind::FilterBlock: {
        const Value body = Value::string(capture(n.body));
        write(toPythonStr(evalFilter(*n.children[0], &body)));
        return Flow::Normal;
    }
    case Node::Kind::Break: return Flow::Break;
    case Node::Kind::Continue: return Flow::Continue;
    case Node::Kind::Do: eval(*n.children[0]); return Flow::Normal;
    case Node::Kind::Scope: return execBody(n.body);
    default: fail("internal error: expression used as a statement");
    }
}

void Interpreter::execSet(const Node& n)
{
    const Node& target = *n.children[0];
    Value v = eval(*n.children[1]);
    step(n);
    if (target.kind == Node::Kind::Name) {
        assign(target.name, std::move(v));
    } else if (target.kind == Node::Kind::Attr) {
        const Value obj = eval(*target.children[0]);
        if (!obj.isNamespace())
            fail("cannot assign attribute on non-namespace object");
        ValueDict& items = obj.namespaceItems();
        for (auto& [k, item] : items)
            if (k.isString() && k.asString() == target.name) {
                item = std::move(v);
                return;
            }
        items.emplace_back(Value::string(target.name), std::move(v));
    } else { // tuple unpacking
        const ValueList items = iterate(v);
        if (items.size() != target.children.size())
            fail("cannot unpack " + std::to_string(items.size()) + " values into " +
                 std::to_string(target.children.size()) + " names");
        for (size_t i = 0; i < items.size(); ++i)
            assign(target.children[i]->name, items[i]);
    }
}

void Interpreter::execFor(const Node& n)
{
    const Value iterable = eval(*n.children[0]);
    step(n);
    if (iterable.isNone() || iterable.isNumber() || iterable.isCallable() || iterable.isNamespace())
        fail(std::string("'") + iterable.typeName() + "' object is not iterable");
    ValueList items = iterate(iterable);
    const Node* filter = n.children[1].get();
    const ScopePtr outer = m_scope;

    auto bindTargets = [&](Scope& scope, const Value& item) {
        if (n.targets.size() == 1) {
            scope.vars[n.targets[0]] = item;
            return;
        }
        const ValueList parts = iterate(item);
        if (parts.size() != n.targets.size())
            fail("cannot unpack " + std::to_string(parts.size()) + " values into " +
                 std::to_string(n.targets.size()) + " loop variables");
        for (size_t i = 0; i < parts.size(); ++i)
            scope.vars[n.targets[i]] = parts[i];
    };

    // A loop filter ("for x in xs if cond") removes items before loop.* is computed.
    if (filter) {
        ValueList kept;
        for (const auto& item : items) {
            countIterations(1);
            m_scope = std::make_shared<Scope>();
            m_scope->parent = outer;
            bindTargets(*m_scope, item);
            const bool keep = eval(*filter).truthy();
            m_scope = outer;
            if (keep)
                kept.push_back(item);
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        execBody(n.elseBody);
        return;
    }
    const int64_t length = static_cast<int64_t>(items.size());
    // Keys and the cycle() helper are made once per loop: a loop body is the hottest path.
    static const Value kKeys[] = {Value::string("index"),     Value::string("index0"), Value::string("revindex"),
                                  Value::string("revindex0"), Value::string("first"),  Value::string("last"),
                                  Value::string("length"),    Value::string("depth"),  Value::string("depth0"),
                                  Value::string("previtem"),  Value::string("nextitem"), Value::string("cycle")};
    auto position = std::make_shared<int64_t>(0);
    const Value cycle = Value::callable("cycle", [position](Interpreter& in, const CallArgs& args) {
        if (args.positional.empty())
            in.fail("no items for cycling given");
        return args.positional[static_cast<size_t>(*position) % args.positional.size()];
    });
    try {
        for (int64_t i = 0; i < length; ++i) {
            countIterations(1);
            *position = i;
            m_scope = std::make_shared<Scope>();
            m_scope->parent = outer;
            bindTargets(*m_scope, items[static_cast<size_t>(i)]);
            ValueDict loop;
            loop.reserve(12);
            const Value values[] = {
                Value::integer(i + 1),
                Value::integer(i),
                Value::integer(length - i),
                Value::integer(length - i - 1),
                Value::boolean(i == 0),
                Value::boolean(i == length - 1),
                Value::integer(length),
                Value::integer(1),
                Value::integer(0),
                i > 0 ? items[static_cast<size_t>(i - 1)] : Value::undefined("there is no previous item"),
                i + 1 < length ? items[static_cast<size_t>(i + 1)] : Value::undefined("there is no next item"),
                cycle,
            };
            for (size_t k = 0; k < 12; ++k)
                loop.emplace_back(kKeys[k], values[k]);
            m_scope->vars["loop"] = Value::dict(std::move(loop));
            const Flow f = execBody(n.body);
            if (f == Flow::Break)
                break;
        }
    } catch (...) {
        m_scope = outer;
        throw;
    }
    m_scope = outer;
}

Value Interpreter::makeMacro(const Node& n, const std::string& name)
{
    const Node* node = &n;
    // Weak: the macro is stored in the scope it captures, and a strong reference would make a
    // cycle that outlives the render.
    const std::weak_ptr<Scope> defining = m_scope;
    const bool isCallBlock = n.kind == Node::Kind::CallBlock;
    return Value::callable(name, [node, defining, isCallBlock, name](Interpreter& in, const CallArgs& args) {
        if (++in.m_callDepth > in.m_limits.maxCallDepth) {
            --in.m_callDepth;
            in.fail("macro '" + name + "' recurses deeper than " + std::to_string(in.m_limits.maxCallDepth) +
                    " calls");
        }
        const ScopePtr saved = in.m_scope;
        auto scope = std::make_shared<Scope>();
        scope->parent = defining.lock();
        if (!scope->parent)
            scope->parent = in.m_root;
        const size_t firstDefault = isCallBlock ? 1 : 0;
        const size_t nParams = node->targets.size();
        // Jinja2 refuses arguments a macro cannot see (call blocks' caller() takes anything).
        if (!isCallBlock && args.positional.size() > nParams && !node->usesVarargs)
            in.fail("macro '" + name + "' takes not more than " + std::to_string(nParams) + " argument(s)");
        ValueList varargs;
        for (size_t i = 0; i < args.positional.size(); ++i) {
            if (i < nParams)
                scope->vars[node->targets[i]] = args.positional[i];
            else
                varargs.push_back(args.positional[i]);
        }
        ValueDict kwargs;
        for (const auto& [k, v] : args.named) {
            if (k == "caller") {
                if (!node->usesCaller)
                    in.fail("macro '" + name + "' was invoked with two values for the special caller argument");
                scope->vars["caller"] = v;
                continue;
            }
            auto it = std::find(node->targets.begin(), node->targets.end(), k);
            if (it == node->targets.end()) {
                if (!isCallBlock && !node->usesKwargs)
                    in.fail("macro '" + name + "' takes no keyword argument '" + k + "'");
                kwargs.emplace_back(Value::string(k), v);
            } else {
                scope->vars[k] = v;
            }
        }
        in.m_scope = scope;
        try {
            for (size_t i = 0; i < nParams; ++i) {
                if (scope->vars.count(node->targets[i]))
                    continue;
                const Node* def = node->children[firstDefault + i].get();
                scope->vars[node->targets[i]] =
                    def ? in.eval(*def)
                        : Value::undefined("parameter '" + node->targets[i] + "' was not provided");
            }
            scope->vars["varargs"] = Value::tuple(std::move(varargs));
            scope->vars["kwargs"] = Value::dict(std::move(kwargs));
            std::string text = in.capture(node->body);
            in.m_scope = saved;
            --in.m_callDepth;
            return Value::string(std::move(text));
        } catch (...) {
            in.m_scope = saved;
            --in.m_callDepth;
            throw;
        }
    });
}

void Interpreter::execMacro(const Node& n)
{
    assign(n.name, makeMacro(n, n.name));
}

void Interpreter::execCallBlock(const Node& n)
{
    // The body becomes `caller`, a macro whose parameters are the call block's signature.
    const Value caller = makeMacro(n, "caller");
    const Node& callNode = *n.children[0];
    const Value callee = eval(*callNode.children[0]);
    CallArgs args = evalArgs(callNode, 1);
    if (!callee.isCallable())
        fail("'" + std::string(callee.typeName()) + "' object is not callable");
    args.named.emplace_back("caller", caller);
    write(toPythonStr(call(callee, args)));
}

} // namespace engine::chat
