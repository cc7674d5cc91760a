#include "gapcast/scenario/json_locator.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using gapcast::JsonLocator;
using gapcast::TextLocation;

// Columns below were counted by hand (1-based, in code points); the comments show the layout.
const std::string kDocument =
    "{\n"                                                  // line 1
    "  \"name\": \"base\",\n"                              // line 2: key col 3, value col 11
    "  \"world\": {\n"                                     // line 3: key col 3, value col 12
    "    \"years\": [2024, 2025,\n"                        // line 4: key 5, [ 14, 2024 15, 2025 21
    "              2026],\n"                               // line 5: 2026 at col 15
    "    \"nested\": {\"a/b\": 1, \"t~x\": {\"deep\": null}}\n"  // line 6
    "  },\n"                                               // line 7
    "  \"label\": \"\xC3\xA9\xE2\x88\x91\xF0\x9F\x98\x80\", \"after\": true\n"  // line 8: é∑😀
    "}\n";                                                 // line 9

void expect_location(const std::optional<TextLocation>& actual, std::size_t line,
                     std::size_t column, const std::string& what) {
  ASSERT_TRUE(actual.has_value()) << what << " not found";
  EXPECT_EQ(actual->line, line) << what;
  EXPECT_EQ(actual->column, column) << what;
}

TEST(JsonLocator, SampleDocumentIsValidJson) {
  const auto doc = nlohmann::json::parse(kDocument, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["world"]["nested"]["t~x"]["deep"], nullptr);
}

TEST(JsonLocator, ValueAndKeyLocationsInNestedDocument) {
  const JsonLocator loc(kDocument);
  expect_location(loc.value(""), 1, 1, "root");
  EXPECT_EQ(loc.value("")->offset, 0U);

  expect_location(loc.value("/name"), 2, 11, "/name value");
  expect_location(loc.key("/name"), 2, 3, "/name key");
  expect_location(loc.value("/world"), 3, 12, "/world value");
  expect_location(loc.key("/world"), 3, 3, "/world key");
  expect_location(loc.value("/world/years"), 4, 14, "/world/years");
  expect_location(loc.key("/world/years"), 4, 5, "/world/years key");
  expect_location(loc.value("/world/years/0"), 4, 15, "/world/years/0");
  expect_location(loc.value("/world/years/1"), 4, 21, "/world/years/1");
  expect_location(loc.value("/world/years/2"), 5, 15, "/world/years/2");
  expect_location(loc.value("/world/nested"), 6, 15, "/world/nested");
  expect_location(loc.key("/world/nested"), 6, 5, "/world/nested key");
  expect_location(loc.value("/world/nested/t~0x/deep"), 6, 42, "deep value");
  expect_location(loc.key("/world/nested/t~0x/deep"), 6, 34, "deep key");

  // Byte offsets agree with the text.
  EXPECT_EQ(loc.value("/world/years/2")->offset, kDocument.find("2026"));
  EXPECT_EQ(loc.value("/world/nested/t~0x/deep")->offset, kDocument.find("null"));

  // Array elements have no key; absent members have nothing.
  EXPECT_FALSE(loc.key("/world/years/0").has_value());
  EXPECT_FALSE(loc.value("/world/years/3").has_value());
  EXPECT_FALSE(loc.value("/missing").has_value());
  EXPECT_TRUE(loc.duplicate_keys().empty());
}

TEST(JsonLocator, KeysWithSlashAndTildeAreEscaped) {
  const JsonLocator loc(kDocument);
  expect_location(loc.value("/world/nested/a~1b"), 6, 23, "a/b value");
  expect_location(loc.key("/world/nested/a~1b"), 6, 16, "a/b key");
  expect_location(loc.value("/world/nested/t~0x"), 6, 33, "t~x value");
  expect_location(loc.key("/world/nested/t~0x"), 6, 26, "t~x key");
  // The unescaped spellings are not pointers to these members.
  EXPECT_FALSE(loc.value("/world/nested/a/b").has_value());
  EXPECT_FALSE(loc.value("/world/nested/t~x").has_value());
}

