// The interpreter's semantics, one behaviour per row. Every expected string below is what
// Python Jinja2 3.1.6 produced in the environment transformers uses for chat templates
// (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson =
// json.dumps(ensure_ascii=False)) for the same template and variables.

#include "chat/ChatTemplate.h"
#include "chat/Json.h"
#include "chat/Template.h"

#include <QTest>

using namespace engine::chat;

using engine::Result;

namespace {

// msgs = [{"role": "user", "content": "Hi \"there\""},
//         {"role": "assistant", "content": "Yo", "extra": [1, {"k": null}]}]
Value testVariables()
{
    auto msgs = parseJson("[{\"role\": \"user\", \"content\": \"Hi \\\"there\\\"\"},"
                          " {\"role\": \"assistant\", \"content\": \"Yo\", \"extra\": [1, {\"k\": null}]}]");
    return Value::dict({{Value::string("msgs"), *msgs}});
}

Result<std::string> render(const QString& source, const Value& variables = testVariables())
{
    auto t = Template::parse(source.toStdString());
    if (!t.ok())
        return t.error();
    RenderOptions options;
    options.now = DateTime{2025, 2, 5, 12, 0, 0};
    return t->render(variables, options);
}

} // namespace

class TestChatJinja : public QObject {
    Q_OBJECT

private slots:
    void matchesJinja2_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("expected");
        QTest::newRow("trim_blocks+lstrip_blocks") << QStringLiteral("  {% if true %}\n    yes\n  {% endif %}\nend") << QStringLiteral("    yes\nend");
        QTest::newRow("minus strips both sides") << QStringLiteral("{{ \"a\" }}  {%- if true %} x {% endif -%}  b") << QStringLiteral("a x b");
        QTest::newRow("plus keeps newline") << QStringLiteral("{% if true +%}\nkeep{% endif +%}\nafter") << QStringLiteral("\nkeep\nafter");
        QTest::newRow("plus disables lstrip") << QStringLiteral("{% if true %}\n    {%+ if true %}keep{% endif %}\n{% endif %}") << QStringLiteral("    keep");
        QTest::newRow("raw with minus") << QStringLiteral("a\n  {%- raw -%}\n  {{ x }}  \n  {%- endraw -%}\n  b") << QStringLiteral("a{{ x }}b");
        QTest::newRow("raw verbatim") << QStringLiteral("{% raw %}{{ not parsed }} {% if %}{% endraw %}") << QStringLiteral("{{ not parsed }} {% if %}");
        QTest::newRow("comments trimmed") << QStringLiteral("x {# c #}\ny\n  {#- c2 #}\nz") << QStringLiteral("x yz");
        QTest::newRow("variables not lstripped") << QStringLiteral("  {{ 'v' }}\n  {% set x = 1 %}\n  text") << QStringLiteral("  v\n  text");
        QTest::newRow("tags on one line keep spaces") << QStringLiteral("{% if true %}a{% endif %}  {% if true %}b{% endif %}") << QStringLiteral("a  b");
        QTest::newRow("tabs stripped") << QStringLiteral("\t\t{% if true %}\n\t\tX\n\t\t{% endif %}\n") << QStringLiteral("\t\tX\n");
        QTest::newRow("CRLF normalised") << QStringLiteral("line\r\n{% if true %}\r\nwin\r\n{% endif %}\r\n") << QStringLiteral("line\nwin\n");
        QTest::newRow("one trailing newline dropped") << QStringLiteral("trail\n\n") << QStringLiteral("trail\n");
        QTest::newRow("strings containing tag ends") << QStringLiteral("{{ '{{ not a tag }}' }} {{ \"%}\" }} {{ {'a': {'b': 1}} }}") << QStringLiteral("{{ not a tag }} %} {'a': {'b': 1}}");
        QTest::newRow("for loop layout") << QStringLiteral("{%- for m in msgs -%}\n  {%- if loop.first -%}\n    first\n  {%- endif %}\n  {{ m.role }}\n{% endfor %}\ndone") << QStringLiteral("first  user\n  assistant\ndone");
        QTest::newRow("loop variables") << QStringLiteral("{% for i in range(3) %}{{ loop.index }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }},{% endfor %}") << QStringLiteral("12TrueFalse3,21FalseFalse3,30FalseTrue3,");
        QTest::newRow("loop else and filter") << QStringLiteral("{% for i in [] %}x{% else %}empty{% endfor %}|{% for i in range(10) if i is odd %}{{ i }}{% if loop.last %}!{% endif %}{% endfor %}") << QStringLiteral("empty|13579!");
        QTest::newRow("break and continue") << QStringLiteral("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}") << QStringLiteral("0134");
        QTest::newRow("previtem nextitem cycle") << QStringLiteral("{% for i in range(2) %}{{ loop.previtem }}-{{ loop.nextitem }};{{ loop.cycle('a','b') }}{% endfor %}") << QStringLiteral("-1;a0-;b");
        QTest::newRow("loop scope does not leak") << QStringLiteral("{% set x = [1,2,3] %}{% for i in x %}{% set x = 'inner' %}{{ x }}{% endfor %}{{ x }}") << QStringLiteral("innerinnerinner[1, 2, 3]");
        QTest::newRow("namespace carries out of loops") << QStringLiteral("{% set ns = namespace(a=1, b='x') %}{% for i in range(3) %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }}{{ ns.b }}{{ ns.c }}") << QStringLiteral("4x");
        QTest::newRow("macro defaults and keywords") << QStringLiteral("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Hi') }} {{ greet(name='Z') }}") << QStringLiteral("Hello, Bob! Hi, Al! Hello, Z!");
        QTest::newRow("macro varargs kwargs") << QStringLiteral("{% macro m(a, b) %}{{ a }}{{ b }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 2, 3, x=4) }}") << QStringLiteral("1(){}|12(3,){'x': 4}");
        QTest::newRow("call block") << QStringLiteral("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner {{ 1 + 1 }}{% endcall %}") << QStringLiteral("<inner 2>");
        QTest::newRow("call block with arguments") << QStringLiteral("{% macro row(x) %}[{{ caller(x * 2) }}]{% endmacro %}{% call(v) row(21) %}v={{ v }}{% endcall %}") << QStringLiteral("[v=42]");
        QTest::newRow("filter block") << QStringLiteral("{% filter upper %}hello {{ 'world' }}{% endfilter %}") << QStringLiteral("HELLO WORLD");
        QTest::newRow("block set") << QStringLiteral("{% set block %}  text {{ 42 }}  {% endset %}[{{ block }}]{% set b2 | trim %}  padded  {% endset %}[{{ b2 }}]") << QStringLiteral("[  text 42  ][padded]");
        QTest::newRow("tuple unpacking") << QStringLiteral("{% set a, b = [1, 2] %}{{ a }}{{ b }}{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}={{ v }};{% endfor %}") << QStringLiteral("12x=1;y=2;");
        QTest::newRow("string accumulation") << QStringLiteral("{%- set s = 'x' %}{% for i in range(3) %}{% set s = s ~ i %}{% endfor %}{{ s }}") << QStringLiteral("x");
        QTest::newRow("arithmetic") << QStringLiteral("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 10 / 3 }} {{ 10 // 3 }} {{ 10 % 3 }} {{ -10 // 3 }} {{ 1.5 + 1 }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 3 }} {{ [1] * 3 }}") << QStringLiteral("7 9 64 4 3.3333333333333335 3 1 -4 2.5 a1None ababab [1, 1, 1]");
        QTest::newRow("more arithmetic") << QStringLiteral("{{ true + 1 }} {{ 3 * 'ab' }} {{ [0] * 2 }} {{ 2 ** 62 }} {{ 7 % -3 }} {{ -7 % 3 }} {{ 1e3 }} {{ 1.5e-3 }}") << QStringLiteral("2 ababab [0, 0] 4611686018427387904 -2 2 1000.0 0.0015");
        QTest::newRow("float printing") << QStringLiteral("{{ 0.1 }} {{ 1/3 }} {{ 2/3 }} {{ 100.0 }} {{ 1e22 }} {{ 123456789.123 }} {{ -1.5 }} {{ 5e-324 }} {{ 1e16 }} {{ 1e15 }}") << QStringLiteral("0.1 0.3333333333333333 0.6666666666666666 100.0 1e+22 123456789.123 -1.5 5e-324 1e+16 1000000000000000.0");
        QTest::newRow("comparisons and logic") << QStringLiteral("{{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }} {{ 'a' in 'cat' }} {{ 2 in [1,2] }} {{ 'k' in {'k':1} }} {{ 'z' not in 'abc' }} {{ not true }} {{ true and 'x' }} {{ false or 0 }} {{ none or 'fallback' }}") << QStringLiteral("True False True True True True False x 0 fallback");
        QTest::newRow("conditional expressions and equality") << QStringLiteral("{{ 'x' if true else 'y' }} {{ 'x' if false else 'y' }} [{{ 'x' if false }}] {{ 1 == 1.0 }} {{ true == 1 }} {{ [1,2] == [1,2] }} {{ {'a':1} == {'a':1} }} {{ none == none }}") << QStringLiteral("x y [] True True True True True");
        QTest::newRow("slicing and indexing") << QStringLiteral("{{ 'abcdef'[1:3] }} {{ 'abcdef'[::-1] }} {{ 'abcdef'[-2:] }} {{ [1,2,3,4][1:] }} {{ [1,2,3,4][:-1] }} {{ [1,2,3,4][::2] }} {{ 'abc'[0] }} {{ 'abc'[-1] }} {{ [1,2][5] }}|") << QStringLiteral("bc fedcba ef [2, 3, 4] [1, 2, 3] [1, 3] a c |");
        QTest::newRow("tests") << QStringLiteral("{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ 1.0 is float }} {{ 1 is integer }} {{ true is boolean }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is sequence }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 1 is eq 1 }} {{ 2 is gt 1 }} {{ false is false }} {{ true is true }} {{ 'A' is upper }}") << QStringLiteral("False True True True True True True True True True True True True True True True True True True");
        QTest::newRow("printing containers") << QStringLiteral("{{ [1, 'a', none, true, 1.5, {'k': 'v'}] }} {{ {'a': [1]} }} {{ \"it's\" }} {{ [\"it's\", 'say \"hi\"'] }} {{ none }} {{ true }} {{ (1, ) }} {{ () }}") << QStringLiteral("[1, 'a', None, True, 1.5, {'k': 'v'}] {'a': [1]} it's [\"it's\", 'say \"hi\"'] None True (1,) ()");
        QTest::newRow("string escapes") << QStringLiteral("{{ 'a\\tb' }}|{{ \"line\\\\n\" }}|{{ 'q\\'q' }}|{{ \"\\x41\\u00e9\" }}") << QStringLiteral("a\tb|line\\n|q'q|Aé");
        QTest::newRow("attribute and item access") << QStringLiteral("{% for m in msgs %}{{ m.role }}:{{ m['content'] }}{{ m.missing }}|{% endfor %}{{ msgs[0].content|upper }} {{ (msgs|last).role }}") << QStringLiteral("user:Hi \"there\"|assistant:Yo|HI \"THERE\" assistant");
        QTest::newRow("missing attributes are undefined") << QStringLiteral("{{ none.attr }}|{{ none['k'] }}|{{ 'str'.nope }}|{{ [1][3] }}") << QStringLiteral("|||");
        QTest::newRow("undefined is empty and iterable") << QStringLiteral("{{ x | length }} {{ x|list }} {{ x|first }} {{ x ~ 'a' }} {{ x|join(',') }} {{ x|string }} {{ x|trim }} {{ x|items|list }} {% for a in x %}no{% else %}else{% endfor %} {{ 'a' in x }} {{ x == x }}") << QStringLiteral("0 []  a    [] else False True");
        QTest::newRow("str methods 1") << QStringLiteral("{{ 'Hello World'.lower() }} {{ 'abc'.upper() }} {{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }}") << QStringLiteral("hello world ABC x|a|['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c']");
        QTest::newRow("str methods 2") << QStringLiteral("{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'abc'.startswith('a') }} {{ 'abc'.endswith(('x','c')) }} {{ 'a-b-c'.replace('-', '+') }} {{ 'a-b-c'.replace('-', '+', 1) }}") << QStringLiteral("Hello World Hello True True a+b+c a+b-c");
        QTest::newRow("str format") << QStringLiteral("{{ '{} and {}'.format(1, 'two') }} {{ '{0}{1}{0}'.format('a','b') }} {{ '{name}!'.format(name='x') }} {{ 'x'.rjust(4) }}|{{ 'x'.center(6, '*') }}|{{ 'abc'.find('c') }}") << QStringLiteral("1 and two aba x!    x|**x***|2");
        QTest::newRow("str split variants") << QStringLiteral("{{ 'x'.split('x') }} {{ 'a\\nb\\r\\nc'.splitlines() }} {{ ''.split() }} {{ '  a b  '.rsplit(None, 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ '  a b  '.split(None, 1) }}") << QStringLiteral("['', ''] ['a', 'b', 'c'] [] ['  a', 'b'] ['a,b', 'c'] ['a', 'b  ']");
        QTest::newRow("dict methods") << QStringLiteral("{{ {'a':1}.items()|list }} {{ {'a':1}.keys()|list }} {{ {'a':1}.values()|list }} {{ {'a':1}.get('b', 'def') }} {{ {'a':1}.get('b') }}") << QStringLiteral("[('a', 1)] ['a'] [1] def None");
        QTest::newRow("percent formatting") << QStringLiteral("{{ \"%s is %d\" % ('x', 3) }} {{ \"%.2f\" % 3.14159 }} {{ \"%05d\"|format(42) }}") << QStringLiteral("x is 3 3.14 00042");
        QTest::newRow("join first last sort unique") << QStringLiteral("{{ [1,2,3]|join(', ') }} {{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ [3,1,2]|sort }} {{ [3,1,2]|sort(reverse=true) }} {{ ['b','A','c']|sort }} {{ [1,1,2,1]|unique|list }}") << QStringLiteral("1, 2, 3 1 3 [1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] [1, 2]");
        QTest::newRow("dictsort items") << QStringLiteral("{{ {'b':1,'a':2}|dictsort }} {{ {'b':1,'a':2}|items|list }}") << QStringLiteral("[('a', 2), ('b', 1)] [('b', 1), ('a', 2)]");
        QTest::newRow("default") << QStringLiteral("{{ x|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} {{ 0|default(5, boolean=true) }} {{ x|d('q') }}") << QStringLiteral("d None d 5 q");
        QTest::newRow("indent") << QStringLiteral("{{ \"multi\\nline\\ntext\"|indent(2) }}|{{ \"multi\\nline\"|indent(4, true) }}|{{ \"a\\n\\nb\"|indent(2) }}|{{ \"a\\n\\nb\"|indent(2, blank=true) }}") << QStringLiteral("multi\n  line\n  text|    multi\n    line|a\n\n  b|a\n  \n  b");
        QTest::newRow("int float abs round") << QStringLiteral("{{ '42'|int + 1 }} {{ 'x'|int }} {{ '3.7'|int }} {{ 3.7|int }} {{ '2.5'|float }} {{ 5|float }} {{ -3|abs }} {{ 2.567|round(2) }} {{ 2.5|round }}") << QStringLiteral("43 0 3 3 2.5 5.0 3 2.57 2.0");
        QTest::newRow("selectattr rejectattr select reject") << QStringLiteral("{{ [{'a':1,'b':true},{'a':2,'b':false}]|selectattr('b')|map(attribute='a')|list }} {{ [{'r':'user'},{'r':'sys'}]|rejectattr('r','equalto','sys')|list }} {{ [1,2,3,4]|select('even')|list }} {{ [1,2,3,4]|reject('odd')|list }}") << QStringLiteral("[1] [{'r': 'user'}] [2, 4] [2, 4]");
        QTest::newRow("map sum min max reverse length") << QStringLiteral("{{ ['a','b']|map('upper')|list }} {{ [1,2,3]|sum }} {{ [1,5,3]|max }} {{ [4,2,8]|min }} {{ 'abc'|reverse }} {{ [1,2]|reverse|list }} {{ 'abc'|list }} {{ 'hello'|length }} {{ '中文'|length }}") << QStringLiteral("['A', 'B'] 6 5 2 cba [2, 1] ['a', 'b', 'c'] 5 2");
        QTest::newRow("string filters") << QStringLiteral("{{ 'Ab'|lower }}{{ 'ab'|upper }}{{ ' hi '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ 'hello world'|title }}|{{ 'hELLO wORLD'|capitalize }}|{{ 'a b c'|wordcount }}|{{ 'a&b<c>'|e }}") << QStringLiteral("abABhi|hi|Hello World|Hello world|3|a&amp;b&lt;c&gt;");
        QTest::newRow("replace center string") << QStringLiteral("{{ 'Hello' | replace('l', 'L') }} {{ 'aaa'|replace('a', 'b', 2) }}|{{ 'abc'|center(7) }}|{{ 3|string + 'x' }}") << QStringLiteral("HeLLo bba|  abc  |3x");
        QTest::newRow("tojson") << QStringLiteral("{{ {'a': 1, 'b': [1, 2.5, 'x\"y\\n'], 'c': none, 'd': true, 'e': '中文 é'}|tojson }}") << QStringLiteral("{\"a\": 1, \"b\": [1, 2.5, \"x\\\"y\\n\"], \"c\": null, \"d\": true, \"e\": \"中文 é\"}");
        QTest::newRow("tojson indent") << QStringLiteral("{{ {'a': {'b': [1, {}], 'c': []}}|tojson(indent=2) }}") << QStringLiteral("{\n  \"a\": {\n    \"b\": [\n      1,\n      {}\n    ],\n    \"c\": []\n  }\n}");
        QTest::newRow("tojson numbers") << QStringLiteral("{{ [1.0, 0.1, 1e20, 1e-7, 123456789012345678, -0.0, 3.14159]|tojson }}") << QStringLiteral("[1.0, 0.1, 1e+20, 1e-07, 123456789012345678, -0.0, 3.14159]");
        QTest::newRow("tojson options") << QStringLiteral("{{ {'z': 1, 'a': 2}|tojson(sort_keys=true) }} {{ 'tab\\there'|tojson }} {{ '\\u0001'|tojson }} {{ 'a/b'|tojson }} {{ {1: 'a', true: 'b'}|tojson }}") << QStringLiteral("{\"a\": 2, \"z\": 1} \"tab\\there\" \"\\u0001\" \"a/b\" {\"1\": \"b\"}");
        QTest::newRow("tojson ensure_ascii and separators") << QStringLiteral("{{ '😀é'|tojson(ensure_ascii=true) }} {{ {'a':1}|tojson(separators=(',', ':')) }} {{ [1,2]|tojson(indent='\\t') }}") << QStringLiteral("\"\\ud83d\\ude00\\u00e9\" {\"a\":1} [\n\t1,\n\t2\n]");
        QTest::newRow("tojson keeps message key order") << QStringLiteral("{{ msgs | tojson }}") << QStringLiteral("[{\"role\": \"user\", \"content\": \"Hi \\\"there\\\"\"}, {\"role\": \"assistant\", \"content\": \"Yo\", \"extra\": [1, {\"k\": null}]}]");
        QTest::newRow("globals") << QStringLiteral("{{ range(5)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ dict(a=1, b='x') }} {{ namespace(x=1).x }}") << QStringLiteral("[0, 1, 2, 3, 4] [1, 4, 7] [5, 3, 1] {'a': 1, 'b': 'x'} 1");
        QTest::newRow("markup and generators") << QStringLiteral("{{ '<b>'|safe + '<i>\"' }}|{{ '<' + '&'|safe }}|{{ 'a' ~ ('<'|safe) }}|{% if [0]|select('odd') %}always true{% endif %}|{{ [1, 2]|map('string')|list }}|{{ [1]|select is sequence }}") << QStringLiteral("<b>&lt;i&gt;&#34;|&lt;&|a<|always true|['1', '2']|False");
        QTest::newRow("python modulo tests, tuple slices, lazy results") << QStringLiteral("{{ 0.5 is odd }} {{ 0.5 is even }} {{ 4.0 is even }} {{ 7 is divisibleby 2.5 }} {{ (1, 'x')[::-1] }} {{ 'ab' % [] }} {% if [1]|unique %}gen{% endif %} {{ 5[1:] }}|") << QStringLiteral("False False True False ('x', 1) ab gen |");
        QTest::newRow("macros reading varargs and kwargs take extras") << QStringLiteral("{% macro f(a) %}{% macro g() %}{{ varargs }}{% endmacro %}{{ a }}{% endmacro %}{{ f(1, 2) }}|{% macro h(a) %}{{ a }}{{ kwargs }}{% endmacro %}{{ h(1, b=2) }}") << QStringLiteral("1|1{'b': 2}");
        QTest::newRow("strftime_now") << QStringLiteral("{{ strftime_now('%Y-%m-%d %H:%M:%S %A %a %B %b %d %j %p %I %-d %e %y') }}") << QStringLiteral("2025-02-05 12:00:00 Wednesday Wed February Feb 05 036 PM 12 5  5 25");
    }

    void matchesJinja2()
    {
        QFETCH(QString, source);
        QFETCH(QString, expected);
        auto out = render(source);
        QVERIFY2(out.ok(), out.ok() ? "" : out.error().detail.c_str());
        QCOMPARE(QString::fromStdString(*out), expected);
    }

    void failsLikeJinja2_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("undefined attribute") << QStringLiteral("{{ x.y }}") << QStringLiteral("'x' is undefined");
        QTest::newRow("undefined arithmetic") << QStringLiteral("{{ x + 1 }}") << QStringLiteral("'x' is undefined");
        QTest::newRow("str plus int") << QStringLiteral("{{ 'a' + 1 }}") << QStringLiteral("can only concatenate str");
        QTest::newRow("mutation refused") << QStringLiteral("{{ [1,2].append(3) }}") << QStringLiteral("unsafe");
        QTest::newRow("iterating an int") << QStringLiteral("{% for x in 5 %}{% endfor %}") << QStringLiteral("'int' object is not iterable");
        QTest::newRow("iterating none") << QStringLiteral("{% for x in none %}{% endfor %}") << QStringLiteral("'NoneType' object is not iterable");
        QTest::newRow("raise_exception") << QStringLiteral("{{ raise_exception('custom failure') }}") << QStringLiteral("custom failure");
        QTest::newRow("division by zero") << QStringLiteral("{{ 1 / 0 }}") << QStringLiteral("division by zero");
        QTest::newRow("tojson of undefined") << QStringLiteral("{{ x|tojson }}") << QStringLiteral("not JSON serializable");
        QTest::newRow("unknown filter") << QStringLiteral("{{ 1|nosuchfilter }}") << QStringLiteral("no filter named 'nosuchfilter'");
        QTest::newRow("length of none") << QStringLiteral("{{ none|length }}") << QStringLiteral("has no len()");
        QTest::newRow("bad syntax") << QStringLiteral("{% if %}{% endif %}") << QStringLiteral("line 1, column 7");
        QTest::newRow("unterminated string") << QStringLiteral("{{ 'unclosed }}") << QStringLiteral("unterminated string");
        QTest::newRow("unclosed for") << QStringLiteral("{% for i in range(3) %}") << QStringLiteral("unexpected end of template");
        QTest::newRow("tojson of a generator") << QStringLiteral("{{ [1]|map('string')|tojson }}") << QStringLiteral("generator is not JSON serializable");
        QTest::newRow("length of a generator") << QStringLiteral("{{ [1]|select|length }}") << QStringLiteral("has no len()");
        QTest::newRow("int of undefined") << QStringLiteral("{{ x|int }}") << QStringLiteral("'x' is undefined");
        QTest::newRow("unused format argument") << QStringLiteral("{{ 'ab' % 2 }}") << QStringLiteral("not all arguments converted");
        QTest::newRow("indent of a dict") << QStringLiteral("{{ {'a': 1}|indent }}") << QStringLiteral("unsupported operand type(s) for +=");
        QTest::newRow("surplus macro argument") << QStringLiteral("{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, 2) }}") << QStringLiteral("takes not more than 1 argument(s)");
        QTest::newRow("unknown macro keyword") << QStringLiteral("{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, b=2) }}") << QStringLiteral("takes no keyword argument 'b'");
        QTest::newRow("error location") << QStringLiteral("line one\n{{ 'a' }}\n  {{ 1 + none }}") << QStringLiteral("line 3, column");
    }

    void failsLikeJinja2()
    {
        QFETCH(QString, source);
        QFETCH(QString, messagePart);
        auto out = render(source);
        QVERIFY2(!out.ok(), "the template rendered but Jinja2 raises an error");
        QCOMPARE(out.error().code, engine::ErrorCode::Template);
        QVERIFY2(out.error().detail.find(messagePart.toStdString()) != std::string::npos, out.error().detail.c_str());
    }

    void generationTagRendersItsBody()
    {
        auto out = render(QStringLiteral("{% generation %}gen {{ 1 }}{% endgeneration %}!"));
        QVERIFY(out.ok());
        QCOMPARE(QString::fromStdString(*out), QStringLiteral("gen 1!"));
    }

    void contentIsNeverReparsed()
    {
        const std::string content = "{{ bos_token }} {% if true %}x{% endif %} {# c #} {%- raw %}";
        ChatRequest request;
        request.messages = messagesValue({{"user", content}});
        request.bosToken = "<s>";
        auto t = ChatTemplate::fromSource("{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}");
        QVERIFY(t.ok());
        auto out = t->apply(request);
        QVERIFY(out.ok());
        QCOMPARE(*out, "<s>[" + content + "]");
    }

    void absentSpecialTokensAreUndefined()
    {
        ChatRequest request;
        request.messages = messagesValue({{"user", "hi"}});
        auto t = ChatTemplate::fromSource("{{ bos_token is defined }}|{{ bos_token }}|{{ eos_token|default('none') }}|"
                                          "{{ tools is none }}{{ documents is none }}{{ add_generation_prompt }}");
        QVERIFY(t.ok());
        auto out = t->apply(request);
        QVERIFY(out.ok());
        QCOMPARE(*out, std::string("False||none|TrueTrueTrue"));
    }

    void fallbackFormatsATranscript()
    {
        ChatRequest request;
        request.messages = messagesValue({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello."}, {"user", "Bye"}});
        auto out = ChatTemplate::fallback().apply(request);
        QVERIFY(out.ok());
        QCOMPARE(*out, std::string("Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Bye\n\nAssistant:"));
        request.addGenerationPrompt = false;
        out = ChatTemplate::fallback().apply(request);
        QVERIFY(out.ok());
        QCOMPARE(*out, std::string("Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Bye\n\n"));
    }

    void overrideWinsAndBrokenTemplatesFallBack()
    {
        const std::string model = "M{{ messages|length }}";
        const std::string user = "U{{ messages|length }}";
        ChatRequest request;
        request.messages = messagesValue({{"user", "x"}});

        TemplateChoice c = chooseTemplate(user, model);
        QCOMPARE(c.chosen.origin(), ChatTemplate::Origin::UserOverride);
        QVERIFY(!c.problem);
        QCOMPARE(*c.chosen.apply(request), std::string("U1"));

        c = chooseTemplate(std::nullopt, model);
        QCOMPARE(c.chosen.origin(), ChatTemplate::Origin::Model);
        QCOMPARE(*c.chosen.apply(request), std::string("M1"));

        c = chooseTemplate(std::string("{% if %}"), model); // a broken override: the model's, with a note
        QCOMPARE(c.chosen.origin(), ChatTemplate::Origin::Model);
        QVERIFY(c.problem);
        QCOMPARE(c.problem->code, engine::ErrorCode::Template);

        c = chooseTemplate(std::nullopt, std::string("{% for %}")); // a broken model template
        QCOMPARE(c.chosen.origin(), ChatTemplate::Origin::Fallback);
        QVERIFY(c.problem);

        c = chooseTemplate(std::nullopt, std::nullopt); // GPT-2 or a base model
        QCOMPARE(c.chosen.origin(), ChatTemplate::Origin::Fallback);
        QVERIFY(!c.problem);
    }

    void jsonRoundTripKeepsOrderAndText()
    {
        const std::string text =
            "{\"z\": [1, 2.5, -3e-07, true, null], \"a\": \"\\u00e9\\ud83d\\ude00\\n\\\"\", \"m\": {}}";
        auto v = parseJson(text);
        QVERIFY(v.ok());
        auto back = toJson(*v);
        QVERIFY(back.ok());
        QCOMPARE(*back, std::string("{\"z\": [1, 2.5, -3e-07, true, null], \"a\": \"é😀\\n\\\"\", \"m\": {}}"));
        QVERIFY(!parseJson("[1, 2").ok());
        QVERIFY(!parseJson("{\"a\" 1}").ok());
        QVERIFY(!parseJson("[1] x").ok());
    }
};

QTEST_GUILESS_MAIN(TestChatJinja)
#include "tst_chat_jinja.moc"
