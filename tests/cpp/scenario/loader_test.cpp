// The scenario loader: the shipped scenarios, every distribution form and unit, composition
// (extends, overrides, --set), provenance, where each diagnostic points, and the schema pass.
// (The bad-input corpus, tests/bad_inputs, covers rejection through the CLI.)
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/loader.hpp"

namespace {

namespace fs = std::filesystem;
using gapcast::Diagnostic;
using gapcast::Distribution;
using gapcast::InputError;
using gapcast::LoadOptions;
using gapcast::LoadResult;
using gapcast::ParameterSpec;
using gapcast::Scenario;
using gapcast::TruncatedDist;
using nlohmann::json;

const fs::path scenarios_dir = fs::path(GAPCAST_SOURCE_DIR) / "scenarios";

LoadResult load_text(const std::string& text, const LoadOptions& options = {}) {
  return gapcast::load_scenario_text(text, "test.json", scenarios_dir, options);
}

/// A scenario that extends the shipped baseline with the given overrides.
std::string with_overrides(const json& overrides) {
  return json{{"kind", "scenario"}, {"extends", "baseline.json"}, {"overrides", overrides}}
      .dump();
}

const ParameterSpec& param(const Scenario& s, std::string_view name) {
  const int i = s.world->index_of(name);
  if (i < 0) throw std::runtime_error("no parameter " + std::string(name));
  return s.world->parameters[static_cast<std::size_t>(i)];
}

/// The diagnostics of a load that must fail.
std::vector<Diagnostic> errors_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const InputError& e) {
    std::vector<Diagnostic> errors;
    for (const auto& d : e.diagnostics()) {
      if (d.severity == gapcast::Severity::error) errors.push_back(d);
    }
    return errors;
  }
  ADD_FAILURE() << "the load did not fail";
  return {};
}

std::string all_text(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) text += gapcast::format_diagnostic(d) + "\n";
  return text;
}

/// A scratch directory with files written into it; removed afterwards.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("gapcast_loader_" + std::to_string(getpid()) + "_" + std::to_string(++counter));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---- the shipped scenarios ---------------------------------------------------------------

TEST(ShippedScenarios, LoadStrictlyAndShareOneWorld) {
  std::vector<std::string> files;
  for (const char* name : {"baseline", "incremental_tightening", "comprehensive_embargo",
                           "multilateral_alignment", "no_controls"}) {
    files.push_back((scenarios_dir / (std::string(name) + ".json")).string());
  }
  LoadOptions strict;
  strict.strict = true;
  const auto loaded = gapcast::load_scenarios(files, strict);
  ASSERT_EQ(loaded.scenarios.size(), 5u);
  EXPECT_TRUE(loaded.warnings.empty());
  for (const auto& s : loaded.scenarios) {
    EXPECT_EQ(s.world.get(), loaded.scenarios.front().world.get()) << s.name;
    ASSERT_EQ(s.files.size(), 3u);
    EXPECT_EQ(s.files[0].role, "scenario");
    EXPECT_EQ(s.files[1].role, "world");
    EXPECT_EQ(s.files[2].role, "policy");
    for (const auto& p : s.world->parameters) {
      EXPECT_FALSE(p.source.empty()) << p.name;
      EXPECT_EQ(fs::path(p.file).filename(), "default.json") << p.name;
      EXPECT_GT(p.line, 0u) << p.name;
    }
  }
  EXPECT_EQ(loaded.scenarios[0].name, "baseline");
  EXPECT_NE(loaded.scenarios[0].fingerprint, loaded.scenarios[4].fingerprint);
}

// ---- every distribution form ------------------------------------------------------------

struct FormCase {
  const char* label;
  const char* spec;  // JSON for densing_doubling_months (months)
  const char* kind;
  double median;
  double u = -1, at_u = 0;  // optional: quantile(u) == at_u
};

/// Forms whose support reaches beyond densing_doubling_months' valid range [0.5, 240] load
/// only truncated to it; the truncation moves the checked quantiles by less than 1e-6.
bool leaves_valid_range(const std::string& kind) {
  return kind == "lognormal" || kind == "percentiles" || kind == "normal";
}

/// The kind of the form under the truncation the test added for the range.
std::string form_kind(const Distribution& d, bool truncated_by_test) {
  const auto* t = std::get_if<TruncatedDist>(&d.variant());
  return truncated_by_test && t ? t->base[0].kind() : d.kind();
}

void PrintTo(const FormCase& c, std::ostream* os) { *os << c.label << ": " << c.spec; }

class DistributionForms : public ::testing::TestWithParam<FormCase> {};

