#pragma once
// Loading the scenarios a command runs (with --baseline and --set), reporting problems in the
// located format, and remembering how they were given for the manifest (`gapcast reproduce`
// reruns from it). Shared by run, compare and sensitivity.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gapcast/output/atomic_output.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/scenario/scenario.hpp"

namespace gapcast::cli {

struct LoadedInputs {
  std::vector<Scenario> scenarios;
  std::vector<Scenario> baseline;  ///< empty, or the --baseline scenario
  RunInputs given;

  [[nodiscard]] std::shared_ptr<const Policy> baseline_policy() const {
    return baseline.empty() ? nullptr : baseline.front().policy;
  }
};

/// Loads `files` (and `baseline_file` unless empty) with the --set overrides; prints the
/// loader's warnings, or its problems and "nothing was run or written" and returns nullopt.
std::optional<LoadedInputs> load_inputs(const std::vector<std::string>& files,
                                        const std::string& baseline_file,
                                        const std::vector<std::string>& set);

/// Every file the inputs read: an output directory may not hold any of them.
std::vector<std::filesystem::path> input_files(const LoadedInputs& in);

/// Checks and claims the output directory `out` before the computation (it may not hold an
/// input file; an interrupt cancels the claim). Leaves `output` empty when `out` is empty.
/// Returns false, having said why and that nothing was run or written, when it cannot be used.
bool claim_output(const std::string& out, const LoadedInputs& in,
                  std::optional<OutputTransaction>& output);

}  // namespace gapcast::cli
