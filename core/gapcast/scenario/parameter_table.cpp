#include "gapcast/scenario/parameter_table.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "gapcast/util/number_text.hpp"

namespace gapcast {
namespace {

std::string group_of(const std::string& name) {
  if (name.rfind("chips.", 0) == 0) {
    return "chip " + name.substr(6, name.find('.', 6) - 6);
  }
  if (name.rfind("domestic_lines.", 0) == 0) {
    return "line " + name.substr(15, name.find('.', 15) - 15);
  }
  return "world";
}

/// Four significant digits, no exponent for everyday magnitudes: for the derived medians and
/// intervals of random parameters (fixed values are printed exactly).
std::string short_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", x);
  return buffer;
}

std::string markdown_cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::vector<ParameterRow> parameter_rows(const World& world) {
  std::vector<ParameterRow> rows;
  for (const auto& p : world.parameters) {
    ParameterRow r;
    r.name = p.name;
    r.group = group_of(p.name);
    r.unit = p.unit;
    r.distribution = p.dist.describe();
    r.fixed = p.dist.is_point();
    r.median = p.dist.median();
    r.p5 = p.dist.quantile(0.05);
    r.p95 = p.dist.quantile(0.95);
    r.mean = p.dist.mean();
    r.description = p.description;
    r.source = p.source;
    r.note = p.note;
    r.file = p.file;
    r.pointer = p.pointer;
    r.line = p.line;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string parameter_table_markdown(const World& world) {
  const auto rows = parameter_rows(world);
  std::string out;
  std::string current;
  for (const auto& r : rows) {
    if (r.group != current) {
      current = r.group;
      out += "\n### " + (current == "world" ? std::string("World parameters") : current) + "\n\n";
      out += "| parameter | unit | distribution | median | 90% interval | source |\n";
      out += "|---|---|---|---|---|---|\n";
    }
    const std::string interval =
        r.fixed ? "fixed" : short_number(r.p5) + " – " + short_number(r.p95);
    std::string source = r.source.empty() ? "(none)" : r.source;
    if (!r.note.empty()) source += " — " + r.note;
    out += "| `" + markdown_cell(r.name) + "` | " + markdown_cell(r.unit) + " | " + markdown_cell(r.distribution) + " | " +
           (r.fixed ? format_number(r.median) : short_number(r.median)) + " | " + interval + " | " + markdown_cell(source) + " |\n";
  }
  return out;
}

std::string parameter_table_csv(const World& world) {
  std::string out = "name,group,unit,distribution,fixed,median,p5,p95,mean,source,note,file,pointer\n";
  for (const auto& r : parameter_rows(world)) {
    out += csv_field(r.name) + "," + csv_field(r.group) + "," + csv_field(r.unit) + "," +
           csv_field(r.distribution) + "," + (r.fixed ? "true" : "false") + "," +
           format_number(r.median) + "," + format_number(r.p5) + "," + format_number(r.p95) +
           "," + format_number(r.mean) + "," + csv_field(r.source) + "," + csv_field(r.note) +
           "," + csv_field(r.file) + "," + csv_field(r.pointer) + "\n";
  }
  return out;
}

std::string parameter_table_json(const World& world) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& r : parameter_rows(world)) {
    nlohmann::ordered_json j;
    j["name"] = r.name;
    j["group"] = r.group;
    j["unit"] = r.unit;
    j["distribution"] = r.distribution;
    j["fixed"] = r.fixed;
    j["median"] = r.median;
    j["p5"] = r.p5;
    j["p95"] = r.p95;
    j["mean"] = r.mean;
    j["description"] = r.description;
    j["source"] = r.source;
    j["note"] = r.note;
    j["file"] = r.file;
    j["pointer"] = r.pointer;
    j["line"] = r.line;
    rows.push_back(j);
  }
  return rows.dump(1) + "\n";
}

}  // namespace gapcast