TEST(JsonLocator, MultibyteCharactersCountAsOneColumn) {
  const JsonLocator loc(kDocument);
  // "é∑😀" is 3 code points but 9 bytes; "after" must be at column 19, not 25.
  expect_location(loc.key("/after"), 8, 19, "/after key");
  expect_location(loc.value("/after"), 8, 28, "/after value");
  expect_location(loc.value("/label"), 8, 12, "/label value");
  EXPECT_EQ(loc.value("/after")->offset, kDocument.find("true"));

  const std::string small = "{\"\xC3\xA9\": \"\xC3\xBC\", \"k\": 1}";  // {"é": "ü", "k": 1}
  const JsonLocator loc2(small);
  expect_location(loc2.key("/k"), 1, 12, "/k key");
  expect_location(loc2.value("/k"), 1, 17, "/k value");
  expect_location(loc2.value("/\xC3\xA9"), 1, 7, "/é value");
  EXPECT_EQ(loc2.value("/k")->offset, 18U);  // two extra bytes for é and ü
}

TEST(JsonLocator, CrLfLineEndingsGiveTheSameLocations) {
  std::string crlf;
  for (const char c : kDocument) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const JsonLocator lf(kDocument);
  const JsonLocator loc(crlf);
  for (const char* pointer : {"", "/name", "/world/years/2", "/world/nested/t~0x/deep", "/after"}) {
    const auto a = lf.value(pointer);
    const auto b = loc.value(pointer);
    ASSERT_TRUE(a.has_value() && b.has_value()) << pointer;
    EXPECT_EQ(b->line, a->line) << pointer;
    EXPECT_EQ(b->column, a->column) << pointer;
  }
  expect_location(loc.value("/world/years/2"), 5, 15, "crlf /world/years/2");
}

TEST(JsonLocator, KeysAreUnescapedBeforeBuildingPointers) {
  const std::string text =
      R"({"\u0041b": 1, "a\/b": 2, "x\"y": 3, "\ud83d\ude00": 4, "tab\tkey": 5})";
  const JsonLocator loc(text);
  expect_location(loc.value("/Ab"), 1, 13, "\\u0041 key");
  expect_location(loc.value("/a~1b"), 1, 24, "escaped slash key");
  expect_location(loc.value("/x\"y"), 1, 35, "escaped quote key");
  expect_location(loc.value("/\xF0\x9F\x98\x80"), 1, 54, "surrogate pair key");
  expect_location(loc.value("/tab\tkey"), 1, 69, "escaped tab key");
  EXPECT_FALSE(loc.value("/\\u0041b").has_value());
}

TEST(JsonLocator, PointersAgreeWithNlohmann) {
  // Every leaf pointer nlohmann produces (it does its own unescaping and ~0/~1 escaping) must
  // be known to the locator, and point at text that parses to the same value. (No empty
  // containers: flatten() turns those into null leaves, which the text does not contain.)
  const std::string text =
      R"({"a/b": {"c~d": [1, {"\u00e9t\u00e9": "x"}]}, "q\"": [[true], [2.5]], "e": {"f": null}})";
  const nlohmann::json doc = nlohmann::json::parse(text);
  const JsonLocator loc(text);
  const nlohmann::json flat = doc.flatten();
  ASSERT_GE(flat.size(), 5U);
  for (const auto& [pointer, leaf] : flat.items()) {
    const auto where = loc.value(pointer);
    ASSERT_TRUE(where.has_value()) << pointer;
    const std::string rest = text.substr(where->offset);
    const auto parsed = nlohmann::json::parse(rest.substr(0, leaf.dump().size()), nullptr,
                                              /*allow_exceptions=*/false);
    EXPECT_EQ(parsed, leaf) << pointer;
  }
}

TEST(JsonLocator, DuplicateKeysAreReportedWithBothLocations) {
  const std::string text =
      "{\"a\": 1,\n"
      " \"b\": {\"x\": 1, \"x\": 2},\n"
      " \"a\": 3}";
  const JsonLocator loc(text);
  const auto& dups = loc.duplicate_keys();
  ASSERT_EQ(dups.size(), 2U);
  EXPECT_EQ(dups[0].pointer, "/b/x");
  EXPECT_EQ(dups[0].first.line, 2U);
  EXPECT_EQ(dups[0].first.column, 8U);
  EXPECT_EQ(dups[0].second.line, 2U);
  EXPECT_EQ(dups[0].second.column, 16U);
  EXPECT_EQ(dups[1].pointer, "/a");
  EXPECT_EQ(dups[1].first.line, 1U);
  EXPECT_EQ(dups[1].first.column, 2U);
  EXPECT_EQ(dups[1].second.line, 3U);
  EXPECT_EQ(dups[1].second.column, 2U);
  // nlohmann keeps the last value; the locator points at that one too.
  EXPECT_EQ(nlohmann::json::parse(text)["a"], 3);
  expect_location(loc.value("/a"), 3, 7, "/a value");
  expect_location(loc.value("/b/x"), 2, 21, "/b/x value");
}

