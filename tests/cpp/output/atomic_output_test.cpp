#include "gapcast/output/atomic_output.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>

namespace {

namespace fs = std::filesystem;
using gapcast::OutputCancelled;
using gapcast::OutputLocationError;
using gapcast::OutputTransaction;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_plain(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

/// Entries of `dir`, without the lock files the protocol leaves beside output directories.
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".lock") == 0) continue;
    names.insert(name);
  }
  return names;
}

bool has_staging_entry(const fs::path& dir) {
  for (const auto& name : listing(dir)) {
    if (name.find(".staging-") != std::string::npos) return true;
  }
  return false;
}

OutputTransaction::Options marker(std::string file) {
  OutputTransaction::Options o;
  o.marker_file = std::move(file);
  return o;
}

/// A pid that no process has: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
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
  /// An earlier result set: a marker file and one more.
  fs::path earlier_set(const std::string& extra = "old.csv") {
    const fs::path out = root_ / "results";
    fs::create_directories(out);
    write_plain(out / "manifest.json", "{\"old\": true}");
    write_plain(out / extra, "old");
    return out;
  }
  fs::path root_;
};

TEST_F(OutputTransactionTest, CommitPublishesAllFilesWithExactContent) {
  const fs::path out = root_ / "results";
  const std::string binary("\0\x01\xff\n\r\n", 6);
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
  EXPECT_EQ(read_file(out / "raw.bin"), binary);
  EXPECT_EQ(fs::file_size(out / "empty.txt"), 0U);
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"}) << "staging directory removed";
}

TEST_F(OutputTransactionTest, StagingDirectoryIsHiddenNamedAfterTheOutputAndMadeAtOnce) {
  OutputTransaction tx(root_ / "results");
  const auto names = listing(root_);
  ASSERT_EQ(names.size(), 1U);
  const std::string staging = *names.begin();
  const std::string expected_prefix = ".results.staging-" + std::to_string(::getpid()) + "-";
  EXPECT_EQ(staging.rfind(expected_prefix, 0), 0U) << staging;
  EXPECT_EQ(tx.staging_dir(), root_ / staging);
  tx.write("a.txt", "x");
  EXPECT_EQ(read_file(root_ / staging / "a.txt"), "x");
}

TEST_F(OutputTransactionTest, AnEarlierSetIsReplacedWholeStaleFilesIncluded) {
  const fs::path out = earlier_set("samples.csv");
  {
    OutputTransaction tx(out);
    tx.write("manifest.json", "{\"new\": true}");
    tx.write("results.json", "new");
    EXPECT_EQ(listing(out), (std::set<std::string>{"manifest.json", "samples.csv"}))
        << "nothing changes before commit";
    tx.commit();
  }
  // The stale samples.csv of the earlier run is gone with it: a reader sees one run's files.
  EXPECT_EQ(listing(out), (std::set<std::string>{"manifest.json", "results.json"}));
  EXPECT_EQ(read_file(out / "manifest.json"), "{\"new\": true}");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"}) << "the earlier set is deleted";
}

TEST_F(OutputTransactionTest, DestructionWithoutCommitLeavesNoTrace) {
  const fs::path out = root_ / "results";
  {
    OutputTransaction tx(out);
    tx.write("summary.json", "{}");
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(listing(root_).empty()) << "staging directory must be removed";
}

TEST_F(OutputTransactionTest, AFailedRunLeavesTheEarlierSetUntouched) {
  const fs::path out = earlier_set();
  {
    OutputTransaction tx(out);
    tx.write("manifest.json", "{\"new\": true}");
    // no commit: the run failed
  }
  EXPECT_EQ(listing(out), (std::set<std::string>{"manifest.json", "old.csv"}));
  EXPECT_EQ(read_file(out / "manifest.json"), "{\"old\": true}");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, AForeignNonEmptyDirectoryIsRefusedBeforeAnything) {
  const fs::path out = root_ / "mine";
  fs::create_directories(out);
  write_plain(out / "notes.txt", "a user's own file");
  try {
    OutputTransaction tx(out);
    FAIL() << "a directory without manifest.json must not be replaced";
  } catch (const OutputLocationError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos) << e.what();
  }
  EXPECT_EQ(listing(out), std::set<std::string>{"notes.txt"});
  EXPECT_EQ(listing(root_), std::set<std::string>{"mine"}) << "no lock, no staging";
}

TEST_F(OutputTransactionTest, AnEmptyDirectoryIsUsed) {
  const fs::path out = root_ / "results";
  fs::create_directories(out);
  OutputTransaction tx(out);
  tx.write("a.txt", "x");
  tx.commit();
  EXPECT_EQ(listing(out), std::set<std::string>{"a.txt"});
}

TEST_F(OutputTransactionTest, TheMarkerFileNamesTheKindOfOutput) {
  const fs::path out = root_ / "report";
  fs::create_directories(out / "figures");
  write_plain(out / "report.json", "{}");
  EXPECT_THROW(OutputTransaction(out, marker("manifest.json")), OutputLocationError);
  OutputTransaction tx(out, marker("report.json"));
  tx.write("report.json", "{\"new\": 1}");
  tx.commit();
  EXPECT_EQ(listing(out), std::set<std::string>{"report.json"}) << "old figures/ are gone";
}

