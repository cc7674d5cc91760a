#pragma once
/// "Did you mean ...?" suggestions for unknown keys and names.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gapcast {

/// Optimal-string-alignment edit distance (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, if it is close enough to be a plausible typo: distance at
/// most max(1, word.size() / 3), or `word` is a prefix/suffix of the candidate (or vice
/// versa) of length >= 4. Ties go to the earliest candidate. Comparison ignores ASCII case.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace gapcast
