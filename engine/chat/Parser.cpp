#include "chat/Parser.h"

#include <initializer_list>
#include <stdexcept>

namespace engine::chat {
namespace {

struct ParseFailure {
    std::string message;
};

class Parser {
public:
    Parser(const std::vector<Token>& tokens, const ParseLimits& limits) : m_toks(tokens), m_limits(limits) {}

    NodeList parseAll()
    {
        NodeList out = parseBody({});
        if (cur().type != TokenType::End)
            fail(cur(), "unexpected tag");
        return out;
    }

private:
    // --- token helpers -------------------------------------------------------------------
    const Token& cur() const { return m_toks[m_pos]; }
    const Token& peek(size_t k = 1) const { return m_toks[std::min(m_pos + k, m_toks.size() - 1)]; }
    const Token& advance()
    {
        const Token& t = m_toks[m_pos];
        if (m_pos + 1 < m_toks.size())
            ++m_pos;
        return t;
    }
    bool isOp(const char* op) const { return cur().type == TokenType::Operator && cur().text == op; }
    bool isName(const char* name) const { return cur().type == TokenType::Name && cur().text == name; }
    bool acceptOp(const char* op)
    {
        if (!isOp(op))
            return false;
        advance();
        return true;
    }
    bool acceptName(const char* name)
    {
        if (!isName(name))
            return false;
        advance();
        return true;
    }
    void expectOp(const char* op)
    {
        if (!acceptOp(op))
            fail(cur(), std::string("expected '") + op + "'");
    }
    std::string expectName()
    {
        if (cur().type != TokenType::Name)
            fail(cur(), "expected a name");
        return advance().text;
    }
    void expectBlockEnd()
    {
        if (cur().type != TokenType::BlockEnd)
            fail(cur(), "expected end of statement '%}'");
        advance();
    }

    static std::string describe(const Token& t)
    {
        switch (t.type) {
        case TokenType::End: return "end of template";
        case TokenType::BlockEnd: return "'%}'";
        case TokenType::VarEnd: return "'}}'";
        case TokenType::String: return "string literal";
        default: return "'" + t.text + "'";
        }
    }

    [[noreturn]] void fail(const Token& t, const std::string& what) const
    {
        throw ParseFailure{"syntax error at line " + std::to_string(t.line) + ", column " + std::to_string(t.column) +
                           ": " + what + " (found " + describe(t) + ")"};
    }

    NodePtr make(Node::Kind kind, const Token& at) const
    {
        auto n = std::make_unique<Node>();
        n->kind = kind;
        n->line = at.line;
        n->column = at.column;
        return n;
    }

    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& parser, const Token& at) : p(parser)
        {
            if (++p.m_depth > p.m_limits.maxNesting)
                p.fail(at, "template nests deeper than " + std::to_string(p.m_limits.maxNesting) + " levels");
        }
        ~DepthGuard() { --p.m_depth; }
    };

    // --- statements ----------------------------------------------------------------------
    // Parses until a block tag whose name is in `enders` (left unconsumed, positioned at the name).
    NodeList parseBody(std::initializer_list<const char*> enders)
    {
        NodeList out;
        for (;;) {
            const Token& t = cur();
            if (t.type == TokenType::End) {
                if (enders.size() != 0)
                    fail(t, std::string("unexpected end of template, expected '{% ") + *enders.begin() + " %}'");
                return out;
            }
            if (t.type == TokenType::Text) {
                auto n = make(Node::Kind::Text, t);
                n->name = t.text;
                advance();
                out.push_back(std::move(n));
            } else if (t.type == TokenType::VarBegin) {
                advance();
                auto n = make(Node::Kind::Output, t);
                n->children.push_back(parseExpression());
                if (cur().type != TokenType::VarEnd)
                    fail(cur(), "expected '}}'");
                advance();
                out.push_back(std::move(n));
            } else if (t.type == TokenType::BlockBegin) {
                const Token& nameTok = peek();
                if (nameTok.type == TokenType::Name)
                    for (const char* e : enders)
                        if (nameTok.text == e) {
                            advance(); // now at the name
                            return out;
                        }
                advance();
                out.push_back(parseStatement());
            } else {
                fail(t, "unexpected token");
            }
        }
    }

