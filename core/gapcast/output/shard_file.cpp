#include "gapcast/output/shard_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/util/byte_codec.hpp"
#include "gapcast/util/sha256.hpp"

namespace gapcast {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;
constexpr std::size_t checksum_size = 64;

ordered scenario_json(const ScenarioInfo& s) {
  ordered j;
  j["name"] = s.name;
  j["title"] = s.title;
  j["description"] = s.description;
  j["world_name"] = s.world_name;
  j["policy_name"] = s.policy_name;
  j["fingerprint"] = s.fingerprint;
  j["world_fingerprint"] = s.world_fingerprint;
  j["policy_fingerprint"] = s.policy_fingerprint;
  ordered files = ordered::array();
  for (const auto& f : s.files) files.push_back(to_json(f));
  j["files"] = files;
  j["has_baseline_comparison"] = s.has_baseline_comparison;
  return j;
}

ScenarioInfo scenario_from_json(const json& j) {
  ScenarioInfo s;
  s.name = j.at("name").get<std::string>();
  s.title = j.at("title").get<std::string>();
  s.description = j.at("description").get<std::string>();
  s.world_name = j.at("world_name").get<std::string>();
  s.policy_name = j.at("policy_name").get<std::string>();
  s.fingerprint = j.at("fingerprint").get<std::string>();
  s.world_fingerprint = j.at("world_fingerprint").get<std::string>();
  s.policy_fingerprint = j.at("policy_fingerprint").get<std::string>();
  for (const auto& f : j.at("files")) {
    s.files.push_back(SourceFile{f.at("role").get<std::string>(),
                                 f.at("display_name").get<std::string>(),
                                 f.at("path").get<std::string>(),
                                 f.at("sha256").get<std::string>()});
  }
  s.has_baseline_comparison = j.at("has_baseline_comparison").get<bool>();
  return s;
}

std::string header_json(const ShardPayload& payload) {
  const RunShard& shard = payload.shard;
  const Results& r = shard.results;
  ordered j;
  j["format"] = "gapcast-shard";
  j["range"] = {shard.range.begin, shard.range.end};
  j["info"] = to_json(r.info);
  ordered scenarios = ordered::array();
  for (const auto& s : r.scenarios) scenarios.push_back(scenario_json(s));
  j["scenarios"] = scenarios;
  j["dates"] = r.dates;
  j["quantiles"] = r.quantiles;
  j["assumptions"] = r.assumptions_json;
  j["command"] = payload.command;
  j["inputs"] = payload.inputs_json;
  return j.dump();
}

/// The shard's Results skeleton from the header: what run_range() would have produced
/// before summarising, the catalogues being this engine's own.
Results results_from_header(const json& j) {
  Results r;
  r.info = run_info_from_json(j.at("info"));
  r.metrics = recorded_series_metrics(r.info.options);
  r.scalar_metrics = scalar_metric_catalogue();
  for (const auto& s : j.at("scenarios")) r.scenarios.push_back(scenario_from_json(s));
  r.dates = j.at("dates").get<std::vector<std::string>>();
  r.quantiles = j.at("quantiles").get<std::vector<double>>();
  r.assumptions_json = j.at("assumptions").get<std::string>();
  return r;
}

}  // namespace

std::string encode_shard(const ShardPayload& payload) {
  ByteWriter out;
  out.raw(shard_magic);
  out.u32(shard_format_version);
  out.text(header_json(payload));
  payload.shard.summaries.encode(out);
  std::string bytes = out.take();
  bytes += sha256_hex(bytes);
  return bytes;
}

ShardPayload decode_shard(std::string_view bytes) {
  if (bytes.substr(0, shard_magic.size()) != shard_magic) {
    throw ShardFormatError("not a gapcast shard (it does not begin with \"GAPCAST-SHARD\")");
  }
  if (bytes.size() < shard_magic.size() + 4 + checksum_size) {
    throw ShardFormatError("truncated: " + std::to_string(bytes.size()) + " bytes");
  }
  ByteReader version_reader(bytes.substr(shard_magic.size(), 4));
  const std::uint32_t version = version_reader.u32();
  if (version != shard_format_version) {
    throw ShardFormatError("shard format version " + std::to_string(version) +
                           ", but this gapcast reads version " +
                           std::to_string(shard_format_version) +
                           "; merge shards with the gapcast that made them");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - checksum_size);
  if (sha256_hex(body) != bytes.substr(bytes.size() - checksum_size)) {
    throw ShardFormatError("the checksum does not match: the shard was truncated or altered "
                           "after it was written");
  }
  try {
    ByteReader in(body);
    in.raw(shard_magic.size() + 4);
    const json header = json::parse(in.text());
    if (header.at("format").get<std::string>() != "gapcast-shard") {
      throw ShardFormatError("the header is not a gapcast shard header");
    }
    const auto range = header.at("range").get<std::vector<std::uint64_t>>();
    Results results = results_from_header(header);
    if (range.size() != 2 || range[0] > range[1] || range[1] > results.info.samples) {
      throw ShardFormatError("the header's range is not START:STOP within the run's samples");
    }
    RunSummaries summaries =
        RunSummaries::decode(in, results.metrics, results.info.options.quantile_accuracy);
    const CellLayout& layout = summaries.layout();
    if (layout.scenarios != results.scenarios.size() || layout.months != results.dates.size() ||
        layout.scalars != results.scalar_metrics.size()) {
      throw ShardFormatError("the summaries do not match the header's scenarios, months or "
                             "this engine's scalar metrics");
    }
    if (!in.at_end()) throw ShardFormatError("unexpected bytes after the summaries");
    return ShardPayload{
        RunShard{SampleRange{range[0], range[1]}, std::move(results), std::move(summaries)},
        header.at("command").get<std::vector<std::string>>(),
        header.at("inputs").get<std::string>()};
  } catch (const ShardFormatError&) {
    throw;
  } catch (const std::exception& e) {
    throw ShardFormatError(std::string("malformed shard: ") + e.what());
  }
}

void write_shard_file(const std::filesystem::path& path, const ShardPayload& payload) {
  const std::string bytes = encode_shard(payload);
  // A temporary name beside the target (same file system), renamed over it once complete.
  std::filesystem::path temporary = path;
  temporary += ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error("could not write " + temporary.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error("could not write " + path.string() + ": " + ec.message());
  }
}

ShardPayload read_shard_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open the shard file");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path.string() + ": could not read the shard file");
  try {
    return decode_shard(content.str());
  } catch (const ShardFormatError& e) {
    throw ShardFormatError(path.string() + ": " + e.what());
  }
}

}  // namespace gapcast