TEST(JsonLocator, SameKeyInDifferentObjectsIsNotADuplicate) {
  const JsonLocator loc(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]})");
  EXPECT_TRUE(loc.duplicate_keys().empty());
  EXPECT_TRUE(loc.value("/c/1/x").has_value());
}

TEST(JsonLocator, MaxDepth) {
  EXPECT_EQ(JsonLocator(kDocument).max_depth(), 4U);  // root > world > nested > t~x
  EXPECT_EQ(JsonLocator("42").max_depth(), 0U);
  EXPECT_EQ(JsonLocator("[]").max_depth(), 1U);
  EXPECT_EQ(JsonLocator("[[1], {\"a\": [[]]}]").max_depth(), 4U);
}

TEST(JsonLocator, ScalarRoot) {
  const JsonLocator loc("  \n  \"text\"  ");
  expect_location(loc.value(""), 2, 3, "root string");
}

TEST(JsonLocator, NearestWalksUpToAKnownAncestor) {
  const JsonLocator loc(kDocument);
  const TextLocation nested = loc.nearest("/world/nested/missing/deeper/0");
  EXPECT_EQ(nested.line, 6U);
  EXPECT_EQ(nested.column, 15U);  // /world/nested
  const TextLocation element = loc.nearest("/world/years/7");
  EXPECT_EQ(element.line, 4U);
  EXPECT_EQ(element.column, 14U);  // /world/years
  const TextLocation known = loc.nearest("/world/years/2");
  EXPECT_EQ(known.line, 5U);
  EXPECT_EQ(known.column, 15U);
  const TextLocation root = loc.nearest("/nope");
  EXPECT_EQ(root.line, 1U);
  EXPECT_EQ(root.column, 1U);
  // An escaped "/" in the missing token must not be mistaken for a separator into a known
  // member: "/world/nested/a~1b~1c" is a missing child of /world/nested.
  EXPECT_EQ(loc.nearest("/world/nested/a~1b~1c").column, 15U);
}

TEST(JsonLocator, NearestFallsBackToLineOneColumnOne) {
  const JsonLocator empty;
  const TextLocation loc = empty.nearest("/a/b");
  EXPECT_EQ(loc.line, 1U);
  EXPECT_EQ(loc.column, 1U);
  EXPECT_EQ(loc.offset, 0U);
  EXPECT_EQ(JsonLocator("").nearest("").line, 1U);
}

TEST(JsonLocator, ByteOrderMarkTakesNoColumn) {
  const JsonLocator loc("\xEF\xBB\xBF{\"a\": 1}");
  expect_location(loc.value(""), 1, 1, "root after BOM");
  expect_location(loc.value("/a"), 1, 7, "/a after BOM");
  EXPECT_EQ(loc.value("/a")->offset, 9U);
}

TEST(JsonLocator, EveryPrefixIsHandledAndAgreesWithTheFullDocument) {
  const JsonLocator full(kDocument);
  const std::vector<std::string> pointers = {"",
                                             "/name",
                                             "/world",
                                             "/world/years",
                                             "/world/years/0",
                                             "/world/years/2",
                                             "/world/nested/a~1b",
                                             "/world/nested/t~0x/deep",
                                             "/label",
                                             "/after"};
  for (std::size_t n = 0; n <= kDocument.size(); ++n) {
    const std::string prefix = kDocument.substr(0, n);
    // Copy into an exactly sized buffer so that tools like ASan catch any read past the end.
    const std::vector<char> buffer(prefix.begin(), prefix.end());
    ASSERT_NO_THROW({
      const JsonLocator loc(std::string_view(buffer.data(), buffer.size()));
      for (const auto& p : pointers) {
        // Whatever a prefix knows, it knows correctly.
        if (const auto where = loc.value(p)) {
          EXPECT_EQ(where->offset, full.value(p)->offset) << "prefix " << n << " " << p;
          EXPECT_EQ(where->column, full.value(p)->column) << "prefix " << n << " " << p;
        }
        (void)loc.nearest(p + "/x");
      }
    }) << "prefix length " << n;
  }
}

