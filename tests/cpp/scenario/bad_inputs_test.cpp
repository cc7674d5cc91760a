// Runs the gapcast program on every case of the bad-input corpus (tests/bad_inputs/cases.json)
// and checks the promise of the CLI: a bad input exits with status 2, says what is wrong where
// (file:line:col when the problem has a position), never crashes or hangs, and writes nothing.
// Each case runs through `validate` and through `run --out DIR` (unless it lists its commands).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path corpus_dir = fs::path(GAPCAST_SOURCE_DIR) / "tests" / "bad_inputs";
constexpr int timeout_seconds = 60;

struct Case {
  json spec;
  std::string name;
};

// Test names and failure messages show the case's name rather than the object's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> load_cases() {
  std::ifstream in(corpus_dir / "cases.json");
  const json index = json::parse(in);
  std::vector<Case> out;
  for (const auto& c : index.at("cases")) out.push_back({c, c.at("name").get<std::string>()});
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Outcome {
  bool exited = false;
  int status = -1;
  bool signalled = false;
  int signal = 0;
  bool timed_out = false;
  std::string out, err;
};

/// Runs argv in `cwd` with stdout and stderr captured, killing it after the timeout. With
/// `as_nobody` the child drops to uid/gid 65534 first (root can read a chmod-000 file).
Outcome run_program(const std::vector<std::string>& argv, const fs::path& cwd,
                    const fs::path& scratch, bool as_nobody) {
  const fs::path out_file = scratch / "stdout.txt", err_file = scratch / "stderr.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    const int out_fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0 || err_fd < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(125);
    if (chdir(cwd.c_str()) != 0) _exit(125);
    if (as_nobody && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(124);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(126);
  }
  Outcome o;
  if (pid < 0) return o;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int wstatus = 0;
  while (true) {
    const pid_t done = waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      o.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  o.exited = WIFEXITED(wstatus);
  o.status = o.exited ? WEXITSTATUS(wstatus) : -1;
  o.signalled = WIFSIGNALED(wstatus);
  o.signal = o.signalled ? WTERMSIG(wstatus) : 0;
  o.out = slurp(out_file);
  o.err = slurp(err_file);
  return o;
}

class BadInput : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() /
               ("gapcast_bad_" + GetParam().name + "_" + std::to_string(getpid()));
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
    // World-traversable, so that the program still reaches it after dropping to "nobody".
    fs::permissions(scratch_, fs::perms::owner_all | fs::perms::group_read |
                                  fs::perms::group_exec | fs::perms::others_read |
                                  fs::perms::others_exec);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(scratch_ / "unreadable.json", fs::perms::owner_all, ec);
    fs::remove_all(scratch_, ec);
  }

  /// The path to give gapcast (relative to the corpus directory when possible, so messages
  /// show short names) and whether the program must run as an unprivileged user.
  std::pair<std::string, bool> prepare(const json& spec) {
    if (spec.contains("generate")) {
      const auto& g = spec.at("generate");
      std::ofstream f(scratch_ / "generated.json", std::ios::binary);
      f << g.at("prefix").get<std::string>();
      const std::string repeat = g.at("repeat").get<std::string>();
      for (int i = 0; i < g.at("count").get<int>(); ++i) f << repeat;
      f << g.at("suffix").get<std::string>();
      return {(scratch_ / "generated.json").string(), false};
    }
    if (spec.contains("setup")) {
      const std::string setup = spec.at("setup");
      if (setup == "directory") {
        fs::create_directories(scratch_ / "a_directory.json");
        return {(scratch_ / "a_directory.json").string(), false};
      }
      if (setup == "symlink_loop") {
        fs::create_symlink(scratch_ / "loop.json", scratch_ / "loop.json");
        return {(scratch_ / "loop.json").string(), false};
      }
      if (setup == "unreadable") {
        const fs::path file = scratch_ / "unreadable.json";
        std::ofstream(file) << "{\"kind\": \"scenario\"}\n";
        fs::permissions(file, fs::perms::none);
        return {file.string(), geteuid() == 0};
      }
      ADD_FAILURE() << "unknown setup " << setup;
    }
    return {spec.at("run").get<std::string>(), false};
  }

  fs::path scratch_;
};

/// The first stderr line that contains `fragment`, or "".
std::string line_with(const std::string& text, const std::string& fragment) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(fragment) != std::string::npos) return line;
  }
  return "";
}

