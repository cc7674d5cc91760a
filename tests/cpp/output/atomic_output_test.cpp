#include "gapcast/output/atomic_output.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using gapcast::OutputTransaction;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_plain(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

bool has_staging_entry(const fs::path& dir) {
  for (const auto& name : listing(dir)) {
    if (name.find(".staging-") != std::string::npos) return true;
  }
  return false;
}

class OutputTransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("gapcast-atomic-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path root_;
};

TEST_F(OutputTransactionTest, CommitPublishesAllFilesWithExactContent) {
  const fs::path out = root_ / "results";
  const std::string binary("a\0b\r\n\xff", 6);
  {
    OutputTransaction tx(out);
    EXPECT_EQ(tx.out_dir(), out);
    tx.write("summary.json", "{\"ok\": true}\n");
    tx.write("samples.csv", "x,y\n1,2\n");
    tx.write("raw.bin", binary);
    tx.write("empty.txt", "");
    EXPECT_FALSE(fs::exists(out)) << "output directory must not exist before commit";
    EXPECT_TRUE(has_staging_entry(root_)) << "files are staged next to the output directory";
    tx.commit();
    EXPECT_EQ(tx.files().size(), 4U);
  }
  EXPECT_EQ(listing(out), (std::set<std::string>{"summary.json", "samples.csv", "raw.bin",
                                                 "empty.txt"}));
  EXPECT_EQ(read_file(out / "summary.json"), "{\"ok\": true}\n");
  EXPECT_EQ(read_file(out / "samples.csv"), "x,y\n1,2\n");
  EXPECT_EQ(read_file(out / "raw.bin"), binary);
  EXPECT_EQ(fs::file_size(out / "empty.txt"), 0U);
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"}) << "staging directory removed";
}

TEST_F(OutputTransactionTest, StagingDirectoryIsHiddenAndNamedAfterOutputDirectory) {
  OutputTransaction tx(root_ / "run1");
  tx.write("a.txt", "x");
  const auto names = listing(root_);
  ASSERT_EQ(names.size(), 1U);
  const std::string staging = *names.begin();
  const std::string expected_prefix = ".run1.staging-" + std::to_string(::getpid()) + "-";
  EXPECT_EQ(staging.rfind(expected_prefix, 0), 0U) << staging;
  EXPECT_EQ(read_file(root_ / staging / "a.txt"), "x");
}

TEST_F(OutputTransactionTest, ExistingOutputIsUnchangedBeforeCommit) {
  const fs::path out = root_ / "results";
  fs::create_directories(out);
  write_plain(out / "summary.json", "old");
  {
    OutputTransaction tx(out);
    tx.write("summary.json", "new");
    EXPECT_EQ(read_file(out / "summary.json"), "old");
    EXPECT_EQ(listing(out), std::set<std::string>{"summary.json"});
    tx.commit();
  }
  EXPECT_EQ(read_file(out / "summary.json"), "new");
}

