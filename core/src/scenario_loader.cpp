#include "gapcast/scenario_loader.hpp"

#include <map>

#include "gapcast/sha256.hpp"
#include "loader_support.hpp"

namespace gapcast {
namespace {

using detail::child;
using detail::describe_value;
using detail::LoadContext;
using nlohmann::json;

const std::vector<std::string_view> scenario_keys{"$schema", "kind",  "name",  "title",
                                                  "description", "world", "policy"};

/// Reads files once per load call and keeps every parsed world, so scenarios that share a world
/// file share one World object (and the Monte Carlo samples it once per draw).
class Loader {
 public:
  explicit Loader(LoadOptions options) : options_(std::move(options)) {}

  std::shared_ptr<SourceDocument> read(const std::filesystem::path& path,
                                       const std::string& display) {
    std::error_code ec;
    auto key = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
    if (ec) key = path;
    if (auto it = docs_.find(key); it != docs_.end()) return it->second;
    auto doc = read_json_file(path, display, diag_, options_.limits);
    std::shared_ptr<SourceDocument> shared =
        doc ? std::make_shared<SourceDocument>(std::move(*doc)) : nullptr;
    docs_[key] = shared;
    return shared;
  }

  std::optional<Scenario> scenario(const SourceDocument& doc, const std::string& default_name,
                                   const std::filesystem::path& base_dir) {
    LoadContext ctx{&diag_, doc.ref(), "", options_.strict};
    const json& value = doc.json;
    if (!value.is_object()) return std::nullopt;  // already reported by the reader
    const std::size_t errors_before = diag_.error_count();
    detail::check_keys(value, "", ctx, scenario_keys, "a scenario");
    if (const auto kind = detail::read_string(value, "kind", "", ctx, false);
        kind && *kind != "scenario") {
      ctx.error("/kind", "this file is a \"" + *kind +
                             "\"; gapcast runs scenario files, which name a \"world\" and a "
                             "\"policy\"");
      return std::nullopt;
    }
    Scenario scenario;
    scenario.name = detail::read_string(value, "name", "", ctx, false).value_or(default_name);
    scenario.title = detail::read_string(value, "title", "", ctx, false).value_or(scenario.name);
    scenario.description = detail::read_string(value, "description", "", ctx, false).value_or("");
    scenario.files.push_back({"scenario", doc.display_name, doc.path.string(), doc.sha256});

    const auto world = part<World>(value, "world", ctx, doc, base_dir, scenario.files);
    const auto policy = part<Policy>(value, "policy", ctx, doc, base_dir, scenario.files);
    if (world && policy) {
      const LoadContext policy_ctx = policy->second;
      detail::check_policy_against_world(*policy->first, *world->first, policy_ctx);
      scenario.world = world->first;
      scenario.policy = policy->first;
    }
    // A cached world or policy that failed earlier adds no new diagnostics, so test the parts.
    if (!world || !policy || diag_.error_count() != errors_before) return std::nullopt;
    scenario.fingerprint = sha256_hex(scenario.world->fingerprint + scenario.policy->fingerprint);
    return scenario;
  }

  Diagnostics& diagnostics() { return diag_; }

 private:
  /// Reads the "world" or "policy" member: a path to a file or an inline object. Returns the
  /// parsed part with the context its diagnostics use.
  template <class Part>
  std::optional<std::pair<std::shared_ptr<const Part>, LoadContext>> part(
      const json& value, const char* key, const LoadContext& ctx, const SourceDocument& doc,
      const std::filesystem::path& base_dir, std::vector<SourceFile>& files) {
    const auto it = value.find(key);
    if (it == value.end()) {
      ctx.error("", std::string("missing required key \"") + key +
                        "\" (a path to a " + key + " file, or an inline object)");
      return std::nullopt;
    }
    if (it->is_object()) {
      LoadContext inline_ctx{&diag_, doc.ref(), std::string("/") + key, options_.strict};
      return parsed<Part>(*it, inline_ctx);
    }
    if (!it->is_string()) {
      ctx.error(std::string("/") + key, std::string("expected a path to a ") + key +
                                            " file or an inline object, got " +
                                            describe_value(*it));
      return std::nullopt;
    }
    const std::string relative = it->get<std::string>();
    const std::filesystem::path path = base_dir / relative;
    const std::string display =
        (std::filesystem::path(doc.display_name).parent_path() / relative)
            .lexically_normal()
            .string();
    auto referenced = read(path, display);
    if (!referenced) {
      ctx.error(std::string("/") + key, std::string("the ") + key + " file \"" + relative +
                                            "\" could not be loaded (see above)");
      return std::nullopt;
    }
    files.push_back({key, referenced->display_name, referenced->path.string(),
                     referenced->sha256});
    LoadContext file_ctx{&diag_, referenced->ref(), "", options_.strict};
    return parsed<Part>(referenced->json, file_ctx);
  }