TEST_P(BadInput, ExitsTwoWithALocatedMessageAndWritesNothing) {
#ifndef GAPCAST_CLI
  GTEST_SKIP() << "the gapcast program is not built (GAPCAST_BUILD_CLI=OFF)";
#else
  const json& spec = GetParam().spec;
  const auto [target, as_nobody] = prepare(spec);
  if (HasFailure()) return;
  std::vector<std::string> commands{"validate", "run"};
  if (spec.contains("commands")) commands = spec.at("commands").get<std::vector<std::string>>();
  const std::string expect = spec.at("expect");
  const bool located = spec.at("located");
  for (const auto& command : commands) {
    SCOPED_TRACE(command + " " + target);
    const fs::path out_dir = scratch_ / "out";
    std::vector<std::string> argv{GAPCAST_CLI, command, target};
    if (command == "run") {
      for (const char* a : {"--out", "", "-n", "5", "--no-progress", "-q"}) argv.emplace_back(a);
      argv[4] = out_dir.string();
    }
    if (spec.contains("args")) {
      for (const auto& a : spec.at("args")) argv.push_back(a.get<std::string>());
    }
    const Outcome o = run_program(argv, corpus_dir, scratch_, as_nobody);
    if (as_nobody && o.exited && o.status == 124) {
      GTEST_SKIP() << "running as root and cannot drop to uid 65534 to make a chmod-000 file "
                      "unreadable; the unreadable-file case cannot be exercised here";
    }
    EXPECT_FALSE(o.timed_out) << "no answer within " << timeout_seconds << " s";
    EXPECT_FALSE(o.signalled) << "killed by signal " << o.signal << "\n" << o.err;
    EXPECT_TRUE(o.exited && o.status == 2) << "exit status " << o.status << "\n" << o.err;
    EXPECT_EQ(o.err.find("internal error"), std::string::npos) << o.err;
    const std::string line = line_with(o.err, expect);
    ASSERT_FALSE(line.empty()) << "expected a message containing \"" << expect << "\"; got:\n"
                               << o.err;
    // file:line:col: error: ...  or, without a position,  file: error: ...
    static const std::regex with_position(R"(^[^ ]+:[0-9]+:[0-9]+: error: .*)");
    static const std::regex without_position(R"(^.+: error: .*)");
    if (located) {
      EXPECT_TRUE(std::regex_match(line, with_position)) << "not located: " << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, without_position)) << "no file named: " << line;
    }
    EXPECT_FALSE(fs::exists(out_dir)) << "--out directory was created";
  }
#endif
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(load_cases()), case_name);

TEST(BadInputCorpus, HasAtLeastSixtyDistinctCasesEachDocumented) {
  const auto cases = load_cases();
  EXPECT_GE(cases.size(), 60u);
  std::set<std::string> names;
  for (const auto& c : cases) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    EXPECT_FALSE(c.spec.value("what", "").empty()) << c.name << " says not what it tests";
    EXPECT_FALSE(c.spec.value("expect", "").empty()) << c.name << " has no expected message";
    const std::string schema = c.spec.value("schema", "");
    EXPECT_TRUE(schema == "reject" || schema == "accept" || schema == "n/a") << c.name;
    if (!c.spec.contains("setup") && !c.spec.contains("generate")) {
      EXPECT_TRUE(fs::exists(corpus_dir / c.spec.at("run").get<std::string>())) << c.name;
    }
  }
}

// ---- the CLI's other promises about the scenario language -----------------------------------

#ifdef GAPCAST_CLI
class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("gapcast_cli_" + std::to_string(getpid()));
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
  }
  void TearDown() override { fs::remove_all(scratch_); }
  fs::path scratch_;
};

TEST_F(Cli, SchemaPrintsEachEmbeddedSchemaVerbatim) {
  for (const char* kind : {"scenario", "world", "policy", "distribution"}) {
    const Outcome o = run_program({GAPCAST_CLI, "schema", kind}, corpus_dir, scratch_, false);
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(o.out, slurp(fs::path(GAPCAST_SOURCE_DIR) / "scenarios" / "schema" /
                           (std::string(kind) + ".schema.json")))
        << kind;
  }
  const Outcome bad = run_program({GAPCAST_CLI, "schema", "worlds"}, corpus_dir, scratch_, false);
  EXPECT_EQ(bad.status, 2);
}

TEST_F(Cli, SetOverridesReachTheRunAndItsManifest) {
  const fs::path out = scratch_ / "out";
  const Outcome o = run_program(
      {GAPCAST_CLI, "run", (fs::path(GAPCAST_SOURCE_DIR) / "scenarios" / "baseline.json").string(),
       "-n", "20", "--no-progress", "-q", "--out", out.string(), "--set",
       R"(world.densing_doubling_months={"p5": 3, "p50": 4, "p95": 6, "truncate": [0.5, 240]})",
       "--set",
       "policy.enforcement_intensity=0.5"},
      corpus_dir, scratch_, false);
  ASSERT_EQ(o.status, 0) << o.err;
  std::ifstream in(out / "manifest.json");
  const json manifest = json::parse(in);
  std::vector<std::string> overrides;
  for (const auto& f : manifest.at("scenarios").at(0).at("files")) {
    if (f.at("role") == "override") overrides.push_back(f.at("path"));
  }
  EXPECT_EQ(overrides,
            (std::vector<std::string>{
                R"(--set world.densing_doubling_months={"p5": 3, "p50": 4, "p95": 6, "truncate": [0.5, 240]})",
                "--set policy.enforcement_intensity=0.5"}));
}
#endif

}  // namespace
