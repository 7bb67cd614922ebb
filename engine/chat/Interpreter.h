#pragma once
// Executes a parsed template. Semantics follow Python Jinja2 3.1 in the environment Hugging Face
// transformers builds for chat templates (sandboxed, immutable containers, default Undefined),
// so a template renders byte for byte as it does for the people who wrote it.
//
// Every step is counted against RenderLimits: a hostile template (endless loops, runaway
// recursion, exponential string growth, huge ranges) stops with an ErrorCode::Template error
// in bounded time and memory.

#include "chat/Ast.h"
#include "chat/Value.h"
#include "core/Result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace engine::chat {

struct RenderLimits {
    uint64_t maxSteps = 5'000'000;           // expression and statement evaluations (~1 s)
    uint64_t maxLoopIterations = 1'000'000;  // all loops together
    int maxCallDepth = 100;                  // nested macro calls
    int maxEvalDepth = 1000;                 // nested evaluation (expressions inside statements ...)
    size_t maxOutputBytes = 16u << 20;       // the rendered text and any single string or list
};

// The instant strftime_now() formats (the caller's clock, or a fixed date for reproducibility).
struct DateTime {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

// What a failed render throws internally; Interpreter::render turns it into an engine::Error.
struct TemplateFailure {
    std::string message;
};

class Interpreter {
public:
    explicit Interpreter(const RenderLimits& limits);

    void setNow(const DateTime& now) { m_now = now; }
    const DateTime& now() const { return m_now; }

    // Renders `body` with `variables` (a dict) as the template's globals.
    Result<std::string> render(const NodeList& body, const Value& variables);

    // --- for filters, tests, methods and globals ---------------------------------------
    [[noreturn]] void fail(const std::string& message) const;
    // Fails with Jinja2's UndefinedError message for this value.
    [[noreturn]] void failUndefined(const Value& v) const;
    void checkSize(size_t bytes) const;        // a string or list about to be built
    void countIterations(uint64_t n);          // work proportional to n items
    Value call(const Value& callee, const CallArgs& args);
    Value getAttr(const Value& object, const std::string& name);
    // Every namespace() made during a render, so the render can release them (releaseState).
    void registerNamespace(const Value& ns) { m_namespaces.push_back(ns); }
    Value getItem(const Value& object, const Value& key);
    Value applyFilter(const std::string& name, const Value& input, const CallArgs& args);
    bool applyTest(const std::string& name, const Value& input, const CallArgs& args);
    // Python iteration: list items, dict keys, string characters; Undefined is empty.
    ValueList iterate(const Value& v);

private:
    struct Scope {
        std::unordered_map<std::string, Value> vars;
        std::shared_ptr<Scope> parent;
    };
    using ScopePtr = std::shared_ptr<Scope>;
    enum class Flow { Normal, Break, Continue };

    struct DepthGuard {
        Interpreter& in;
        explicit DepthGuard(Interpreter& i);
        ~DepthGuard() { --in.m_evalDepth; }
    };

    Flow execBody(const NodeList& body);
    Flow exec(const Node& n);
    void execFor(const Node& n);
    void execSet(const Node& n);
    void execMacro(const Node& n);
    void execCallBlock(const Node& n);
    std::string capture(const NodeList& body);
    void write(const std::string& s);

    Value eval(const Node& n);
    Value evalBinary(const Node& n);
    Value evalCompare(const Node& n);
    Value evalCall(const Node& n);
    Value evalFilter(const Node& n, const Value* pipeInput);
    CallArgs evalArgs(const Node& n, size_t first);
    Value makeMacro(const Node& n, const std::string& name);

    void releaseState();
    Value lookup(const std::string& name) const;
    void assign(const std::string& name, Value v);
    void step(const Node& n);

    RenderLimits m_limits;
    DateTime m_now;
    uint64_t m_steps = 0;
    uint64_t m_iterations = 0;
    int m_callDepth = 0;
    int m_evalDepth = 0;
    int m_line = 0;
    int m_column = 0;
    ScopePtr m_scope;
    ScopePtr m_root;
    std::string* m_out = nullptr;
    std::vector<Value> m_namespaces;
};

// Binary operators and comparisons with Python semantics (Operators.cpp).
Value binaryOp(Interpreter& in, const std::string& op, const Value& a, const Value& b);
bool compareOp(Interpreter& in, const std::string& op, const Value& a, const Value& b);
bool containsOp(Interpreter& in, const Value& item, const Value& container);
// Python's ordering for sort(): -1, 0, 1; fails on incomparable types.
int compareValues(Interpreter& in, const Value& a, const Value& b);

// Methods on str, dict and list values (Methods.cpp); nullopt-like: returns false when the
// object has no such method.
bool isMethod(const Value& object, const std::string& name);
Value callMethod(Interpreter& in, const Value& object, const std::string& name, const CallArgs& args);

// HTML escaping as markupsafe does it (& < > " ').
std::string htmlEscape(const std::string& text);

// Globals (Globals.cpp).
Value globalFunction(const std::string& name); // Undefined when unknown
std::string formatStrftime(const std::string& format, const DateTime& t);

} // namespace engine::chat
