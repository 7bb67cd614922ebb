#pragma once
// The two merge algorithms behind Tokenizer::encode, applied to one fragment of plain text (the
// text between special tokens). Both keep the candidate merges in a priority queue over a linked
// list of symbols, so a word of n bytes costs O(n log n), never O(n^2).

#include <cstdint>
#include <string_view>
#include <vector>

namespace engine::tokenizer {

class Vocab;

// Byte-level BPE: pre-tokenize, map bytes to GPT-2's byte alphabet, merge by rank.
void encodeBpe(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

// SentencePiece-style BPE: spaces become U+2581, symbols are UTF-8 characters, the pair whose
// concatenation is the highest-scoring token merges first; leftovers use byte tokens <0xXX>.
// prefixSpace: prepend one space first (add_space_prefix at the start of the text or after a
// special token).
void encodeSpm(const Vocab& vocab, std::string_view text, bool prefixSpace, std::vector<int32_t>& out);

} // namespace engine::tokenizer
