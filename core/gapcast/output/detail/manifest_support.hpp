#pragma once
// Pieces every manifest shares (results and sensitivity manifests): the creation time, a
// command line quoted for a shell, and the files a scenario read.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/scenario.hpp"

namespace gapcast::detail {

/// Now, as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();
/// `arg` as a POSIX shell reads it back (quoted only when needed).
std::string shell_quote(const std::string& arg);
/// Role, the path as the user gave it, and SHA-256 of each file (the absolute path is
/// machine-specific and left out).
nlohmann::ordered_json source_files_json(const std::vector<SourceFile>& files);

}  // namespace gapcast::detail
