#include "gapcast/output/detail/manifest_support.hpp"

#include <ctime>
#include <filesystem>

namespace gapcast::detail {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string shell_quote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_=./:,+@%") == std::string::npos) {
    return arg;
  }
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

/// How the manifest records the files a scenario read: role, the path as the user gave it
/// (what `reproduce` compares), and SHA-256. The absolute path is machine-specific and left
/// out; to_json(SourceFile) has it.
nlohmann::ordered_json source_files_json(const std::vector<SourceFile>& files) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    nlohmann::ordered_json file;
    file["role"] = f.role;
    file["path"] = f.display_name;
    file["sha256"] = f.sha256;
    list.push_back(file);
  }
  return list;
}

void add_manifest_tail(nlohmann::ordered_json& manifest,
                       const std::vector<ScenarioInfo>& scenarios,
                       const std::vector<std::pair<std::string, std::string>>& files,
                       const std::vector<std::string>& command, const std::string& inputs_json) {
  using ordered = nlohmann::ordered_json;
  ordered listed = ordered::array();
  for (const auto& s : scenarios) {
    ordered e;
    e["name"] = s.name;
    e["fingerprint"] = s.fingerprint;
    e["files"] = source_files_json(s.files);
    listed.push_back(e);
  }
  manifest["scenarios"] = listed;
  ordered outputs = ordered::array();
  for (const auto& [name, digest] : files) {
    ordered file;
    file["path"] = name;
    file["sha256"] = digest;
    outputs.push_back(file);
  }
  manifest["outputs"] = outputs;
  manifest["command"] = command;
  std::error_code ec;
  const auto cwd = std::filesystem::current_path(ec);
  manifest["working_directory"] = ec ? std::string() : cwd.string();
  std::string rerun;
  for (const auto& arg : command) rerun += (rerun.empty() ? "" : " ") + shell_quote(arg);
  manifest["rerun"] = rerun;
  if (!inputs_json.empty()) manifest["inputs"] = ordered::parse(inputs_json);
}

}  // namespace gapcast::detail