TEST_P(DistributionForms, ParseToTheIntendedDistribution) {
  const FormCase& c = GetParam();
  json spec = json::parse(c.spec);
  const bool truncate = leaves_valid_range(c.kind);
  if (truncate) spec["truncate"] = {0.5, 240};
  const auto loaded =
      load_text(with_overrides({{"/world/parameters/densing_doubling_months", spec}}));
  const auto& p = param(loaded.scenarios.front(), "densing_doubling_months");
  EXPECT_EQ(form_kind(p.dist, truncate), c.kind) << p.dist.describe();
  EXPECT_NEAR(p.dist.median(), c.median, 1e-6 * std::max(1.0, std::abs(c.median)));
  if (c.u > 0) {
    EXPECT_NEAR(p.dist.quantile(c.u), c.at_u, 1e-5 * std::max(1.0, c.at_u));
  }
  EXPECT_EQ(p.spec, spec) << "the spec as written is kept for reports";
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Forms, DistributionForms, ::testing::Values(
    FormCase{"number", "4", "point", 4},
    FormCase{"value", R"({"value": 4, "source": "s"})", "point", 4},
    FormCase{"explicit_point", R"({"dist": "point", "value": 4})", "point", 4},
    FormCase{"ci90", R"({"ci90": [2, 8]})", "lognormal", 4, 0.05, 2},
    FormCase{"p5_p50_p95", R"({"p5": 2, "p50": 4, "p95": 9})", "percentiles", 4, 0.95, 9},
    FormCase{"p10_p90", R"({"p10": 3, "p50": 4, "p90": 6})", "percentiles", 4, 0.10, 3},
    FormCase{"p2_5_p97_5", R"({"p2.5": 3, "p50": 4, "p97.5": 6})", "percentiles", 4, 0.025, 3},
    FormCase{"percentiles_linear", R"({"dist": "percentiles", "space": "linear", "p5": 3, "p50": 4, "p95": 6})", "percentiles", 4, 0.05, 3},
    FormCase{"uniform", R"({"dist": "uniform", "low": 2, "high": 6})", "uniform", 4, 0.25, 3},
    FormCase{"log_uniform", R"({"dist": "log_uniform", "low": 2, "high": 8})", "log_uniform", 4},
    FormCase{"normal", R"({"dist": "normal", "mean": 4, "sd": 0.5})", "normal", 4},
    FormCase{"normal_interval", R"({"dist": "normal", "p5": 3, "p95": 5})", "normal", 4, 0.05, 3},
    FormCase{"lognormal_interval", R"({"dist": "lognormal", "p5": 2, "p95": 8})", "lognormal", 4, 0.95, 8},
    FormCase{"lognormal_mu_sigma", R"({"dist": "lognormal", "mu": 1.3862943611198906, "sigma": 0.2})", "lognormal", 4},
    FormCase{"triangular", R"({"dist": "triangular", "low": 2, "mode": 4, "high": 6})", "triangular", 4},
    FormCase{"pert", R"({"dist": "pert", "low": 2, "mode": 4, "high": 6})", "pert", 4},
    FormCase{"beta", R"({"dist": "beta", "alpha": 2, "beta": 2, "low": 2, "high": 6})", "beta", 4},
    FormCase{"discrete", R"({"dist": "discrete", "values": [3, 4, 5], "weights": [1, 2, 1]})", "discrete", 4, 0.2, 3},
    FormCase{"mixture", R"({"dist": "mixture", "components": [{"value": 3}, {"ci90": [5, 6], "truncate": [0.5, 240]}], "weights": [1, 1]})", "mixture", 3, 0.2, 3},
    FormCase{"truncated", R"({"ci90": [2, 8], "truncate": [2, 8]})", "truncated", 4}),
    [](const ::testing::TestParamInfo<FormCase>& form) { return std::string(form.param.label); });
// clang-format on

TEST(DistributionForms, BernoulliAndTruncationBounds) {
  const auto loaded = load_text(with_overrides(
      {{"/world/parameters/us_chip_flow_materialises", {{"dist", "bernoulli"}, {"p", 0.35}}},
       {"/world/parameters/densing_doubling_months",
        {{"ci90", {2, 8}}, {"truncate", {3, 240}}}}}));
  const auto& flow = param(loaded.scenarios.front(), "us_chip_flow_materialises");
  EXPECT_EQ(flow.dist.quantile(0.5), 0.0);
  EXPECT_EQ(flow.dist.quantile(0.9), 1.0);
  const auto& densing = param(loaded.scenarios.front(), "densing_doubling_months");
  EXPECT_GE(densing.dist.quantile(1e-9), 3.0);
  EXPECT_EQ(densing.dist.support_high(), 240.0);
}

// ---- the whole support inside the valid range (issue 8) -----------------------------------

