#include "gapcast/util/suggest.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace gapcast {

namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  // Only ASCII letters are folded: keys and names in scenario files are ASCII, and folding
  // bytes of multibyte UTF-8 characters would corrupt them.
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whether the shorter of the two strings, at least 4 characters long, starts or ends the
// longer one: "horizon" for "horizon_years", or "seed" typed for "random_seed". Below four
// characters almost everything would be a prefix of something.
bool is_affix_match(std::string_view a, std::string_view b) {
  const std::string_view shorter = a.size() <= b.size() ? a : b;
  const std::string_view longer = a.size() <= b.size() ? b : a;
  if (shorter.size() < 4) return false;
  return longer.substr(0, shorter.size()) == shorter ||
         longer.substr(longer.size() - shorter.size()) == shorter;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: the Levenshtein recurrence plus a transposition of two adjacent
  // characters at cost 1 ("ab" -> "ba"), the most common typing slip. Three rolling rows
  // suffice, as the transposition looks back two rows.
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  const std::string lowered_word = ascii_lower(word);
  // A third of the length: one slip in a short word, more in a long snake_case key, but never
  // so many that an unrelated word of similar length qualifies.
  const std::size_t threshold = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& candidate : candidates) {
    const std::string lowered = ascii_lower(candidate);
    const std::size_t distance = edit_distance(lowered_word, lowered);
    if (distance > threshold && !is_affix_match(lowered_word, lowered)) continue;
    // Strictly smaller only, so that among equally close candidates the first one wins.
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace gapcast
