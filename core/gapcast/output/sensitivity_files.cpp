#include "gapcast/output/sensitivity_files.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "gapcast/output/detail/manifest_support.hpp"
#include "gapcast/util/byte_codec.hpp"
#include "gapcast/util/number_text.hpp"
#include "gapcast/util/sha256.hpp"

namespace gapcast {
namespace {

using ordered = nlohmann::ordered_json;

ordered number_or_null(double x) { return std::isfinite(x) ? ordered(x) : ordered(nullptr); }

ordered numbers(const std::vector<double>& values) {
  ordered out = ordered::array();
  for (double v : values) out.push_back(number_or_null(v));
  return out;
}

RunOptionError bad(const std::string& member, const std::string& problem) {
  return RunOptionError(RunOptionError::Kind::type, member, problem);
}

template <typename T>
T read_member(const nlohmann::json& j, const char* name, const char* expected) {
  try {
    return j.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw bad(name, std::string("expected ") + expected);
  }
}

/// "metric@YYYY-MM" -> ("metric", "YYYY-MM"); a scalar -> (name, "").
std::pair<std::string, std::string> split_output(const std::string& output) {
  const auto at = output.find('@');
  if (at == std::string::npos) return {output, ""};
  return {output.substr(0, at), output.substr(at + 1)};
}

}  // namespace

nlohmann::ordered_json to_json(const SensitivityOptions& o) {
  ordered j;
  j["method"] = method_name(o.method);
  j["samples"] = o.samples;
  j["second_order"] = o.second_order;
  j["parameters"] = o.parameters;
  ordered groups = ordered::array();
  for (const auto& [name, members] : o.groups) {
    ordered g;
    g["name"] = name;
    g["members"] = members;
    groups.push_back(g);
  }
  j["groups"] = groups;
  j["levels"] = o.levels;
  j["slices"] = o.slices;
  j["resamples"] = o.resamples;
  j["confidence"] = o.confidence;
  return j;
}

SensitivityOptions sensitivity_options_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw bad("sensitivity", "expected an object");
  static const std::vector<std::string> known{"method", "samples", "second_order", "parameters",
                                              "groups", "levels", "slices", "resamples",
                                              "confidence"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw bad(key, "is not a sensitivity option");
    }
  }
  SensitivityOptions o;
  if (j.contains("method")) {
    o.method = parse_sensitivity_method(read_member<std::string>(j, "method", "a string"));
  }
  if (j.contains("samples")) o.samples = read_member<std::size_t>(j, "samples", "a whole number");
  if (j.contains("second_order")) o.second_order = read_member<bool>(j, "second_order", "true or false");
  if (j.contains("parameters")) {
    o.parameters = read_member<std::vector<std::string>>(j, "parameters", "a list of names");
  }
  if (j.contains("groups")) {
    if (!j.at("groups").is_array()) throw bad("groups", "expected a list");
    for (const auto& g : j.at("groups")) {
      o.groups.emplace_back(read_member<std::string>(g, "name", "a group name"),
                            read_member<std::vector<std::string>>(g, "members", "member names"));
    }
  }
  if (j.contains("levels")) o.levels = read_member<int>(j, "levels", "a whole number");
  if (j.contains("slices")) o.slices = read_member<std::size_t>(j, "slices", "a whole number");
  if (j.contains("resamples")) o.resamples = read_member<std::size_t>(j, "resamples", "a whole number");
  if (j.contains("confidence")) o.confidence = read_member<double>(j, "confidence", "a number");
  return o;
}

std::string sensitivity_json(const SensitivityResults& r) {
  ordered j;
  j["format"] = "gapcast-sensitivity";
  j["format_version"] = 1;
  j["method"] = method_name(r.options.method);
  j["options"] = to_json(r.options);
  j["evaluations"] = r.evaluations;
  j["parameters"] = r.parameters;
  j["groups"] = r.groups;
  j["group_of"] = r.group_of;
  j["statistics"] = r.statistics;
  j["scenarios"] = r.scenarios;
  j["outputs"] = r.outputs;
  j["warnings"] = r.warnings;
  ordered indices = ordered::array();
  for (const auto& ix : r.indices) {
    ordered e;
    e["scenario"] = ix.scenario;
    e["output"] = ix.output;
    e["defined"] = ix.defined;
    e["transform"] = ix.transform;
    if (!ix.note.empty()) e["note"] = ix.note;
    ordered values;
    for (std::size_t s = 0; s < r.statistics.size(); ++s) {
      values[r.statistics[s]] = numbers(ix.values[s]);
    }
    e["values"] = values;
    if (!ix.second_order.empty()) {
      e["S2"] = numbers(ix.second_order);
      e["S2_conf"] = numbers(ix.second_order_conf);
    }
    indices.push_back(e);
  }
  j["indices"] = indices;
  return j.dump(1) + "\n";
}

std::string sensitivity_csv(const SensitivityResults& r) {
  std::string out = "scenario,output,metric,date,transform,group,statistic,value\n";
  for (const auto& ix : r.indices) {
    const auto [metric, date] = split_output(ix.output);
    for (std::size_t s = 0; s < r.statistics.size(); ++s) {
      for (std::size_t g = 0; g < r.groups.size(); ++g) {
        const double v = ix.values[s][g];
        out += ix.scenario + "," + ix.output + "," + metric + "," + date + "," + ix.transform +
               "," + r.groups[g] +
               "," + r.statistics[s] + "," + (std::isfinite(v) ? format_number(v) : "") + "\n";
      }
    }
  }
  return out;
}

