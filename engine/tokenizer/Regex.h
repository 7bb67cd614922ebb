#pragma once
// A small backtracking regular-expression matcher over code points, for the pre-tokenizer
// patterns of Hugging Face tokenizer.json files. It follows Oniguruma's semantics (what the
// tokenizers library runs): leftmost match, alternatives tried in order, greedy quantifiers with
// backtracking.
//
// Supported: literals, escapes \r \n \t \f \v \\ and escaped punctuation, \s \S \d \D;
// \p{X} / \P{X} for L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P S Z C; classes [...] with ranges,
// negation and the escapes above; groups (...), (?:...), (?i:...); lookahead (?=...) and (?!...);
// quantifiers ? * + {n} {n,} {n,m} with an optional lazy '?'; '.', '^' and '$' (segment ends).
// Anything else is a compile error. A quantified single class is matched without recursion, so
// a 100 000-character run costs no stack.

#include "core/Result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace engine::tokenizer {

class Regex {
public:
    static Result<Regex> compile(std::string_view pattern);

    Regex();
    ~Regex();
    Regex(Regex&&) noexcept;
    Regex& operator=(Regex&&) noexcept;

    // Searches cps[begin, end) (flags[i] = unicode::flags(cps[i])) for the leftmost non-empty match
    // that starts at or after `from`. Lookarounds and anchors see only [begin, end).
    bool find(const uint32_t* cps, const uint16_t* flags, size_t begin, size_t end, size_t from,
              size_t& matchBegin, size_t& matchEnd) const;

    const std::string& pattern() const { return m_pattern; }

    struct Node;

private:
    std::string m_pattern;
    std::vector<Node> m_nodes; // m_nodes[m_root] is the whole pattern
    int m_root = -1;
};

} // namespace engine::tokenizer