    NodePtr parseStatement()
    {
        const Token& t = cur();
        DepthGuard guard(*this, t);
        if (t.type != TokenType::Name)
            fail(t, "expected a statement name");
        const std::string name = t.text;
        advance();
        if (name == "if")
            return parseIf(t);
        if (name == "for")
            return parseFor(t);
        if (name == "set")
            return parseSet(t);
        if (name == "macro")
            return parseMacro(t);
        if (name == "call")
            return parseCallBlock(t);
        if (name == "filter")
            return parseFilterBlock(t);
        if (name == "break" || name == "continue") {
            auto n = make(name == "break" ? Node::Kind::Break : Node::Kind::Continue, t);
            if (m_loopDepth == 0)
                fail(t, "'" + name + "' outside of a loop");
            expectBlockEnd();
            return n;
        }
        if (name == "do") {
            auto n = make(Node::Kind::Do, t);
            n->children.push_back(parseTupleOrExpression());
            expectBlockEnd();
            return n;
        }
        if (name == "generation") {
            auto n = make(Node::Kind::Scope, t);
            expectBlockEnd();
            n->body = parseBody({"endgeneration"});
            advance();
            expectBlockEnd();
            return n;
        }
        fail(t, "unknown or unsupported statement '" + name + "'");
    }

    NodePtr parseIf(const Token& at)
    {
        auto n = make(Node::Kind::If, at);
        n->children.push_back(parseTupleOrExpression());
        expectBlockEnd();
        n->body = parseBody({"elif", "else", "endif"});
        const Token& t = advance();
        if (t.text == "elif") {
            n->elseBody.push_back(parseIf(t));
            return n; // the nested If consumed endif
        }
        if (t.text == "else") {
            expectBlockEnd();
            n->elseBody = parseBody({"endif"});
            advance();
        }
        expectBlockEnd();
        return n;
    }

    NodePtr parseFor(const Token& at)
    {
        auto n = make(Node::Kind::For, at);
        do {
            n->targets.push_back(expectName());
        } while (acceptOp(","));
        if (!acceptName("in"))
            fail(cur(), "expected 'in' in for loop");
        n->children.push_back(parseTupleOrExpression(/*noCondExpr=*/true));
        NodePtr filter;
        if (acceptName("if"))
            filter = parseExpression();
        n->children.push_back(std::move(filter));
        if (acceptName("recursive"))
            n->recursive = true;
        expectBlockEnd();
        ++m_loopDepth;
        n->body = parseBody({"else", "endfor"});
        --m_loopDepth;
        if (advance().text == "else") {
            expectBlockEnd();
            n->elseBody = parseBody({"endfor"});
            advance();
        }
        expectBlockEnd();
        return n;
    }

    NodePtr parseSet(const Token& at)
    {
        const Token& first = cur();
        std::string target = expectName();
        if (isOp(".")) {
            advance();
            auto attr = make(Node::Kind::Attr, first);
            auto obj = make(Node::Kind::Name, first);
            obj->name = target;
            attr->children.push_back(std::move(obj));
            attr->name = expectName();
            expectOp("=");
            auto n = make(Node::Kind::Set, at);
            n->children.push_back(std::move(attr));
            n->children.push_back(parseTupleOrExpression());
            expectBlockEnd();
            return n;
        }
        if (isOp(",") || isOp("=")) {
            NodePtr targetNode;
            if (isOp(",")) {
                targetNode = make(Node::Kind::Tuple, first);
                auto nameNode = make(Node::Kind::Name, first);
                nameNode->name = target;
                targetNode->children.push_back(std::move(nameNode));
                while (acceptOp(",")) {
                    auto item = make(Node::Kind::Name, cur());
                    item->name = expectName();
                    targetNode->children.push_back(std::move(item));
                }
            } else {
                targetNode = make(Node::Kind::Name, first);
                targetNode->name = target;
            }
            expectOp("=");
            auto n = make(Node::Kind::Set, at);
            n->children.push_back(std::move(targetNode));
            n->children.push_back(parseTupleOrExpression());
            expectBlockEnd();
            return n;
        }
        // Block set: {% set name %}...{% endset %}, optionally {% set name | filter %}.
        auto n = make(Node::Kind::SetBlock, at);
        n->targets.push_back(target);
        NodePtr chain;
        while (acceptOp("|"))
            chain = parseFilter(std::move(chain), cur());
        n->children.push_back(std::move(chain));
        expectBlockEnd();
        n->body = parseBody({"endset"});
        advance();
        expectBlockEnd();
        return n;
    }

    void parseSignature(Node& n)
    {
        expectOp("(");
        while (!isOp(")")) {
            if (!n.targets.empty())
                expectOp(",");
            n.targets.push_back(expectName());
            if (acceptOp("="))
                n.children.push_back(parseExpression());
            else
                n.children.push_back(nullptr);
        }
        expectOp(")");
    }