  template <class Part>
  std::optional<std::pair<std::shared_ptr<const Part>, LoadContext>> parsed(
      const json& value, const LoadContext& ctx) {
    // A world or policy file named by several scenarios is parsed (and its problems reported)
    // once; the key is the document and the place inside it.
    const std::string key = ctx.doc.file + "#" + ctx.prefix;
    auto& cache = cache_for<Part>();
    if (const auto it = cache.find(key); it != cache.end()) {
      if (!it->second) return std::nullopt;
      return std::make_pair(it->second, ctx);
    }
    std::shared_ptr<const Part> result;
    if constexpr (std::is_same_v<Part, World>) {
      if (auto world = detail::parse_world(value, ctx)) {
        auto& shared = worlds_[world->fingerprint];
        if (!shared) shared = std::make_shared<const World>(std::move(*world));
        result = shared;
      }
    } else {
      if (auto policy = detail::parse_policy(value, ctx)) {
        result = std::make_shared<const Policy>(std::move(*policy));
      }
    }
    cache[key] = result;
    if (!result) return std::nullopt;
    return std::make_pair(result, ctx);
  }

  template <class Part>
  std::map<std::string, std::shared_ptr<const Part>>& cache_for() {
    if constexpr (std::is_same_v<Part, World>) return world_cache_;
    else return policy_cache_;
  }

  LoadOptions options_;
  Diagnostics diag_;
  std::map<std::filesystem::path, std::shared_ptr<SourceDocument>> docs_;
  std::map<std::string, std::shared_ptr<const World>> worlds_;
  std::map<std::string, std::shared_ptr<const World>> world_cache_;
  std::map<std::string, std::shared_ptr<const Policy>> policy_cache_;
};

void check_unique_names(const std::vector<Scenario>& scenarios, Diagnostics& diag) {
  std::map<std::string, std::string> seen;
  for (const auto& s : scenarios) {
    const std::string& file = s.files.front().display_name;
    auto [it, inserted] = seen.emplace(s.name, file);
    if (!inserted) {
      diag.file_error(file, "scenario name \"" + s.name + "\" is also used by " + it->second +
                                "; names must be unique within a run");
    }
  }
}

}  // namespace

LoadResult load_scenarios(const std::vector<std::string>& files, const LoadOptions& options) {
  Loader loader(options);
  LoadResult result;
  for (const auto& file : files) {
    const std::filesystem::path path(file);
    auto doc = loader.read(path, file);
    if (!doc) continue;
    std::error_code ec;
    const auto base = std::filesystem::absolute(path, ec).parent_path();
    if (auto s = loader.scenario(*doc, path.stem().string(), base)) {
      result.scenarios.push_back(std::move(*s));
    }
  }
  check_unique_names(result.scenarios, loader.diagnostics());
  loader.diagnostics().throw_if_errors();
  result.warnings = loader.diagnostics().warnings();
  return result;
}

LoadResult load_scenario_json(const json& value, const std::string& label,
                              const std::filesystem::path& base_dir, const LoadOptions& options) {
  Loader loader(options);
  const SourceDocument doc = document_from_json(value, label);
  LoadResult result;
  if (!doc.json.is_object()) {
    loader.diagnostics().file_error(label, "a scenario must be a JSON object (a dict), not " +
                                               describe_value(doc.json));
  } else if (auto s = loader.scenario(doc, label, base_dir)) {
    result.scenarios.push_back(std::move(*s));
  }
  loader.diagnostics().throw_if_errors();
  result.warnings = loader.diagnostics().warnings();
  return result;
}

}  // namespace gapcast