TEST(JsonLocator, RandomBytesAndMutationsDoNotCrash) {
  std::mt19937_64 engine(20240611);
  const std::string alphabet = "{}[]:,\"\\ \n\r\tu0123456789abcdeftrunl-+.eE/~\xC3\xA9\xF0";
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const std::size_t length = engine() % 300;
    for (std::size_t i = 0; i < length; ++i) {
      // Half the rounds use arbitrary bytes, half JSON-ish characters that get further in.
      input += round % 2 == 0 ? static_cast<char>(engine() & 0xFF)
                              : alphabet[engine() % alphabet.size()];
    }
    const std::vector<char> buffer(input.begin(), input.end());
    EXPECT_NO_THROW({
      const JsonLocator loc(std::string_view(buffer.data(), buffer.size()));
      (void)loc.nearest("/a/0/b");
      (void)loc.max_depth();
      (void)gapcast::location_of_offset(std::string_view(buffer.data(), buffer.size()),
                                        engine() % (length + 2));
    });
  }
  for (int round = 0; round < 2000; ++round) {
    std::string mutated = kDocument;
    for (int k = 0; k < 3; ++k) {
      mutated[engine() % mutated.size()] = static_cast<char>(engine() & 0xFF);
    }
    EXPECT_NO_THROW({
      const JsonLocator loc(mutated);
      (void)loc.nearest("/world/nested/a~1b");
    });
  }
}

TEST(JsonLocator, DeepNestingDoesNotOverflowTheStack) {
  constexpr std::size_t kDepth = 100000;
  {
    const JsonLocator unterminated(std::string(kDepth, '['));
    EXPECT_EQ(unterminated.max_depth(), kDepth);
  }
  {
    const std::string balanced = std::string(kDepth, '[') + std::string(kDepth, ']');
    const JsonLocator loc(balanced);
    EXPECT_EQ(loc.max_depth(), kDepth);
    expect_location(loc.value(""), 1, 1, "deep root");
    expect_location(loc.value("/0/0/0"), 1, 4, "deep /0/0/0");
    // Whatever depth it records up to, nearest() returns an enclosing array.
    std::string deep;
    for (std::size_t i = 0; i < 5000; ++i) deep += "/0";
    const TextLocation where = loc.nearest(deep);
    EXPECT_EQ(where.line, 1U);
    EXPECT_GE(where.column, 4U);
    EXPECT_LE(where.column, 5001U);
  }
  {
    std::string objects;
    for (std::size_t i = 0; i < kDepth; ++i) objects += "{\"k\":";
    objects += "1";
    objects += std::string(kDepth, '}');
    const JsonLocator loc(objects);
    EXPECT_EQ(loc.max_depth(), kDepth);
    expect_location(loc.value("/k/k"), 1, 11, "deep objects /k/k");
  }
}

TEST(LocationOfOffset, LinesColumnsAndClamping) {
  const std::string text = "ab\ncd\r\nx\xC3\xA9y";
  auto loc = gapcast::location_of_offset(text, 0);
  EXPECT_EQ(loc.line, 1U);
  EXPECT_EQ(loc.column, 1U);
  loc = gapcast::location_of_offset(text, 4);  // 'd'
  EXPECT_EQ(loc.line, 2U);
  EXPECT_EQ(loc.column, 2U);
  EXPECT_EQ(loc.offset, 4U);
  loc = gapcast::location_of_offset(text, 7);  // 'x' after \r\n
  EXPECT_EQ(loc.line, 3U);
  EXPECT_EQ(loc.column, 1U);
  loc = gapcast::location_of_offset(text, 10);  // 'y' after the two-byte é
  EXPECT_EQ(loc.line, 3U);
  EXPECT_EQ(loc.column, 3U);
  loc = gapcast::location_of_offset(text, 9);  // inside é: the column of é
  EXPECT_EQ(loc.column, 2U);
  loc = gapcast::location_of_offset(text, 1000);  // clamped to the end
  EXPECT_EQ(loc.offset, text.size());
  EXPECT_EQ(loc.line, 3U);
  EXPECT_EQ(loc.column, 4U);
  EXPECT_EQ(gapcast::location_of_offset("", 5).line, 1U);
}

TEST(EscapePointerToken, TildeAndSlash) {
  EXPECT_EQ(gapcast::escape_pointer_token("plain"), "plain");
  EXPECT_EQ(gapcast::escape_pointer_token("a/b~c"), "a~1b~0c");
  // "~1" in a key is a literal tilde followed by 1, so the tilde is escaped first.
  EXPECT_EQ(gapcast::escape_pointer_token("~1"), "~01");
  EXPECT_EQ(gapcast::escape_pointer_token("//"), "~1~1");
  EXPECT_EQ(gapcast::escape_pointer_token(""), "");
}

}  // namespace
