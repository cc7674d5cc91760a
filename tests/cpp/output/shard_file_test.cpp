// The shard format (output/shard_file.hpp): a shard survives encode and decode whole (its
// description, its summaries), and anything that is not an intact shard of this format (other
// bytes, a truncated or altered file, another format version) is refused with a
// ShardFormatError that says which; shard files are written atomically and read back with the
// file named in errors.
#include "gapcast/output/shard_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/util/sha256.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSamples = 20;
constexpr std::size_t kChecksumSize = 64;
constexpr std::size_t kVersionOffset = 14;  // after the 14-byte magic
constexpr std::size_t kHeaderLengthOffset = kVersionOffset + 4;

RunOptions small_options() {
  RunOptions o;
  o.samples = kSamples;
  o.seed = 99;
  o.threads = 1;
  o.horizon = {2027, 6};
  return o;
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> s = load_scenarios(
      {testing::source_path("scenarios/baseline.json"),
       testing::source_path("scenarios/comprehensive_embargo.json")})
                                             .scenarios;
  return s;
}

// Two shards that make up one small run, computed once.
const std::vector<RunShard>& two_shards() {
  static const std::vector<RunShard> shards = {
      run_shard(scenarios(), small_options(), nullptr, {0, 7}),
      run_shard(scenarios(), small_options(), nullptr, {7, kSamples})};
  return shards;
}

ShardPayload payload_of(const RunShard& shard) {
  return ShardPayload{shard,
                      {"gapcast", "run", "scenarios/baseline.json", "--samples", "20"},
                      R"({"files": ["scenarios/baseline.json"], "set": []})"};
}

const std::string& shard_bytes() {
  static const std::string bytes = encode_shard(payload_of(two_shards()[1]));
  return bytes;
}

// Where the summaries start: after the magic, the version and the length-prefixed header.
std::size_t summaries_offset(const std::string& bytes) {
  std::uint64_t header = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    header |= std::uint64_t{static_cast<unsigned char>(bytes[kHeaderLengthOffset + i])} << (8 * i);
  }
  return kHeaderLengthOffset + 8 + static_cast<std::size_t>(header);
}

// Replaces the trailing checksum by the right one for the altered content, so that a check
// other than the checksum's is what refuses it.
std::string with_fresh_checksum(std::string bytes) {
  bytes.resize(bytes.size() - kChecksumSize);
  bytes += sha256_hex(bytes);
  return bytes;
}

// The message of the ShardFormatError decoding `bytes` throws.
std::string decode_error(const std::string& bytes) {
  try {
    (void)decode_shard(bytes);
  } catch (const ShardFormatError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not a ShardFormatError: ") + e.what() + ")";
  }
  return "(no exception)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  }
  return true;
}

TEST(ShardFile, PayloadRoundTrips) {
  const RunShard& original = two_shards()[1];
  const ShardPayload in = payload_of(original);
  const ShardPayload out = decode_shard(encode_shard(in));
  EXPECT_EQ(out.shard.range, (SampleRange{7, kSamples}));
  EXPECT_EQ(out.command, in.command);
  EXPECT_EQ(out.inputs_json, in.inputs_json);

  const Results& a = original.results;
  const Results& b = out.shard.results;
  EXPECT_EQ(to_json(b.info), to_json(a.info));  // every field of the description
  EXPECT_EQ(b.info.samples, kSamples);
  EXPECT_EQ(b.info.solver_steps, a.info.solver_steps);
  EXPECT_GT(b.info.solver_steps, 0U);
  EXPECT_EQ(b.info.baseline_policy, a.info.baseline_policy);
  EXPECT_EQ(b.dates, a.dates);
  EXPECT_EQ(b.dates.back(), "2027-06");
  EXPECT_EQ(b.quantiles, a.quantiles);
  EXPECT_EQ(b.assumptions_json, a.assumptions_json);
  EXPECT_FALSE(b.assumptions_json.empty());
  ASSERT_EQ(b.scenarios.size(), 2U);
  for (std::size_t s = 0; s < 2; ++s) {
    EXPECT_EQ(b.scenarios[s].name, a.scenarios[s].name);
    EXPECT_EQ(b.scenarios[s].title, a.scenarios[s].title);
    EXPECT_EQ(b.scenarios[s].fingerprint, a.scenarios[s].fingerprint);
    EXPECT_EQ(b.scenarios[s].world_fingerprint, a.scenarios[s].world_fingerprint);
    EXPECT_EQ(b.scenarios[s].policy_fingerprint, a.scenarios[s].policy_fingerprint);
    EXPECT_EQ(b.scenarios[s].has_baseline_comparison, a.scenarios[s].has_baseline_comparison);
    ASSERT_EQ(b.scenarios[s].files.size(), a.scenarios[s].files.size());
    for (std::size_t f = 0; f < a.scenarios[s].files.size(); ++f) {
      EXPECT_EQ(b.scenarios[s].files[f].sha256, a.scenarios[s].files[f].sha256);
    }
  }
  EXPECT_EQ(b.scenarios[1].name, "comprehensive_embargo");
  // The catalogues are the engine's own, so statistics index the same way.
  EXPECT_EQ(b.metrics.size(), a.metrics.size());
  EXPECT_EQ(b.scalar_metrics.size(), a.scalar_metrics.size());
}