TEST_F(OutputTransactionTest, DestructionWithoutCommitLeavesNoTrace) {
  const fs::path out = root_ / "results";
  {
    OutputTransaction tx(out);
    tx.write("a.json", "1");
    tx.write("nested/b.json", "2");
    EXPECT_TRUE(has_staging_entry(root_));
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(listing(root_).empty()) << "staging directory must be removed";
}

TEST_F(OutputTransactionTest, DestructionWithoutCommitLeavesExistingOutputUntouched) {
  const fs::path out = root_ / "results";
  fs::create_directories(out);
  write_plain(out / "a.json", "previous run");
  try {
    OutputTransaction tx(out);
    tx.write("a.json", "half-finished");
    tx.write("b.json", "never published");
    throw std::runtime_error("simulated failure during the run");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(listing(out), std::set<std::string>{"a.json"});
  EXPECT_EQ(read_file(out / "a.json"), "previous run");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, ExistingFilesAreReplacedOthersKept) {
  const fs::path out = root_ / "results";
  fs::create_directories(out);
  write_plain(out / "summary.json", "a much longer old content that must not leave a tail");
  write_plain(out / "notes.txt", "user's own file");
  {
    OutputTransaction tx(out);
    tx.write("summary.json", "short");
    tx.commit();
  }
  EXPECT_EQ(read_file(out / "summary.json"), "short");
  EXPECT_EQ(read_file(out / "notes.txt"), "user's own file");
}

TEST_F(OutputTransactionTest, SubdirectoriesAreCreatedInStagingAndOutput) {
  const fs::path out = root_ / "deep" / "er" / "results";  // parents do not exist yet
  {
    OutputTransaction tx(out);
    tx.write("figures/fan/chart.svg", "<svg/>");
    tx.write("tables/t1.csv", "a\n");
    tx.write("top.txt", "t");
    EXPECT_FALSE(fs::exists(out));
    tx.commit();
  }
  EXPECT_EQ(read_file(out / "figures" / "fan" / "chart.svg"), "<svg/>");
  EXPECT_EQ(read_file(out / "tables" / "t1.csv"), "a\n");
  EXPECT_EQ(read_file(out / "top.txt"), "t");
  EXPECT_EQ(listing(root_ / "deep" / "er"), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, RewritingAFileKeepsTheLastContentAndOneEntry) {
  const fs::path out = root_ / "results";
  OutputTransaction tx(out);
  tx.write("a.txt", "first, longer version");
  tx.write("a.txt", "second");
  EXPECT_EQ(tx.files(), std::vector<std::string>{"a.txt"});
  tx.commit();
  EXPECT_EQ(read_file(out / "a.txt"), "second");
}

TEST_F(OutputTransactionTest, CommitWithoutFilesCreatesTheOutputDirectory) {
  const fs::path out = root_ / "results";
  OutputTransaction tx(out);
  tx.commit();
  EXPECT_TRUE(fs::is_directory(out));
  EXPECT_TRUE(listing(out).empty());
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, TrailingSlashInOutputDirectory) {
  const fs::path out = fs::path((root_ / "results").string() + "/");
  {
    OutputTransaction tx(out);
    tx.write("a.txt", "x");
    tx.commit();
  }
  EXPECT_EQ(read_file(root_ / "results" / "a.txt"), "x");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, TwoTransactionsUseSeparateStagingDirectories) {
  const fs::path out = root_ / "results";
  OutputTransaction first(out);
  OutputTransaction second(out);
  first.write("a.txt", "from first");
  second.write("a.txt", "from second");
  EXPECT_EQ(listing(root_).size(), 2U);
  second.commit();
  EXPECT_EQ(read_file(out / "a.txt"), "from second");
  first.commit();
  EXPECT_EQ(read_file(out / "a.txt"), "from first");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, UnwritableLocationThrowsNamingThePath) {
  const fs::path blocker = root_ / "not-a-directory";
  write_plain(blocker, "I am a regular file");
  const fs::path out = blocker / "results";
  OutputTransaction tx(out);
  try {
    tx.write("a.txt", "x");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(blocker.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(blocker), "I am a regular file");
}

TEST_F(OutputTransactionTest, CommitOntoARegularFileThrowsAndCleansUp) {
  const fs::path out = root_ / "results";
  write_plain(out, "a file where the output directory should be");
  {
    OutputTransaction tx(out);
    tx.write("a.txt", "x");
    try {
      tx.commit();
      FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(out.string()), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(read_file(out), "a file where the output directory should be");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"}) << "staging removed";
}

TEST_F(OutputTransactionTest, NamesOutsideTheOutputDirectoryAreRejected) {
  OutputTransaction tx(root_ / "results");
  EXPECT_THROW(tx.write("../escape.txt", "x"), std::invalid_argument);
  EXPECT_THROW(tx.write("a/../../escape.txt", "x"), std::invalid_argument);
  EXPECT_THROW(tx.write("/tmp/absolute.txt", "x"), std::invalid_argument);
  EXPECT_THROW(tx.write("", "x"), std::invalid_argument);
  EXPECT_THROW(tx.write("dir/", "x"), std::invalid_argument);
  EXPECT_FALSE(fs::exists(root_ / "escape.txt"));
  EXPECT_TRUE(tx.files().empty());
}

TEST_F(OutputTransactionTest, WriteAfterCommitIsALogicError) {
  OutputTransaction tx(root_ / "results");
  tx.write("a.txt", "x");
  tx.commit();
  EXPECT_THROW(tx.write("b.txt", "y"), std::logic_error);
  EXPECT_NO_THROW(tx.commit());  // a second commit has nothing left to do
  EXPECT_FALSE(fs::exists(root_ / "results" / "b.txt"));
}

}  // namespace
