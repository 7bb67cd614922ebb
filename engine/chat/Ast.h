#pragma once
// The parsed form of a template: one node type with a kind tag. Children follow the per-kind
// layout documented next to each kind; the evaluator switches on the kind.

#include "chat/Value.h"

#include <memory>
#include <string>
#include <vector>

namespace engine::chat {

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct Node {
    enum class Kind {
        // Expressions
        Literal,   // literal
        Name,      // name
        List,      // children: items
        Tuple,     // children: items
        Dict,      // children: key0, value0, key1, value1, ...
        Attr,      // children[0]: object; name: attribute
        Subscript, // children[0]: object, children[1]: index (may be a Slice)
        Slice,     // children: start, stop, step (each may be null)
        Call,      // children[0]: callee, then arguments; argNames aligned with the arguments
        Filter,    // children[0]: operand (null inside a filter block), then arguments; name: filter
        Test,      // children[0]: operand, then arguments; name: test; negated
        Unary,     // name: "-", "+", "not"; children[0]
        Binary,    // name: operator (+ - * / // % ** ~ and or in notin); children[0], children[1]
        Compare,   // children: operands; ops: the operators between them
        CondExpr,  // children: test, then-value, else-value (may be null)
        // Statements
        Text,        // name: the text
        Output,      // children[0]: expression
        If,          // children[0]: condition; body; elseBody (an elif is a nested If)
        For,         // targets; children[0]: iterable, children[1]: filter (may be null); body; elseBody
        Set,         // children[0]: target (Name, Tuple of Names or Attr), children[1]: value
        SetBlock,    // targets[0]; body; children[0]: filter chain applied to the body (may be null)
        Macro,       // name; targets: parameters; children: their defaults (may be null); body
        CallBlock,   // children[0]: the Call; targets: caller parameters; children[1..]: defaults; body
        FilterBlock, // children[0]: filter chain; body
        Break,
        Continue,
        Do,          // children[0]: expression, evaluated for its effects
        Scope,       // body (a {% generation %} block renders its body)
    };

    Kind kind = Kind::Literal;
    int line = 0;
    int column = 0;
    std::string name;
    Value literal;
    bool negated = false;
    bool recursive = false;
    // Macro: whether the body (nested macros included) reads varargs / kwargs / caller; Jinja2
    // refuses surplus arguments otherwise.
    bool usesVarargs = false;
    bool usesKwargs = false;
    bool usesCaller = false;
    NodeList children;
    std::vector<std::string> argNames; // Call/Filter/Test: "" for positional arguments
    std::vector<std::string> ops;      // Compare
    std::vector<std::string> targets;  // For/SetBlock/Macro/CallBlock
    NodeList body;
    NodeList elseBody;
};

} // namespace engine::chat