TEST(ShardFile, DecodedSummariesMergeLikeTheOriginals) {
  std::vector<RunShard> decoded;
  for (const RunShard& shard : two_shards()) {
    decoded.push_back(decode_shard(encode_shard(payload_of(shard))).shard);
    // Each shard's own statistics survive the trip.
    const auto expected = shard.summaries.finish(shard.results.quantiles);
    const auto actual = decoded.back().summaries.finish(shard.results.quantiles);
    EXPECT_TRUE(same_bits(actual.series, expected.series)) << describe_range(shard.range);
    EXPECT_TRUE(same_bits(actual.scalars, expected.scalars)) << describe_range(shard.range);
  }
  const Results from_decoded = merge_shards(decoded);
  const Results from_originals = merge_shards(two_shards());
  EXPECT_TRUE(same_bits(from_decoded.series, from_originals.series));
  EXPECT_TRUE(same_bits(from_decoded.scalars, from_originals.scalars));
  ASSERT_EQ(from_decoded.scalar_counts.size(), from_originals.scalar_counts.size());
  for (std::size_t c = 0; c < from_originals.scalar_counts.size(); ++c) {
    EXPECT_EQ(from_decoded.scalar_counts[c].finite, from_originals.scalar_counts[c].finite);
    EXPECT_EQ(from_decoded.scalar_counts[c].infinite, from_originals.scalar_counts[c].infinite);
  }
  EXPECT_EQ(from_decoded.info.samples, kSamples);
}

TEST(ShardFile, BytesThatAreNotAShardAreRefused) {
  std::string bytes = shard_bytes();
  bytes[0] = 'X';
  EXPECT_TRUE(contains(decode_error(bytes), "not a gapcast shard")) << decode_error(bytes);
  EXPECT_TRUE(contains(decode_error(""), "not a gapcast shard"));
  EXPECT_TRUE(contains(decode_error(R"({"format": "gapcast-results"})"), "not a gapcast shard"));
}

TEST(ShardFile, TruncatedShardsAreRefused) {
  const std::string& bytes = shard_bytes();
  const std::size_t summaries = summaries_offset(bytes);
  ASSERT_LT(summaries + 100, bytes.size() - kChecksumSize);  // the cuts below are where said
  const std::vector<std::pair<std::string, std::size_t>> cuts = {
      {"inside the magic", 5},
      {"inside the version", kVersionOffset + 2},
      {"inside the header length", kHeaderLengthOffset + 3},
      {"inside the header", (kHeaderLengthOffset + summaries) / 2},
      {"at the start of the summaries", summaries},
      {"inside the summaries", (summaries + bytes.size() - kChecksumSize) / 2},
      {"before the checksum", bytes.size() - kChecksumSize},
      {"inside the checksum", bytes.size() - 1},
  };
  for (const auto& [where, size] : cuts) {
    const std::string why = decode_error(bytes.substr(0, size));
    EXPECT_FALSE(contains(why, "(no exception)") || contains(why, "(not a ShardFormatError"))
        << where << ": " << why;
  }
  // Past the magic, truncation shows as a checksum that does not match.
  const std::string why = decode_error(bytes.substr(0, bytes.size() - kChecksumSize - 10));
  EXPECT_TRUE(contains(why, "checksum")) << why;
}