    NodePtr parseMacro(const Token& at)
    {
        auto n = make(Node::Kind::Macro, at);
        n->name = expectName();
        parseSignature(*n);
        expectBlockEnd();
        const int savedLoop = m_loopDepth;
        m_loopDepth = 0;
        n->body = parseBody({"endmacro"});
        m_loopDepth = savedLoop;
        for (const auto& child : n->body)
            markSpecialNames(*n, *child);
        advance();
        if (cur().type == TokenType::Name && cur().text == n->name)
            advance();
        expectBlockEnd();
        return n;
    }

    static void markSpecialNames(Node& macro, const Node& n)
    {
        if (n.kind == Node::Kind::Name) {
            macro.usesVarargs = macro.usesVarargs || n.name == "varargs";
            macro.usesKwargs = macro.usesKwargs || n.name == "kwargs";
            macro.usesCaller = macro.usesCaller || n.name == "caller";
        }
        for (const NodeList* list : {&n.children, &n.body, &n.elseBody})
            for (const auto& c : *list)
                if (c)
                    markSpecialNames(macro, *c);
    }

    NodePtr parseCallBlock(const Token& at)
    {
        auto n = make(Node::Kind::CallBlock, at);
        auto sig = make(Node::Kind::Macro, at);
        if (isOp("("))
            parseSignature(*sig);
        NodePtr call = parseExpression();
        if (call->kind != Node::Kind::Call)
            fail(at, "expected a macro call in {% call %}");
        n->children.push_back(std::move(call));
        n->targets = std::move(sig->targets);
        for (auto& d : sig->children)
            n->children.push_back(std::move(d));
        expectBlockEnd();
        n->body = parseBody({"endcall"});
        advance();
        expectBlockEnd();
        return n;
    }

    NodePtr parseFilterBlock(const Token& at)
    {
        auto n = make(Node::Kind::FilterBlock, at);
        NodePtr chain = parseFilter(nullptr, cur());
        while (acceptOp("|"))
            chain = parseFilter(std::move(chain), cur());
        n->children.push_back(std::move(chain));
        expectBlockEnd();
        n->body = parseBody({"endfilter"});
        advance();
        expectBlockEnd();
        return n;
    }

    // --- expressions ---------------------------------------------------------------------
    // A bare tuple `a, b` is allowed where Jinja2 allows it (set values, for iterables, if tests).
    NodePtr parseTupleOrExpression(bool noCondExpr = false)
    {
        const Token& at = cur();
        NodePtr first = noCondExpr ? parseOr() : parseExpression();
        if (!isOp(","))
            return first;
        auto tuple = make(Node::Kind::Tuple, at);
        tuple->children.push_back(std::move(first));
        while (acceptOp(",")) {
            if (cur().type == TokenType::BlockEnd || cur().type == TokenType::VarEnd)
                break;
            tuple->children.push_back(noCondExpr ? parseOr() : parseExpression());
        }
        return tuple;
    }

    NodePtr parseExpression()
    {
        const Token& at = cur();
        DepthGuard guard(*this, at);
        NodePtr expr = parseOr();
        while (isName("if")) {
            advance();
            auto n = make(Node::Kind::CondExpr, at);
            n->children.push_back(parseOr());
            n->children.push_back(std::move(expr));
            if (acceptName("else"))
                n->children.push_back(parseExpression());
            else
                n->children.push_back(nullptr);
            expr = std::move(n);
        }
        return expr;
    }

    NodePtr binary(const char* op, NodePtr left, NodePtr right, const Token& at)
    {
        auto n = make(Node::Kind::Binary, at);
        n->name = op;
        n->children.push_back(std::move(left));
        n->children.push_back(std::move(right));
        return n;
    }

    NodePtr parseOr()
    {
        NodePtr left = parseAnd();
        while (isName("or")) {
            const Token& at = advance();
            left = binary("or", std::move(left), parseAnd(), at);
        }
        return left;
    }

    NodePtr parseAnd()
    {
        NodePtr left = parseNot();
        while (isName("and")) {
            const Token& at = advance();
            left = binary("and", std::move(left), parseNot(), at);
        }
        return left;
    }

    NodePtr parseNot()
    {
        if (isName("not")) {
            const Token& at = advance();
            DepthGuard guard(*this, at);
            auto n = make(Node::Kind::Unary, at);
            n->name = "not";
            n->children.push_back(parseNot());
            return n;
        }
        return parseCompare();
    }

