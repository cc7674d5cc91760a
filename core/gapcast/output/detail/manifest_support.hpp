#pragma once
// Pieces every manifest shares (results and sensitivity manifests): the creation time, a
// command line quoted for a shell, and the files a scenario read.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/run/results.hpp"
#include "gapcast/scenario/scenario.hpp"

namespace gapcast::detail {

/// Now, as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();
/// `arg` as a POSIX shell reads it back (quoted only when needed).
std::string shell_quote(const std::string& arg);
/// Role, the path as the user gave it, and SHA-256 of each file (the absolute path is
/// machine-specific and left out).
nlohmann::ordered_json source_files_json(const std::vector<SourceFile>& files);

/// The part every manifest ends with: the scenarios (name, fingerprint, files read), the
/// output files with their SHA-256s, the command, the working directory, the command as one
/// shell line, and how the inputs were given (`inputs_json`, "" if unknown) for reproduce.
void add_manifest_tail(nlohmann::ordered_json& manifest,
                       const std::vector<ScenarioInfo>& scenarios,
                       const std::vector<std::pair<std::string, std::string>>& files,
                       const std::vector<std::string>& command, const std::string& inputs_json);

}  // namespace gapcast::detail