TEST(ValidRange, AnUnboundedTailIsRejectedWithTheTruncationToAdd) {
  // Before, only the one-in-a-million quantiles were checked, and a 200,000-sample run of the
  // baseline aborted at the end on target_lag_months = 145.79.
  const auto errors = errors_of([] {
    load_text(with_overrides({{"/world/parameters/target_lag_months", {{"ci90", {3, 18}}}}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  const std::string text = gapcast::format_diagnostic(errors[0]);
  EXPECT_NE(text.find("test.json:1:"), std::string::npos) << text;
  EXPECT_NE(text.find("lognormal distribution can produce values down to 0"), std::string::npos)
      << text;
  EXPECT_NE(text.find("[0.1, 120] months"), std::string::npos) << text;
  EXPECT_NE(text.find("add \"truncate\": [0.1, 120]"), std::string::npos) << text;
}

TEST(ValidRange, AnOpenTruncationEndStillLeavesTheRange) {
  const auto errors = errors_of([] {
    load_text(with_overrides({{"/world/parameters/densing_doubling_months",
                               {{"ci90", {2, 8}}, {"truncate", {3, nullptr}}}}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("arbitrarily large values"), std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("add \"truncate\": [3, 240]"), std::string::npos)
      << errors[0].message;
}

TEST(ValidRange, NumbersThatGiveNoFiniteValueAreRejected) {
  // A beta with alpha = beta = 1e300 used to load and describe itself as "-nan".
  const auto errors = errors_of([] {
    load_text(with_overrides({{"/world/parameters/substitution_share",
                               {{"dist", "beta"}, {"alpha", 1e300}, {"beta", 1e300}}}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("no finite value"), std::string::npos) << errors[0].message;
}

TEST(ValidRange, NoShippedParameterCanDrawOutsideItsRange) {
  // The extreme uniforms the sampler can produce: its own streams give [2^-53, 1 - 2^-53], the
  // copula down to DBL_MIN. quantile() is monotone, so these bound every draw of every run.
  for (const char* name : {"baseline", "comprehensive_embargo", "incremental_tightening",
                           "multilateral_alignment", "no_controls"}) {
    const auto loaded = gapcast::load_scenarios({(scenarios_dir / (std::string(name) + ".json")).string()});
    for (const auto& p : loaded.scenarios.front().world->parameters) {
      for (const double u : {std::numeric_limits<double>::min(), 0x1.0p-53, 1.0 - 0x1.0p-53}) {
        const double x = p.dist.quantile(u);
        EXPECT_TRUE(x >= p.valid_min && x <= p.valid_max)
            << name << ": " << p.name << " draws " << x << " at u = " << u;
      }
    }
  }
}

// ---- units ---------------------------------------------------------------------------------

TEST(Units, DurationsConvertEveryLocationNumber) {
  const auto loaded = load_text(with_overrides(
      {{"/world/parameters/densing_doubling_months", {{"value", 0.5}, {"unit", "years"}}},
       {"/world/parameters/target_lag_months",
        {{"ci90", {0.25, 1}}, {"unit", "years"}, {"truncate", {0.1, 2}}}},
       {"/world/parameters/software_doubling_months_training",
        {{"dist", "lognormal"}, {"mu", 0.0}, {"sigma", 0.1}, {"unit", "years"}, {"truncate", {0.1, 20}}}},
       {"/world/parameters/chip_useful_life_years", {{"value", 60}, {"unit", "months"}}},
       {"/world/parameters/growth_half_life_years",
        {{"p5", 36}, {"p50", 72}, {"p95", 180}, {"unit", "months"}, {"truncate", {6, 12000}}}}}));
  const Scenario& s = loaded.scenarios.front();
  EXPECT_DOUBLE_EQ(param(s, "densing_doubling_months").dist.median(), 6.0);
  EXPECT_NEAR(param(s, "target_lag_months").dist.quantile(1e-9), 1.2, 1e-4);   // 0.1 yr
  EXPECT_NEAR(param(s, "target_lag_months").dist.quantile(1 - 1e-9), 24, 1e-4);  // 2 yr
  EXPECT_NEAR(param(s, "software_doubling_months_training").dist.median(), 12.0, 1e-9);
  EXPECT_DOUBLE_EQ(param(s, "software_doubling_months_training").dist.support_high(), 240.0);
  EXPECT_DOUBLE_EQ(param(s, "growth_half_life_years").dist.support_low(), 0.5);
  EXPECT_DOUBLE_EQ(param(s, "chip_useful_life_years").dist.median(), 5.0);
  // The truncation at 0.5 years cuts 2e-9 of probability, moving these by about 1e-8.
  EXPECT_NEAR(param(s, "growth_half_life_years").dist.median(), 6.0, 1e-7);
  EXPECT_NEAR(param(s, "growth_half_life_years").dist.quantile(0.05), 3.0, 1e-7);
  EXPECT_EQ(param(s, "densing_doubling_months").unit, "months");
}

TEST(Units, OnlyTheCanonicalUnitFitsOtherParameters) {
  const auto errors = errors_of([] {
    load_text(with_overrides(
        {{"/world/parameters/remote_h100e_2026", {{"value", 5}, {"unit", "H100"}}}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("expected \"H100e\""), std::string::npos);
}

// ---- composition: extends, overrides ------------------------------------------------------

TEST(Extends, ChainsInheritWorldPolicyAndOverrides) {
  TempDir dir;
  const std::string baseline = (scenarios_dir / "baseline.json").string();
  dir.write("middle.json",
            json{{"kind", "scenario"},
                 {"extends", baseline},
                 {"title", "middle"},
                 {"overrides", {{"/world/parameters/densing_doubling_months", 5}}}}
                .dump());
  const std::string top = dir.write(
      "sub/top.json",
      json{{"kind", "scenario"},
           {"extends", "../middle.json"},
           {"overrides", {{"/policy/levers/enforcement_intensity", 0.5}}}}
          .dump());
  const auto loaded = gapcast::load_scenarios({top});
  const Scenario& s = loaded.scenarios.front();
  EXPECT_EQ(s.name, "top");
  EXPECT_EQ(s.title, "top") << "a title is not inherited: it would describe the base";
  EXPECT_DOUBLE_EQ(param(s, "densing_doubling_months").dist.median(), 5.0);
  EXPECT_DOUBLE_EQ(
      s.policy->global_levers[static_cast<std::size_t>(gapcast::GlobalLever::enforcement_intensity)]
          .value(0),
      0.5);
  // The baseline's own policy is still there underneath the override.
  EXPECT_EQ(s.policy->chip("blackwell")[0].value(0),
            static_cast<double>(gapcast::ExportStatus::banned));
  std::vector<std::string> roles;
  for (const auto& f : s.files) roles.push_back(f.role);
  EXPECT_EQ(roles, (std::vector<std::string>{"scenario", "extends", "extends", "world", "policy"}));
  // The inherited override is attributed to the file that wrote it.
  EXPECT_EQ(fs::path(param(s, "densing_doubling_months").file).filename(), "middle.json");
}

TEST(Extends, OwnWorldReplacesTheInheritedOneWithItsOverrides) {
  TempDir dir;
  dir.write("base.json", json{{"kind", "scenario"},
                              {"extends", (scenarios_dir / "baseline.json").string()},
                              {"overrides", {{"/world/parameters/densing_doubling_months", 5}}}}
                             .dump());
  const std::string top = dir.write(
      "top.json", json{{"kind", "scenario"},
                       {"extends", "base.json"},
                       {"world", (scenarios_dir / "world" / "default.json").string()}}
                      .dump());
  const auto loaded = gapcast::load_scenarios({top});
  EXPECT_NEAR(param(loaded.scenarios.front(), "densing_doubling_months").dist.median(), 3.5,
              1e-9);
}

TEST(Extends, CyclesAreReportedWithTheWholeChain) {
  TempDir dir;
  const std::string a = dir.write("a.json", R"({"kind": "scenario", "extends": "b.json"})");
  dir.write("b.json", R"({"kind": "scenario",
  "extends": "a.json"})");
  const auto errors = errors_of([&] { gapcast::load_scenarios({a}); });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_EQ(fs::path(errors[0].file).filename(), "b.json");
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[0].pointer, "/extends");
  EXPECT_NE(errors[0].message.find("a.json -> "), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("b.json -> "), std::string::npos) << errors[0].message;
}

TEST(Overrides, CreateMissingPolicyLeversButNotWorldObjects) {
  const auto loaded = load_text(json{
      {"kind", "scenario"},
      {"extends", "no_controls.json"},
      {"overrides", {{"/policy/levers/chips/h200/export_status", "banned"}}}}.dump());
  EXPECT_EQ(loaded.scenarios.front().policy->chip("h200")[0].value(0),
            static_cast<double>(gapcast::ExportStatus::banned));

  const auto errors = errors_of([] {
    load_text(with_overrides({{"/world/chips/h21/tpp", 2400}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("did you mean \"h20\""), std::string::npos);
  EXPECT_EQ(errors[0].pointer, "/overrides/~1world~1chips~1h21~1tpp");
}

TEST(Overrides, MayReplaceArrayElementsAndWholeTables) {
  const auto loaded = load_text(with_overrides(
      {{"/world/correlations/0/rank", 0.2},
       {"/policy/levers/chips/h200", {{"export_status", "unrestricted"}}}}));
  const Scenario& s = loaded.scenarios.front();
  ASSERT_TRUE(s.world->correlation.has_value());
  EXPECT_NEAR(s.world->correlation->requested(0, 1), 0.2, 1e-12);
  EXPECT_EQ(s.policy->chip("h200")[0].value(0),
            static_cast<double>(gapcast::ExportStatus::unrestricted));
  // The whole h200 entry was replaced: its fee is back to the no-controls 0.
  EXPECT_EQ(s.policy->chip("h200")[static_cast<std::size_t>(gapcast::ChipLever::fee)].value(0), 0);
}

TEST(Overrides, ChangeTheFingerprintAndOverlapsAreErrors) {
  const auto base = load_text(R"({"kind": "scenario", "extends": "baseline.json"})");
  const auto changed = load_text(with_overrides({{"/world/parameters/densing_doubling_months", 4}}));
  EXPECT_NE(base.scenarios.front().fingerprint, changed.scenarios.front().fingerprint);
  EXPECT_EQ(base.scenarios.front().policy->fingerprint,
            changed.scenarios.front().policy->fingerprint);

  const auto errors = errors_of([] {
    load_text(with_overrides({{"/world/parameters/densing_doubling_months", {{"p5", 3}, {"p50", 4}, {"p95", 6}, {"truncate", {0.5, 240}}}},
                              {"/world/parameters/densing_doubling_months/p50", 5}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("overlaps"), std::string::npos);
}

// ---- --set --------------------------------------------------------------------------------

TEST(Set, EveryPathFormAndValueForm) {
  LoadOptions options;
  options.set = {"world.densing_doubling_months=4.5",
                 R"(world.target_lag_months={"p5": 3, "p50": 6, "p95": 12, "truncate": [0.1, 120], "source": "cli"})",
                 "world.chips.h20.tpp=2400",
                 "world.domestic_lines.huawei.packages_per_year_2026=500000",
                 "policy.levers.enforcement_intensity=0.5",
                 "policy.allied_transshipment_coverage=0.25",
                 "policy.chips.h200.fee=0.3",
                 "/policy/levers/chips/h20/export_status=banned",
                 "world.parameters.remote_usability=0.6"};
  const auto loaded = load_text(R"({"kind": "scenario", "extends": "baseline.json"})", options);
  const Scenario& s = loaded.scenarios.front();
  EXPECT_DOUBLE_EQ(param(s, "densing_doubling_months").dist.median(), 4.5);
  EXPECT_NEAR(param(s, "target_lag_months").dist.median(), 6, 1e-9);
  EXPECT_EQ(param(s, "target_lag_months").source, "cli");
  EXPECT_DOUBLE_EQ(param(s, "chips.h20.tpp").dist.median(), 2400);
  EXPECT_DOUBLE_EQ(param(s, "domestic_lines.huawei.packages_per_year_2026").dist.median(), 5e5);
  EXPECT_DOUBLE_EQ(param(s, "remote_usability").dist.median(), 0.6);
  using gapcast::GlobalLever;
  EXPECT_DOUBLE_EQ(
      s.policy->global_levers[static_cast<std::size_t>(GlobalLever::enforcement_intensity)].value(0),
      0.5);
  EXPECT_DOUBLE_EQ(s.policy->global_levers[static_cast<std::size_t>(
                                               GlobalLever::allied_transshipment_coverage)]
                       .value(0),
                   0.25);
  EXPECT_DOUBLE_EQ(s.policy->chip("h200")[static_cast<std::size_t>(gapcast::ChipLever::fee)].value(0),
                   0.3);
  EXPECT_EQ(s.policy->chip("h20")[0].value(0), static_cast<double>(gapcast::ExportStatus::banned));
  // The manifest records each override, in order, after the files.
  std::vector<std::string> overrides;
  for (const auto& f : s.files) {
    if (f.role == "override") overrides.push_back(f.display_name);
  }
  ASSERT_EQ(overrides.size(), options.set.size());
  EXPECT_EQ(overrides.front(), "--set world.densing_doubling_months=4.5");
  // A value set on the command line says so in reports.
  EXPECT_EQ(param(s, "densing_doubling_months").file, "<command line>");
  EXPECT_EQ(param(s, "densing_doubling_months").pointer, "--set world.densing_doubling_months=4.5");
}

TEST(Set, AppliesToEveryScenarioAndTheLastOneWins) {
  LoadOptions options;
  options.set = {"world.densing_doubling_months=4", "world.densing_doubling_months=5"};
  const auto loaded = gapcast::load_scenarios(
      {(scenarios_dir / "baseline.json").string(), (scenarios_dir / "no_controls.json").string()},
      options);
  ASSERT_EQ(loaded.scenarios.size(), 2u);
  for (const auto& s : loaded.scenarios) {
    EXPECT_DOUBLE_EQ(param(s, "densing_doubling_months").dist.median(), 5.0) << s.name;
  }
  EXPECT_EQ(loaded.scenarios[0].world.get(), loaded.scenarios[1].world.get())
      << "the same composed world is shared";
}

TEST(Set, ErrorsPointAtTheArgument) {
  LoadOptions options;
  options.set = {"world.densing_doubling_months=0.1",
                 R"(world.target_lag_months={"p5": 3, "p50": "x", "p95": 9})",
                 "world.densing_doubling_month=4",
                 "policy.enforcement_intensity=high",
                 "nonsense"};
  const auto errors = errors_of([&] {
    load_text(R"({"kind": "scenario", "extends": "baseline.json"})", options);
  });
  ASSERT_EQ(errors.size(), 5u) << all_text(errors);
  for (const auto& d : errors) {
    EXPECT_EQ(d.file, "<command line>") << gapcast::format_diagnostic(d);
    EXPECT_EQ(d.line, 0u);
  }
  const std::string text = all_text(errors);
  EXPECT_NE(text.find("<command line>: error: --set world.densing_doubling_months=0.1: value 0.1, "
                      "outside the valid range"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/p50: expected a number"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean \"densing_doubling_months\""), std::string::npos) << text;
  EXPECT_NE(text.find("expected PATH=VALUE"), std::string::npos) << text;
}

TEST(Set, NumbersJsonCannotHoldAreNamedAsNumbers) {
  // 1e400 used to be taken as the string "1e400" and reported as "got a string".
  for (const auto& [arg, expected] : std::vector<std::pair<std::string, std::string>>{
           {"world.densing_doubling_months=1e400", "the number 1e400 is too large for a double"},
           {"world.densing_doubling_months=-1e400", "the number -1e400 is too large"},
           {"world.densing_doubling_months=nan", "\"nan\" is not a number as JSON writes it"},
           {"world.densing_doubling_months=+4", "\"+4\" is not a number as JSON writes it"}}) {
    LoadOptions options;
    options.set = {arg};
    const auto errors = errors_of([&] {
      load_text(R"({"kind": "scenario", "extends": "baseline.json"})", options);
    });
    ASSERT_EQ(errors.size(), 1u) << arg << "\n" << all_text(errors);
    EXPECT_EQ(errors[0].pointer, "--set " + arg);
    EXPECT_NE(errors[0].message.find(expected), std::string::npos) << errors[0].message;
  }
}

TEST(Set, ArgumentsMustBeUtf8Text) {
  // Found by fuzzing: a name with a stray byte went into the JSON document and made
  // serialisation throw. It is now an input error like any other.
  LoadOptions options;
  options.set = {"/policy/levers/chips/h7\xdd" "9/export_status=banned"};
  const auto errors = errors_of([&] {
    load_text(R"({"kind": "scenario", "extends": "baseline.json"})", options);
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("not valid UTF-8"), std::string::npos);
}

// ---- inert levers (issue 11) ----------------------------------------------------------------

TEST(InertLevers, LeversOfAClassOutOfVolumeBeforeTheStartAreReported) {
  // The H20's volume window ends in 2025-07: a fee on it changes nothing in a run from 2026-01.
  const auto loaded = load_text(with_overrides(
      {{"/policy/levers/chips/h20", {{"fee", {{"value", 0.15}, {"source", "s"}}}}}}));
  ASSERT_EQ(loaded.warnings.size(), 1u);
  const std::string text = gapcast::format_diagnostic(loaded.warnings[0]);
  EXPECT_NE(text.find("test.json:1:"), std::string::npos) << text;
  EXPECT_NE(text.find("these levers have no effect: chip class \"h20\" leaves volume production "
                      "in 2025-07"),
            std::string::npos)
      << text;
  // A class still in volume (the H200) is not reported.
  const auto live = load_text(with_overrides(
      {{"/policy/levers/chips/h200/fee", {{"value", 0.3}, {"source", "s"}}}}));
  EXPECT_TRUE(live.warnings.empty());
}

TEST(InertLevers, TheShippedPoliciesCarryNone) {
  for (const char* name : {"baseline", "comprehensive_embargo", "incremental_tightening",
                           "multilateral_alignment", "no_controls"}) {
    const auto loaded =
        gapcast::load_scenarios({(scenarios_dir / (std::string(name) + ".json")).string()});
    EXPECT_TRUE(loaded.warnings.empty())
        << name << ": " << gapcast::format_diagnostic(loaded.warnings.front());
  }
}

// ---- scenario names and paths (issue 8) ---------------------------------------------------

TEST(Names, FollowTheDocumentedPattern) {
  for (const char* bad : {"", "two words", "a,b", "line\nbreak", "caf\xc3\xa9"}) {
    const auto errors = errors_of([&] {
      load_text(json{{"kind", "scenario"}, {"name", bad}, {"extends", "baseline.json"}}.dump());
    });
    ASSERT_EQ(errors.size(), 1u) << all_text(errors);
    EXPECT_EQ(errors[0].pointer, "/name");
    EXPECT_NE(errors[0].message.find("use 1 to 64 letters, digits, '_' or '-'"),
              std::string::npos)
        << errors[0].message;
    EXPECT_EQ(errors[0].message.find('\n'), std::string::npos) << "one line per message";
  }
  const auto ok = load_text(R"({"kind": "scenario", "name": "Embargo_2027-b", "extends": "baseline.json"})");
  EXPECT_EQ(ok.scenarios.front().name, "Embargo_2027-b");
}

TEST(Names, AFileNameThatIsNoValidNameAsksForOne) {
  TempDir dir;
  const std::string file = dir.write(
      "my scenario.json", json{{"kind", "scenario"},
                               {"extends", (scenarios_dir / "baseline.json").string()}}.dump());
  const auto errors = errors_of([&] { gapcast::load_scenarios({file}); });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("(from the file name) \"my scenario\""), std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("add \"name\""), std::string::npos) << errors[0].message;
}

TEST(Paths, ANulCharacterInAPathIsRejected) {
  // Before, "world/default.json\u0000x" opened world/default.json: the path was cut at the NUL.
  for (const char* key : {"world", "extends"}) {
    json scenario{{"kind", "scenario"}, {"policy", "policy/baseline.json"}};
    scenario[key] = std::string("world/default.json") + '\0' + "x";
    if (std::string(key) == "extends") scenario["world"] = "world/default.json";
    const auto errors = errors_of([&] { load_text(scenario.dump()); });
    ASSERT_GE(errors.size(), 1u);
    EXPECT_EQ(errors[0].pointer, std::string("/") + key) << all_text(errors);
    EXPECT_NE(errors[0].message.find("must not contain the character \\u0000"),
              std::string::npos)
        << errors[0].message;
  }
}

// ---- where diagnostics point -------------------------------------------------------------

TEST(Locations, EachProblemIsReportedInTheFileThatWroteItAllInOneRun) {
  TempDir dir;
  // A world with one bad value (line 2 of its "parameters"), a scenario overriding another
  // value badly, and a policy with an unknown lever: three files, three errors, one run.
  json world = json::parse(std::ifstream(scenarios_dir / "world" / "default.json"));
  world["parameters"]["remote_usability"] = 7;
  dir.write("world.json", world.dump(2));
  dir.write("policy.json", R"({"kind": "policy",
  "levers": {"enforcment_intensity": 1}})");
  const std::string scenario = dir.write("s.json", R"({
  "kind": "scenario", "world": "world.json", "policy": "policy.json",
  "overrides": {
    "/world/parameters/densing_doubling_months": {"ci90": [0, 4]}
  }
})");
  const auto errors = errors_of([&] { gapcast::load_scenarios({scenario}); });
  ASSERT_EQ(errors.size(), 3u) << all_text(errors);
  std::map<std::string, const Diagnostic*> by_file;
  for (const auto& d : errors) by_file[fs::path(d.file).filename().string()] = &d;
  ASSERT_TRUE(by_file.contains("world.json")) << all_text(errors);
  ASSERT_TRUE(by_file.contains("s.json")) << all_text(errors);
  ASSERT_TRUE(by_file.contains("policy.json")) << all_text(errors);
  EXPECT_EQ(by_file["world.json"]->pointer, "/parameters/remote_usability");
  EXPECT_GT(by_file["world.json"]->line, 1u);
  EXPECT_EQ(by_file["s.json"]->pointer,
            "/overrides/~1world~1parameters~1densing_doubling_months/ci90");
  EXPECT_EQ(by_file["s.json"]->line, 4u);
  EXPECT_EQ(by_file["policy.json"]->line, 2u);
  EXPECT_NE(by_file["policy.json"]->message.find("did you mean \"enforcement_intensity\""),
            std::string::npos);
}

TEST(Locations, OneProblemGivesOneMessage) {
  // The schema and the semantic checks both see a wrong type; only the explained message stays.
  const auto errors = errors_of([] {
    load_text(with_overrides({{"/world/parameters/densing_doubling_months", "fast"}}));
  });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("expected a number or a distribution object"),
            std::string::npos);
}

TEST(SchemaPass, RejectsWhatOnlyTheSchemaForbids) {
  // The semantic parser ignores "$schema"; the schema wants a string there. The load fails
  // with the schema's message, located in the world file.
  TempDir dir;
  json world = json::parse(std::ifstream(scenarios_dir / "world" / "default.json"));
  world["$schema"] = 5;
  dir.write("world.json", world.dump(2));
  const std::string scenario = dir.write(
      "s.json", json{{"kind", "scenario"},
                     {"world", "world.json"},
                     {"policy", (scenarios_dir / "policy" / "baseline.json").string()}}
                    .dump());
  const auto errors = errors_of([&] { gapcast::load_scenarios({scenario}); });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_EQ(fs::path(errors[0].file).filename(), "world.json");
  EXPECT_EQ(errors[0].pointer, "/$schema");
  EXPECT_NE(errors[0].message.find("does not match the world.schema.json"), std::string::npos);
}

// ---- provenance and --strict --------------------------------------------------------------

TEST(Strict, RequiresSourcesOnChipFieldsLineFieldsAndCorrelations) {
  LoadOptions strict;
  strict.strict = true;
  const auto errors = errors_of([&] {
    load_text(with_overrides({{"/world/chips/h20/tpp", 2400},
                              {"/world/domestic_lines/huawei/packages_per_year_2026", 400000},
                              {"/world/correlations/0/source", ""}}),
              strict);
  });
  ASSERT_EQ(errors.size(), 3u) << all_text(errors);
  const std::string text = all_text(errors);
  EXPECT_NE(text.find("parameter chips.h20.tpp has no \"source\""), std::string::npos) << text;
  EXPECT_NE(text.find("domestic_lines.huawei.packages_per_year_2026 has no \"source\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("this correlation has no \"source\""), std::string::npos) << text;
  // Without --strict the same scenario loads.
  EXPECT_NO_THROW(load_text(with_overrides({{"/world/chips/h20/tpp", 2400}})));
}

TEST(Provenance, SourceAndNoteAreKept) {
  const auto loaded = load_text(with_overrides(
      {{"/world/parameters/densing_doubling_months",
        {{"p5", 3}, {"p50", 4}, {"p95", 6}, {"truncate", {0.5, 240}}, {"source", "Xiao et al. 2024"}, {"note", "n"}}}}));
  const auto& p = param(loaded.scenarios.front(), "densing_doubling_months");
  EXPECT_EQ(p.source, "Xiao et al. 2024");
  EXPECT_EQ(p.note, "n");
  EXPECT_EQ(p.file, "test.json");
  EXPECT_EQ(p.pointer, "/overrides/~1world~1parameters~1densing_doubling_months");
  EXPECT_EQ(p.line, 1u);
}

// ---- correlations ----------------------------------------------------------------------------

TEST(Correlations, NearestRepairWarnsWithAchievedAgainstRequested) {
  const json bad = json::array(
      {{{"parameters", {"frontier_stock_growth_per_year", "remote_growth_per_year"}}, {"rank", 0.9}},
       {{"parameters", {"frontier_stock_growth_per_year", "target_foreign_demand_growth_per_year"}},
        {"rank", 0.9}},
       {{"parameters", {"remote_growth_per_year", "target_foreign_demand_growth_per_year"}},
        {"rank", -0.9}}});
  const auto loaded = load_text(
      with_overrides({{"/world/correlations", bad}, {"/world/correlation_repair", "nearest"}}));
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_NE(loaded.warnings[0].message.find("Achieved vs requested"), std::string::npos);
  EXPECT_NE(loaded.warnings[0].message.find("(asked 0.9)"), std::string::npos);
  EXPECT_TRUE(loaded.scenarios.front().world->correlation->copula->repaired());

  const auto errors = errors_of([&] { load_text(with_overrides({{"/world/correlations", bad}})); });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_NE(errors[0].message.find("positive definite"), std::string::npos);
}

// ---- policy schedules ------------------------------------------------------------------------

TEST(Schedules, DatedStepsAndRampsInAbsoluteMonths) {
  const auto loaded = load_text(with_overrides(
      {{"/policy/levers/enforcement_intensity",
        {{{"from", "2026-07"}, {"value", 0.2}},
         {{"from", "2027-01"}, {"to", "2028-01"}, {"value", 1.0}}}}}));
  const auto& s = loaded.scenarios.front().policy->global_levers[static_cast<std::size_t>(
      gapcast::GlobalLever::enforcement_intensity)];
  const double jul_2026 = gapcast::month_index({2026, 7});
  const double jan_2027 = gapcast::month_index({2027, 1});
  EXPECT_DOUBLE_EQ(s.value(jul_2026 - 1), 0.0);
  EXPECT_DOUBLE_EQ(s.value(jul_2026), 0.2);
  EXPECT_NEAR(s.value(jan_2027 + 6), 0.6, 1e-9);
  EXPECT_DOUBLE_EQ(s.value(jan_2027 + 24), 1.0);
}

TEST(Schedules, AnEntryOutOfOrderCannotLetALaterOneSlipIn) {
  // 2027-12, then 2027-01 (out of order), then 2027-06: the third is also before 2027-12 and
  // must be reported, not added behind the first (which would break the schedule's order).
  const auto errors = errors_of([] {
    load_text(with_overrides({{"/policy/levers/enforcement_intensity",
                               {{{"from", "2027-12"}, {"value", 0.8}},
                                {{"from", "2027-01"}, {"value", 0.2}},
                                {{"from", "2027-06"}, {"value", 0.5}}}}}));
  });
  ASSERT_EQ(errors.size(), 2u) << all_text(errors);
  EXPECT_NE(errors[1].pointer.find("/2/from"), std::string::npos) << all_text(errors);
}

// ---- in-memory input ---------------------------------------------------------------------------

TEST(InMemory, DictsLoadAndErrorsHaveNoPositions) {
  const json dict = {{"kind", "scenario"}, {"extends", "baseline.json"}, {"name", "from_python"}};
  const auto loaded = gapcast::load_scenario_json(dict, "<dict>", scenarios_dir);
  EXPECT_EQ(loaded.scenarios.front().name, "from_python");

  json bad = dict;
  bad["overrides"] = {{"/world/parameters/densing_doubling_months", -1}};
  const auto errors = errors_of([&] { gapcast::load_scenario_json(bad, "<dict>", scenarios_dir); });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_EQ(errors[0].file, "<dict>");
  EXPECT_EQ(errors[0].line, 0u);

  json deep = 1;
  for (int i = 0; i < 100; ++i) deep = json::array({deep});
  bad = dict;
  bad["note"] = deep;
  const auto deep_errors =
      errors_of([&] { gapcast::load_scenario_json(bad, "<dict>", scenarios_dir); });
  ASSERT_EQ(deep_errors.size(), 1u) << all_text(deep_errors);
  EXPECT_NE(deep_errors[0].message.find("levels deep"), std::string::npos);
}

TEST(Text, SyntaxErrorsAreLocated) {
  const auto errors = errors_of([] { load_text("{\n  \"kind\": \"scenario\",\n  \"x\": 1e400\n}"); });
  ASSERT_EQ(errors.size(), 1u) << all_text(errors);
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_EQ(errors[0].column, 8u);
  EXPECT_NE(errors[0].message.find("beyond the range of a double"), std::string::npos);
}

}  // namespace
