#include "gapcast/util/suggest.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using gapcast::closest_match;
using gapcast::edit_distance;

TEST(EditDistance, ClassicExamples) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2U);
  EXPECT_EQ(edit_distance("saturday", "sunday"), 3U);
  EXPECT_EQ(edit_distance("same", "same"), 0U);
}

TEST(EditDistance, EmptyStrings) {
  EXPECT_EQ(edit_distance("", ""), 0U);
  EXPECT_EQ(edit_distance("", "abc"), 3U);
  EXPECT_EQ(edit_distance("abcd", ""), 4U);
}

TEST(EditDistance, AdjacentTranspositionCostsOne) {
  EXPECT_EQ(edit_distance("ab", "ba"), 1U);
  EXPECT_EQ(edit_distance("smuggling", "smugglign"), 1U);
  EXPECT_EQ(edit_distance("abcdef", "badcfe"), 3U);
  // Optimal string alignment edits no substring twice, so "ca" -> "abc" costs 3 (true
  // Damerau-Levenshtein would say 2). Pins down which variant is implemented.
  EXPECT_EQ(edit_distance("ca", "abc"), 3U);
}

TEST(EditDistance, IsSymmetricAndCaseSensitive) {
  EXPECT_EQ(edit_distance("horizon", "horizn"), edit_distance("horizn", "horizon"));
  EXPECT_EQ(edit_distance("export_controls", "exprot_control"),
            edit_distance("exprot_control", "export_controls"));
  EXPECT_EQ(edit_distance("Seed", "seed"), 1U);
}

const std::vector<std::string> kKeys = {"samples",       "seed",
                                        "smuggling",     "densing_doubling_months",
                                        "horizon_years", "export_controls",
                                        "scenario"};

TEST(ClosestMatch, SuggestsForTypos) {
  EXPECT_EQ(closest_match("densing_doubling_month", kKeys),
            std::optional<std::string>("densing_doubling_months"));
  EXPECT_EQ(closest_match("smugling", kKeys), std::optional<std::string>("smuggling"));
  EXPECT_EQ(closest_match("sampels", kKeys), std::optional<std::string>("samples"));
  EXPECT_EQ(closest_match("seeed", kKeys), std::optional<std::string>("seed"));
  EXPECT_EQ(closest_match("exprot_controls", kKeys),
            std::optional<std::string>("export_controls"));
}

TEST(ClosestMatch, NoSuggestionForUnrelatedWords) {
  EXPECT_EQ(closest_match("banana", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("xyz", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("threads", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("seed", {}), std::nullopt);
}

TEST(ClosestMatch, IgnoresAsciiCaseButReturnsTheCandidateSpelling) {
  EXPECT_EQ(closest_match("SMUGLING", kKeys), std::optional<std::string>("smuggling"));
  EXPECT_EQ(closest_match("Seed", kKeys), std::optional<std::string>("seed"));
  const std::vector<std::string> mixed = {"NoControls", "Embargo"};
  EXPECT_EQ(closest_match("nocontrol", mixed), std::optional<std::string>("NoControls"));
}

TEST(ClosestMatch, PrefixAndSuffixOfAtLeastFourCharacters) {
  // Too far by edit distance (threshold 2 for "horizon"), but a prefix of the key.
  EXPECT_EQ(closest_match("horizon", kKeys), std::optional<std::string>("horizon_years"));
  // A suffix: "controls" is a suffix of "export_controls".
  EXPECT_EQ(closest_match("controls", kKeys), std::optional<std::string>("export_controls"));
  // The other way round: the candidate is a prefix of the (longer) word.
  EXPECT_EQ(closest_match("scenario_file_path", kKeys), std::optional<std::string>("scenario"));
  // Shorter than four characters: no affix rule, and too far by distance.
  EXPECT_EQ(closest_match("hor", kKeys), std::nullopt);
}

TEST(ClosestMatch, ThresholdIsAThirdOfTheWordLength) {
  const std::vector<std::string> one = {"abcdefghi"};
  // 9 characters: threshold 3. Three substitutions qualify, four do not. No shared affix of
  // length >= 4 in either case, so only the distance rule applies.
  EXPECT_EQ(closest_match("xbcdxfgxi", one), std::optional<std::string>("abcdefghi"));
  EXPECT_EQ(closest_match("xbcdxfgxx", one), std::nullopt);
  // Short words still allow one edit.
  EXPECT_EQ(closest_match("ab", std::vector<std::string>{"ax"}), std::optional<std::string>("ax"));
  EXPECT_EQ(closest_match("ab", std::vector<std::string>{"xy"}), std::nullopt);
}

TEST(ClosestMatch, ClosestWinsAndTiesGoToTheEarliest) {
  EXPECT_EQ(closest_match("seet", std::vector<std::string>{"sent", "seed", "set"}),
            std::optional<std::string>("sent"));  // all at distance 1: first wins
  EXPECT_EQ(closest_match("seet", std::vector<std::string>{"set", "seed"}),
            std::optional<std::string>("set"));
  // A closer candidate later in the list beats an earlier, farther one.
  EXPECT_EQ(closest_match("samples_x", std::vector<std::string>{"samples_xyz", "samples_y"}),
            std::optional<std::string>("samples_y"));
  EXPECT_EQ(closest_match("seed", std::vector<std::string>{"sed", "seed"}),
            std::optional<std::string>("seed"));  // an exact match is the closest
}

}  // namespace