std::string sensitivity_manifest_json(const SensitivityResults& r,
                                      const std::vector<std::string>& command,
                                      const std::vector<std::pair<std::string, std::string>>& files,
                                      const RunInputs* inputs) {
  ordered j;
  j["format"] = "gapcast-manifest";
  j["format_version"] = 1;
  j["kind"] = "sensitivity";
  ordered engine;
  engine["version"] = r.run_info.engine_version;
  engine["git_commit"] = r.run_info.git_commit;
  engine["compiler"] = r.run_info.compiler;
  engine["build_type"] = r.run_info.build_type;
  j["engine"] = engine;
  ordered run;
  run["seed"] = r.run_options.seed;
  run["evaluations"] = r.evaluations;
  run["threads"] = r.run_info.threads;
  run["wall_seconds"] = r.run_info.wall_seconds;
  run["solver_steps"] = r.run_info.solver_steps;
  run["created_utc"] = detail::utc_now();
  j["run"] = run;
  // What `gapcast reproduce` reruns: the run options as given to the analysis (samples is the
  // design's size, recomputed on rerun) and the analysis's own options.
  j["options"] = to_json(r.run_options);
  j["sensitivity"] = to_json(r.options);
  detail::add_manifest_tail(j, r.scenario_info, files, command,
                            inputs != nullptr ? run_inputs_json(*inputs) : std::string());
  return j.dump(1) + "\n";
}

std::vector<std::pair<std::string, std::string>> sensitivity_file_contents(
    const SensitivityResults& results, const std::vector<std::string>& command,
    const RunInputs* inputs) {
  std::vector<std::pair<std::string, std::string>> contents{
      {"sensitivity.json", sensitivity_json(results)},
      {"sensitivity.csv", sensitivity_csv(results)},
  };
  if (!results.assumptions_json.empty()) {
    contents.emplace_back("assumptions.json", results.assumptions_json);
  }
  std::vector<std::pair<std::string, std::string>> digests;
  for (const auto& [name, text] : contents) digests.emplace_back(name, sha256_hex(text));
  contents.emplace_back("manifest.json",
                        sensitivity_manifest_json(results, command, digests, inputs));
  return contents;
}

std::vector<std::string> write_sensitivity(const SensitivityResults& results,
                                           OutputTransaction& output,
                                           const std::vector<std::string>& command,
                                           const RunInputs* inputs) {
  std::vector<std::string> names;
  for (const auto& [name, text] : sensitivity_file_contents(results, command, inputs)) {
    output.write(name, text);
    names.push_back(name);
  }
  output.commit();
  return names;
}

namespace {
constexpr std::string_view rows_magic = "GAPCAST-SENSITIVITY-ROWS\n";
constexpr std::uint32_t rows_format_version = 1;
constexpr std::size_t rows_checksum_size = 64;
}  // namespace

std::string encode_sensitivity_rows(const SensitivityRows& rows) {
  nlohmann::ordered_json header;
  header["range"] = {rows.range.begin, rows.range.end};
  header["solver_steps"] = rows.solver_steps;
  header["fingerprint"] = rows.fingerprint;
  header["columns"] = rows.columns;
  header["scenarios"] = rows.scenarios;
  ByteWriter out;
  out.raw(rows_magic);
  out.u32(rows_format_version);
  out.text(header.dump());
  for (const auto& table : rows.values) {
    for (const auto& column : table) {
      for (double v : column) out.f64(v);
    }
  }
  std::string bytes = out.take();
  bytes += sha256_hex(bytes);
  return bytes;
}

SensitivityRows decode_sensitivity_rows(std::string_view bytes) {
  if (bytes.substr(0, rows_magic.size()) != rows_magic ||
      bytes.size() < rows_magic.size() + 4 + rows_checksum_size) {
    throw std::invalid_argument("not the evaluated rows of a gapcast sensitivity analysis");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - rows_checksum_size);
  if (sha256_hex(body) != bytes.substr(bytes.size() - rows_checksum_size)) {
    throw std::invalid_argument("the evaluated rows' checksum does not match: they were "
                                "truncated or altered");
  }
  ByteReader in(body);
  in.raw(rows_magic.size());
  if (const auto version = in.u32(); version != rows_format_version) {
    throw std::invalid_argument("evaluated rows of format version " + std::to_string(version) +
                                ", but this gapcast reads version " +
                                std::to_string(rows_format_version));
  }
  try {
    const auto header = nlohmann::json::parse(in.text());
    SensitivityRows rows;
    const auto range = header.at("range").get<std::vector<std::uint64_t>>();
    if (range.size() != 2 || range[0] > range[1]) {
      throw std::invalid_argument("the range is not START:STOP");
    }
    rows.range = SampleRange{range[0], range[1]};
    rows.solver_steps = header.at("solver_steps").get<std::uint64_t>();
    rows.fingerprint = header.at("fingerprint").get<std::string>();
    rows.columns = header.at("columns").get<std::vector<std::string>>();
    rows.scenarios = header.at("scenarios").get<std::vector<std::string>>();
    const std::uint64_t n = rows.range.end - rows.range.begin;
    const std::uint64_t cells = rows.columns.size() * rows.scenarios.size();
    if (cells != 0 && n > in.remaining() / 8 / cells) {
      throw std::invalid_argument("fewer values than the header says");
    }
    rows.values.assign(rows.scenarios.size(),
                       std::vector<std::vector<double>>(rows.columns.size()));
    for (auto& table : rows.values) {
      for (auto& column : table) {
        column.resize(static_cast<std::size_t>(n));
        for (double& v : column) v = in.f64();
      }
    }
    if (!in.at_end()) throw std::invalid_argument("unexpected bytes after the values");
    return rows;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("malformed evaluated rows: ") + e.what());
  }
}

}  // namespace gapcast