TEST_F(OutputTransactionTest, ARegularFileAtTheOutputPathIsRefused) {
  const fs::path out = root_ / "results";
  write_plain(out, "a file where the output directory should be");
  try {
    OutputTransaction tx(out);
    FAIL() << "expected OutputLocationError";
  } catch (const OutputLocationError& e) {
    EXPECT_NE(std::string(e.what()).find(out.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(out), "a file where the output directory should be");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, AnOutputDirectoryHoldingAnInputIsRefused) {
  const fs::path out = earlier_set();
  write_plain(out / "results.json", "a scenario file that happens to be named results.json");
  OutputTransaction::Options options;
  options.inputs = {out / "results.json"};
  EXPECT_THROW(OutputTransaction(out, options), OutputLocationError);
  EXPECT_EQ(read_file(out / "results.json"),
            "a scenario file that happens to be named results.json");
}

TEST_F(OutputTransactionTest, UnwritableLocationThrowsNamingThePath) {
  const fs::path blocker = root_ / "not_a_dir";
  write_plain(blocker, "I am a regular file");
  const fs::path out = blocker / "results";
  try {
    OutputTransaction tx(out);
    FAIL() << "expected OutputLocationError";
  } catch (const OutputLocationError& e) {
    EXPECT_NE(std::string(e.what()).find(blocker.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(blocker), "I am a regular file");
}

TEST_F(OutputTransactionTest, ASecondWriterIsToldWhoHoldsTheDirectory) {
  const fs::path out = root_ / "results";
  OutputTransaction first(out);
  try {
    OutputTransaction second(out);
    FAIL() << "two writers must not share an output directory";
  } catch (const OutputLocationError& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find("another gapcast process"), std::string::npos) << text;
    EXPECT_NE(text.find(std::to_string(::getpid())), std::string::npos) << text;
  }
  first.write("manifest.json", "first");
  first.commit();
  OutputTransaction third(out);  // free again once the first has committed
  third.write("manifest.json", "third");
  third.commit();
  EXPECT_EQ(listing(out), std::set<std::string>{"manifest.json"});
}

TEST_F(OutputTransactionTest, StagingLeftByDeadProcessesIsRemoved) {
  const std::string dead = std::to_string(dead_pid());
  fs::create_directories(root_ / (".results.staging-" + dead + "-0") / "figures");
  fs::create_directories(root_ / (".results.old-" + dead));
  fs::create_directories(root_ / ".other.staging-1-0");  // another output's: not ours to judge
  {
    OutputTransaction tx(root_ / "results");
    tx.write("a.txt", "x");
    tx.commit();
  }
  EXPECT_EQ(listing(root_), (std::set<std::string>{"results", ".other.staging-1-0"}));
}

TEST_F(OutputTransactionTest, CancellationBetweenFilesRemovesTheStaging) {
  const fs::path out = earlier_set();
  std::atomic<bool> cancel{false};
  OutputTransaction::Options options;
  options.cancel = &cancel;
  {
    OutputTransaction tx(out, options);
    tx.write("manifest.json", "new");
    cancel.store(true);
    EXPECT_THROW(tx.write("results.json", "new"), OutputCancelled);
    EXPECT_THROW(tx.commit(), OutputCancelled);
  }
  EXPECT_EQ(read_file(out / "manifest.json"), "{\"old\": true}");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, SubdirectoriesAreCreatedInStagingAndOutput) {
  const fs::path out = root_ / "deep" / "er" / "results";
  {
    OutputTransaction tx(out);
    tx.write("figures/fan/chart.svg", "<svg/>");
    tx.write("top.txt", "t");
    tx.commit();
  }
  EXPECT_EQ(read_file(out / "figures" / "fan" / "chart.svg"), "<svg/>");
  EXPECT_EQ(read_file(out / "top.txt"), "t");
  EXPECT_EQ(listing(root_ / "deep" / "er"), std::set<std::string>{"results"});
}

TEST_F(OutputTransactionTest, RewritingAFileKeepsTheLastContentAndOneEntry) {
  const fs::path out = root_ / "results";
  OutputTransaction tx(out);
  tx.write("a.txt", "first");
  tx.write("a.txt", "second");
  EXPECT_EQ(tx.files(), std::vector<std::string>{"a.txt"});
  tx.commit();
  EXPECT_EQ(read_file(out / "a.txt"), "second");
}

TEST_F(OutputTransactionTest, TrailingSlashInOutputDirectory) {
  const fs::path out = fs::path(root_.string() + "/results/");
  OutputTransaction tx(out);
  tx.write("a.txt", "x");
  tx.commit();
  EXPECT_EQ(read_file(root_ / "results" / "a.txt"), "x");
  EXPECT_EQ(listing(root_), std::set<std::string>{"results"});
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

TEST_F(OutputTransactionTest, TheRootDirectoryIsNeverAnOutput) {
  EXPECT_THROW(OutputTransaction(fs::path("/")), OutputLocationError);
}

}  // namespace
