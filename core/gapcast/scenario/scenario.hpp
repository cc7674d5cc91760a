#pragma once
/// Scenarios: a world (uncertain assumptions) plus a policy (dated lever schedules).
///
/// The two are kept apart on purpose. The world says what is true but unknown (how much is
/// smuggled, how fast software improves) as distributions with sources; the policy says what
/// the US and its allies do, and when. A scenario names one of each, so the same world can be
/// run under every policy with the same sampled draws, and a policy's effect is the paired
/// difference between runs rather than noise.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "gapcast/scenario/catalogue.hpp"
#include "gapcast/uncertainty/correlation.hpp"
#include "gapcast/util/dates.hpp"
#include "gapcast/uncertainty/distributions.hpp"
#include "gapcast/scenario/schedule.hpp"

namespace gapcast {

/// One uncertain (or fixed) number of the world, with its provenance.
struct ParameterSpec {
  std::string name;         ///< path, e.g. "densing_doubling_months" or "chips.h20.tpp"
  Distribution dist = Distribution::point(0.0);  ///< in the canonical unit
  std::string unit;         ///< canonical unit
  std::string source;       ///< citation (may be empty; `validate --strict` rejects that)
  std::string note;         ///< e.g. "judgement: ..."
  std::string description;  ///< from the catalogue
  double valid_min = 0.0, valid_max = 0.0;
  std::string file;         ///< file that defined it
  std::string pointer;      ///< JSON Pointer in that file
  std::size_t line = 0;     ///< position in that file, when known
  nlohmann::json spec;      ///< the specification as written, for reports
};

enum class ChipOrigin { foreign, domestic };

struct ChipClass {
  std::string name;
  std::string label;
  ChipOrigin origin = ChipOrigin::foreign;
  /// Foreign classes: months (from the start) during which the class is sold in volume;
  /// nullopt = open-ended.
  std::optional<int> volume_from, volume_until;
  /// Domestic classes: production line and the month from which that line makes this class.
  std::string line;
  int line_index = -1;
  std::optional<int> roadmap_from;
  /// Index into World::parameters for each field, -1 where the field does not apply.
  std::array<int, chip_field_count> param{};
};

struct DomesticLine {
  std::string name;
  std::string label;
  std::array<int, line_field_count> param{};
};

/// Rank correlations among a set of parameters, imposed by one Gaussian copula.
struct CorrelationGroup {
  std::vector<int> params;        ///< indices into World::parameters
  Eigen::MatrixXd requested;      ///< Spearman matrix as asked for
  std::shared_ptr<const GaussianCopula> copula;
};

struct World {
  std::string name, title, description;
  YearMonth start{2026, 1};
  std::vector<ChipClass> chips;
  std::vector<DomesticLine> lines;
  /// The first global_parameter_count entries are the world parameters in catalogue order;
  /// chip-class and production-line fields follow.
  std::vector<ParameterSpec> parameters;
  std::optional<CorrelationGroup> correlation;
  std::string fingerprint;  ///< SHA-256 of the resolved world, for de-duplication and manifests

  [[nodiscard]] int index_of(std::string_view parameter_name) const;  ///< -1 if unknown
  [[nodiscard]] int chip_index(std::string_view chip_name) const;     ///< -1 if unknown
  [[nodiscard]] const ParameterSpec& global(P p) const {
    return parameters[static_cast<std::size_t>(p)];
  }
};

using ChipLeverSchedules = std::array<Schedule, chip_lever_count>;

/// Lever schedules. Times are absolute month indices (year * 12 + month - 1), so a policy file
/// means the same thing whatever start month the world it is run with uses.
struct Policy {
  std::string name, title, description;
  /// Per foreign chip class, by class name; classes not named keep no-controls schedules.
  std::map<std::string, ChipLeverSchedules, std::less<>> chip_levers;
  std::array<Schedule, global_lever_count> global_levers = no_controls_globals();
  std::string fingerprint;  ///< SHA-256 of the resolved policy

  /// The schedules for a chip class (no-controls schedules if the policy does not name it).
  [[nodiscard]] const ChipLeverSchedules& chip(std::string_view chip_name) const;
  static ChipLeverSchedules no_controls_chip();
  static std::array<Schedule, global_lever_count> no_controls_globals();
};

/// Absolute month index of a calendar month: year * 12 + month - 1.
inline int month_index(YearMonth ym) { return ym.year * 12 + ym.month - 1; }

/// A policy with every lever at its no-controls value.
Policy no_controls_policy();

/// SHA-256 over the policy's lever schedules (not its name or text): two policies with the
/// same fingerprint set every lever identically, so their runs are interchangeable.
std::string policy_fingerprint(const Policy& policy);

/// One input of a scenario, for manifests. Roles: "scenario" (the file named on the command
/// line), "extends" (each scenario file it builds on, nearest first), "world", "policy" (the
/// files they came from, absent when written inline), "override" (a command-line --set: the
/// display name is the argument as typed, "--set world.x=4", the path is empty and the hash is
/// of the argument's text). Overrides inside a scenario file are covered by that file's hash.
struct SourceFile {
  std::string role;
  std::string display_name;  ///< as given or resolved relative to the scenario
  std::string path;          ///< absolute (empty for an override)
  std::string sha256;
};

/// {"role", "display_name", "path", "sha256"}.
nlohmann::ordered_json to_json(const SourceFile& file);

struct Scenario {
  std::string name, title, description;
  std::shared_ptr<const World> world;
  std::shared_ptr<const Policy> policy;
  std::vector<SourceFile> files;
  std::string fingerprint;  ///< SHA-256 over world and policy fingerprints
};

}  // namespace gapcast