    NodePtr parseCompare()
    {
        const Token& at = cur();
        NodePtr first = parseMath1();
        NodePtr cmp;
        for (;;) {
            std::string op;
            if (cur().type == TokenType::Operator &&
                (cur().text == "==" || cur().text == "!=" || cur().text == "<" || cur().text == ">" ||
                 cur().text == "<=" || cur().text == ">=")) {
                op = advance().text;
            } else if (isName("in")) {
                advance();
                op = "in";
            } else if (isName("not") && peek().type == TokenType::Name && peek().text == "in") {
                advance();
                advance();
                op = "notin";
            } else {
                break;
            }
            if (!cmp) {
                cmp = make(Node::Kind::Compare, at);
                cmp->children.push_back(std::move(first));
            }
            cmp->ops.push_back(op);
            cmp->children.push_back(parseMath1());
        }
        return cmp ? std::move(cmp) : std::move(first);
    }

    NodePtr parseMath1()
    {
        NodePtr left = parseConcat();
        while (isOp("+") || isOp("-")) {
            const Token& at = advance();
            left = binary(at.text == "+" ? "+" : "-", std::move(left), parseConcat(), at);
        }
        return left;
    }

    NodePtr parseConcat()
    {
        NodePtr left = parseMath2();
        while (isOp("~")) {
            const Token& at = advance();
            left = binary("~", std::move(left), parseMath2(), at);
        }
        return left;
    }