TEST(ShardFile, AnAlteredByteFailsTheChecksum) {
  for (const std::size_t at : {summaries_offset(shard_bytes()) - 5, shard_bytes().size() / 2,
                               shard_bytes().size() - kChecksumSize - 1}) {
    std::string bytes = shard_bytes();
    bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
    const std::string why = decode_error(bytes);
    EXPECT_TRUE(contains(why, "checksum")) << "byte " << at << ": " << why;
  }
}

TEST(ShardFile, AnotherFormatVersionIsRefusedAsSuch) {
  std::string bytes = shard_bytes();
  ASSERT_EQ(bytes[kVersionOffset], static_cast<char>(shard_format_version));
  bytes[kVersionOffset] = 2;  // little-endian u32: version 2
  const std::string why = decode_error(with_fresh_checksum(bytes));
  EXPECT_TRUE(contains(why, "version 2")) << why;
  EXPECT_FALSE(contains(why, "checksum")) << why;
}

TEST(ShardFile, MalformedContentBehindAValidChecksumIsRefused) {
  // Extra bytes after the summaries.
  std::string extra = shard_bytes();
  extra.insert(extra.size() - kChecksumSize, "\x01");
  const std::string extra_why = decode_error(with_fresh_checksum(extra));
  EXPECT_TRUE(contains(extra_why, "unexpected bytes")) << extra_why;
  // The header's JSON broken.
  std::string header = shard_bytes();
  header[kHeaderLengthOffset + 8] = '[';
  const std::string header_why = decode_error(with_fresh_checksum(header));
  EXPECT_TRUE(contains(header_why, "malformed")) << header_why;
  // The summaries missing their last byte, with the checksum redone.
  std::string short_summaries = shard_bytes();
  short_summaries.erase(short_summaries.size() - kChecksumSize - 1, 1);
  const std::string short_why = decode_error(with_fresh_checksum(short_summaries));
  EXPECT_TRUE(contains(short_why, "malformed")) << short_why;
}

// ---------------------------------------------------------------------------------------------
// Files.

class ShardFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("shard_file_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

TEST_F(ShardFiles, WriteThenReadGivesTheShardAndLeavesNoPartialFile) {
  const fs::path path = dir_ / "part-7-20.gcshard";
  const ShardPayload payload = payload_of(two_shards()[1]);
  write_shard_file(path, payload);
  EXPECT_EQ(listing(), std::vector<std::string>{"part-7-20.gcshard"});
  std::ifstream in(path, std::ios::binary);
  const std::string on_disk{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(on_disk, shard_bytes());
  const ShardPayload back = read_shard_file(path);
  EXPECT_EQ(encode_shard(back), shard_bytes());

  // Writing over an existing shard replaces it, still without leftovers.
  write_shard_file(path, payload_of(two_shards()[0]));
  EXPECT_EQ(listing(), std::vector<std::string>{"part-7-20.gcshard"});
  EXPECT_EQ(read_shard_file(path).shard.range, (SampleRange{0, 7}));
}

TEST_F(ShardFiles, AMissingFileIsAnErrorNamingIt) {
  const fs::path path = dir_ / "missing.gcshard";
  try {
    (void)read_shard_file(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), path.string())) << e.what();
  }
}

TEST_F(ShardFiles, ACorruptedFileIsAFormatErrorNamingIt) {
  const fs::path path = dir_ / "corrupted.gcshard";
  std::string bytes = shard_bytes();
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(path, std::ios::binary) << bytes;
  try {
    (void)read_shard_file(path);
    FAIL() << "expected a ShardFormatError";
  } catch (const ShardFormatError& e) {
    EXPECT_TRUE(contains(e.what(), path.string())) << e.what();
    EXPECT_TRUE(contains(e.what(), "checksum")) << e.what();
  }
}

TEST_F(ShardFiles, WritingIntoAMissingDirectoryFailsWithoutLeftovers) {
  const fs::path path = dir_ / "no_such_dir" / "shard.gcshard";
  EXPECT_THROW(write_shard_file(path, payload_of(two_shards()[0])), std::runtime_error);
  EXPECT_TRUE(listing().empty());
}

}  // namespace
}  // namespace gapcast