    NodePtr parseMath2()
    {
        NodePtr left = parsePow();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            const Token& at = advance();
            const char* op = at.text == "*" ? "*" : at.text == "/" ? "/" : at.text == "//" ? "//" : "%";
            left = binary(op, std::move(left), parsePow(), at);
        }
        return left;
    }

    NodePtr parsePow()
    {
        NodePtr left = parseUnary(true);
        while (isOp("**")) {
            const Token& at = advance();
            left = binary("**", std::move(left), parseUnary(true), at);
        }
        return left;
    }

    NodePtr parseUnary(bool withFilter)
    {
        const Token& at = cur();
        DepthGuard guard(*this, at);
        NodePtr node;
        if (isOp("-") || isOp("+")) {
            advance();
            node = make(Node::Kind::Unary, at);
            node->name = at.text;
            node->children.push_back(parseUnary(false));
        } else {
            node = parsePostfix(parsePrimary());
        }
        if (withFilter)
            node = parseFilterExpr(std::move(node));
        return node;
    }

    NodePtr parsePrimary()
    {
        const Token& t = cur();
        switch (t.type) {
        case TokenType::Name: {
            advance();
            if (t.text == "true" || t.text == "True")
                return literal(Value::boolean(true), t);
            if (t.text == "false" || t.text == "False")
                return literal(Value::boolean(false), t);
            if (t.text == "none" || t.text == "None")
                return literal(Value::none(), t);
            auto n = make(Node::Kind::Name, t);
            n->name = t.text;
            return n;
        }
        case TokenType::String: {
            std::string s = advance().text;
            while (cur().type == TokenType::String) // adjacent literals concatenate, as in Python
                s += advance().text;
            return literal(Value::string(std::move(s)), t);
        }
        case TokenType::Integer: advance(); return literal(Value::integer(t.intValue), t);
        case TokenType::Float: advance(); return literal(Value::number(t.floatValue), t);
        case TokenType::Operator:
            if (t.text == "(") {
                advance();
                if (acceptOp(")"))
                    return make(Node::Kind::Tuple, t);
                NodePtr first = parseExpression();
                if (acceptOp(")"))
                    return first;
                auto tuple = make(Node::Kind::Tuple, t);
                tuple->children.push_back(std::move(first));
                while (acceptOp(",")) {
                    if (isOp(")"))
                        break;
                    tuple->children.push_back(parseExpression());
                }
                expectOp(")");
                return tuple;
            }
            if (t.text == "[") {
                advance();
                auto list = make(Node::Kind::List, t);
                while (!isOp("]")) {
                    if (!list->children.empty())
                        expectOp(",");
                    if (isOp("]"))
                        break;
                    list->children.push_back(parseExpression());
                }
                expectOp("]");
                return list;
            }
            if (t.text == "{") {
                advance();
                auto dict = make(Node::Kind::Dict, t);
                while (!isOp("}")) {
                    if (!dict->children.empty())
                        expectOp(",");
                    if (isOp("}"))
                        break;
                    dict->children.push_back(parseExpression());
                    expectOp(":");
                    dict->children.push_back(parseExpression());
                }
                expectOp("}");
                return dict;
            }
            break;
        default: break;
        }
        fail(t, "expected an expression");
    }

    NodePtr literal(Value v, const Token& at)
    {
        auto n = make(Node::Kind::Literal, at);
        n->literal = std::move(v);
        return n;
    }

    NodePtr parsePostfix(NodePtr node)
    {
        for (;;) {
            const Token& at = cur();
            if (isOp(".")) {
                advance();
                auto n = make(Node::Kind::Attr, at);
                if (cur().type == TokenType::Integer) { // foo.0 is foo[0]
                    auto sub = make(Node::Kind::Subscript, at);
                    sub->children.push_back(std::move(node));
                    sub->children.push_back(literal(Value::integer(advance().intValue), at));
                    node = std::move(sub);
                    continue;
                }
                n->name = expectName();
                n->children.push_back(std::move(node));
                node = std::move(n);
            } else if (isOp("[")) {
                advance();
                auto n = make(Node::Kind::Subscript, at);
                n->children.push_back(std::move(node));
                n->children.push_back(parseSubscriptIndex(at));
                expectOp("]");
                node = std::move(n);
            } else if (isOp("(")) {
                node = parseCall(std::move(node), at);
            } else {
                return node;
            }
        }
    }

    NodePtr parseSubscriptIndex(const Token& at)
    {
        NodePtr start;
        if (!isOp(":"))
            start = parseExpression();
        if (!isOp(":"))
            return start;
        auto slice = make(Node::Kind::Slice, at);
        advance();
        NodePtr stop, step;
        if (!isOp("]") && !isOp(":"))
            stop = parseExpression();
        if (acceptOp(":") && !isOp("]"))
            step = parseExpression();
        slice->children.push_back(std::move(start));
        slice->children.push_back(std::move(stop));
        slice->children.push_back(std::move(step));
        return slice;
    }

    // Arguments of a call, filter or test: positional then name=value.
    void parseArgs(Node& n)
    {
        expectOp("(");
        bool first = true;
        while (!isOp(")")) {
            if (!first)
                expectOp(",");
            first = false;
            if (isOp(")"))
                break;
            if (cur().type == TokenType::Name && peek().type == TokenType::Operator && peek().text == "=") {
                n.argNames.push_back(advance().text);
                advance();
            } else {
                n.argNames.emplace_back();
            }
            n.children.push_back(parseExpression());
        }
        expectOp(")");
    }

    NodePtr parseCall(NodePtr callee, const Token& at)
    {
        auto n = make(Node::Kind::Call, at);
        n->children.push_back(std::move(callee));
        parseArgs(*n);
        return n;
    }

    NodePtr parseFilter(NodePtr operand, const Token& at)
    {
        auto n = make(Node::Kind::Filter, at);
        std::string name = expectName();
        while (isOp(".")) { // dotted filter names
            advance();
            name += "." + expectName();
        }
        n->name = std::move(name);
        n->children.push_back(std::move(operand));
        if (isOp("("))
            parseArgs(*n);
        return n;
    }

    NodePtr parseFilterExpr(NodePtr node)
    {
        for (;;) {
            const Token& at = cur();
            if (isOp("|")) {
                advance();
                node = parseFilter(std::move(node), cur());
            } else if (isName("is")) {
                advance();
                auto n = make(Node::Kind::Test, at);
                if (acceptName("not"))
                    n->negated = true;
                n->name = expectName();
                n->children.push_back(std::move(node));
                if (isOp("(")) {
                    parseArgs(*n);
                } else if ((cur().type == TokenType::Name || cur().type == TokenType::String ||
                            cur().type == TokenType::Integer || cur().type == TokenType::Float || isOp("[") ||
                            isOp("{")) &&
                           !isName("else") && !isName("or") && !isName("and") && !isName("if")) {
                    if (isName("is"))
                        fail(cur(), "you cannot chain multiple tests with 'is'");
                    n->argNames.emplace_back();
                    n->children.push_back(parsePostfix(parsePrimary()));
                }
                node = std::move(n);
            } else if (isOp("(")) {
                node = parseCall(std::move(node), at);
            } else {
                return node;
            }
        }
    }

    const std::vector<Token>& m_toks;
    ParseLimits m_limits;
    size_t m_pos = 0;
    int m_depth = 0;
    int m_loopDepth = 0;
};

} // namespace

Result<NodeList> parseTemplate(const std::vector<Token>& tokens, const ParseLimits& limits)
{
    try {
        Parser parser(tokens, limits);
        return parser.parseAll();
    } catch (const ParseFailure& f) {
        return makeError(ErrorCode::Template, f.message);
    }
}

} // namespace engine::chat
