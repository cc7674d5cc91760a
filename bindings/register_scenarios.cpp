// Scenarios: loading (files or in-memory dicts, through the one C++ loader the command uses)
// and read-only inspection of what a loaded scenario assumes: parameters with their
// distributions and sources, lever schedules, chip classes, correlations, source files.
//
// Python never edits a loaded Scenario. gapcast.Scenario edits the JSON form and loads it again
// with load_scenario_json, so every change passes the same validation as a file would.
#include "pybind11.hpp"

#include <cmath>
#include <filesystem>

#include "convert.hpp"
#include "gapcast/scenario/catalogue.hpp"
#include "gapcast/scenario/loader.hpp"

namespace gapcast::python {
namespace {

const char* kind_name(LeverKind kind) {
  switch (kind) {
    case LeverKind::fraction: return "fraction";
    case LeverKind::nonnegative: return "nonnegative";
    case LeverKind::optional_cap: return "optional_cap";
    case LeverKind::export_status: return "export_status";
  }
  return "unknown";
}

/// Absolute month index (year * 12 + month - 1, the policy clock) as "YYYY-MM".
std::string month_text(double absolute_month) {
  const auto t = static_cast<int>(std::floor(absolute_month));
  const int year = t >= 0 ? t / 12 : (t - 11) / 12;
  return format_year_month({year, t - year * 12 + 1});
}

py::dict parameter_info_dict(const ParameterInfo& info) {
  py::dict d;
  d["name"] = std::string(info.name);
  d["unit"] = std::string(info.unit);
  d["unit_kind"] = info.unit_kind == UnitKind::fixed ? "fixed"
                   : info.unit_kind == UnitKind::duration_months ? "months"
                                                                 : "years";
  d["valid_min"] = info.min;
  d["valid_max"] = info.max;
  d["description"] = std::string(info.description);
  return d;
}

py::dict lever_info_dict(const LeverInfo& info) {
  py::dict d;
  d["name"] = std::string(info.name);
  d["kind"] = kind_name(info.kind);
  d["no_controls_value"] = info.no_controls_value;
  d["unit"] = std::string(info.unit);
  d["description"] = std::string(info.description);
  return d;
}

/// One lever of a scenario's policy, for a chip class or (chip empty) for the whole target.
struct LeverRef {
  std::string chip;
  const LeverInfo* info;
  const Schedule* schedule;
};

std::vector<LeverRef> scenario_levers(const Scenario& s) {
  std::vector<LeverRef> levers;
  for (const auto& chip : s.world->chips) {
    if (chip.origin != ChipOrigin::foreign) continue;
    const auto& schedules = s.policy->chip(chip.name);
    for (std::size_t l = 0; l < chip_lever_count; ++l) {
      levers.push_back({chip.name, &chip_levers()[l], &schedules[l]});
    }
  }
  for (std::size_t l = 0; l < global_lever_count; ++l) {
    levers.push_back({"", &global_levers()[l], &s.policy->global_levers[l]});
  }
  return levers;
}

py::list parameters_of(const Scenario& s) {
  py::list out;
  for (const auto& p : s.world->parameters) {
    py::dict d;
    d["name"] = p.name;
    d["distribution"] = py::cast(p.dist);
    d["kind"] = p.dist.kind();
    d["describe"] = p.dist.describe();
    d["median"] = p.dist.median();
    d["p5"] = p.dist.quantile(0.05);
    d["p95"] = p.dist.quantile(0.95);
    d["unit"] = p.unit;
    d["source"] = p.source;
    d["note"] = p.note;
    d["description"] = p.description;
    d["valid_min"] = p.valid_min;
    d["valid_max"] = p.valid_max;
    d["file"] = p.file;
    d["pointer"] = p.pointer;
    d["line"] = p.line;
    d["spec"] = from_json(p.spec);
    out.append(d);
  }
  return out;
}

py::list levers_of(const Scenario& s) {
  py::list out;
  for (const auto& lever : scenario_levers(s)) {
    py::dict d;
    const std::string name(lever.info->name);
    d["name"] = lever.chip.empty() ? name : "chips." + lever.chip + "." + name;
    d["lever"] = name;
    d["chip"] = lever.chip.empty() ? py::object(py::none()) : py::object(py::str(lever.chip));
    d["kind"] = kind_name(lever.info->kind);
    d["unit"] = std::string(lever.info->unit);
    d["description"] = std::string(lever.info->description);
    d["no_controls_value"] = lever.info->no_controls_value;
    d["initial"] = lever.schedule->initial();
    d["constant"] = lever.schedule->is_constant();
    py::list changes;
    for (double t : lever.schedule->breakpoints()) {
      changes.append(py::make_tuple(month_text(t), lever.schedule->value(t)));
    }
    d["changes"] = changes;
    d["min"] = lever.schedule->min_value();
    d["max"] = lever.schedule->max_value();
    out.append(d);
  }
  return out;
}

py::array_t<double> lever_values_of(const Scenario& s, const std::vector<std::string>& dates) {
  std::vector<double> times;
  for (const auto& text : dates) {
    std::string why;
    const auto ym = parse_year_month(text, &why);
    if (!ym) throw py::value_error("\"" + text + "\" is not a month written YYYY-MM: " + why);
    times.push_back(month_index(*ym));
  }
  const auto levers = scenario_levers(s);
  py::array_t<double> out({static_cast<py::ssize_t>(levers.size()),
                           static_cast<py::ssize_t>(times.size())});
  auto view = out.mutable_unchecked<2>();
  for (std::size_t l = 0; l < levers.size(); ++l) {
    for (std::size_t k = 0; k < times.size(); ++k) {
      view(static_cast<py::ssize_t>(l), static_cast<py::ssize_t>(k)) =
          levers[l].schedule->value(times[k]);
    }
  }
  return out;
}

py::object optional_month(const World& w, const std::optional<int>& months) {
  if (!months) return py::none();
  return py::str(format_year_month(add_months(w.start, *months)));
}

py::dict world_of(const Scenario& s) {
  const World& w = *s.world;
  py::dict d;
  d["name"] = w.name;
  d["title"] = w.title;
  d["description"] = w.description;
  d["start"] = format_year_month(w.start);
  d["fingerprint"] = w.fingerprint;
  py::list chips;
  for (const auto& c : w.chips) {
    py::dict cd;
    cd["name"] = c.name;
    cd["label"] = c.label;
    cd["origin"] = c.origin == ChipOrigin::foreign ? "foreign" : "domestic";
    cd["volume_from"] = optional_month(w, c.volume_from);
    cd["volume_until"] = optional_month(w, c.volume_until);
    cd["line"] = c.line;
    cd["roadmap_from"] = optional_month(w, c.roadmap_from);
    chips.append(cd);
  }
  d["chips"] = chips;
  py::list lines;
  for (const auto& l : w.lines) {
    py::dict ld;
    ld["name"] = l.name;
    ld["label"] = l.label;
    lines.append(ld);
  }
  d["lines"] = lines;
  return d;
}

py::object correlation_of(const Scenario& s) {
  const auto& group = s.world->correlation;
  if (!group) return py::none();
  py::dict d;
  py::list names;
  for (int p : group->params) names.append(s.world->parameters[static_cast<std::size_t>(p)].name);
  d["parameters"] = names;
  auto matrix = [](const Eigen::MatrixXd& m) {
    py::array_t<double> a({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
    auto v = a.mutable_unchecked<2>();
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      for (Eigen::Index j = 0; j < m.cols(); ++j) v(i, j) = m(i, j);
    }
    return a;
  };
  d["requested"] = matrix(group->requested);
  d["achieved"] = group->copula ? py::object(matrix(group->copula->achieved_rank()))
                                : py::object(py::none());
  d["repaired"] = group->copula && group->copula->repaired();
  return d;
}

py::tuple loaded(LoadResult&& result) {
  py::list warnings;
  for (const auto& w : result.warnings) warnings.append(diagnostic_dict(w));
  return py::make_tuple(py::cast(std::move(result.scenarios)), warnings);
}

}  // namespace

// Long because: it is the list of the Scenario, World, Policy and ParameterSpec bindings with
// their docstrings; each statement is one attribute, and splitting it would scatter one class.
void register_scenarios(py::module_& m) {
  py::class_<Scenario> s(m, "Scenario", R"pbdoc(
A loaded, validated scenario: a world (uncertain assumptions) and a policy (lever schedules).

Read-only. gapcast.Scenario wraps it with editing, tables and notebook display.
)pbdoc");
  s.def_property_readonly("name", [](const Scenario& x) { return x.name; })
      .def_property_readonly("title", [](const Scenario& x) { return x.title; })
      .def_property_readonly("description", [](const Scenario& x) { return x.description; })
      .def_property_readonly("fingerprint", [](const Scenario& x) { return x.fingerprint; },
                             "SHA-256 over the resolved world and policy.")
      .def_property_readonly("start",
                             [](const Scenario& x) { return format_year_month(x.world->start); })
      .def_property_readonly(
          "policy",
          [](const Scenario& x) {
            py::dict d;
            d["name"] = x.policy->name;
            d["title"] = x.policy->title;
            d["description"] = x.policy->description;
            d["fingerprint"] = x.policy->fingerprint;
            return d;
          },
          "The policy's name, title, description and fingerprint.")
      .def_property_readonly("world", &world_of,
                             "The world's name, title, start, fingerprint, chips and lines.")
      .def_property_readonly(
          "files",
          [](const Scenario& x) {
            py::list out;
            for (const auto& f : x.files) out.append(from_json(nlohmann::json(to_json(f))));
            return out;
          },
          "The files the scenario was read from, with SHA-256 of their bytes.")
      .def("parameters", &parameters_of,
           "Every world parameter with its distribution, unit, "
           "source, note and location.")
      .def("levers", &levers_of,
           "Every lever (per foreign chip class, then global) with "
           "its schedule's change dates and values.")
      .def("lever_values", &lever_values_of, py::arg("dates"),
           "Each lever's value (rows, in levers() "
           "order) on the first day of each month \"YYYY-MM\" (columns).")
      .def("correlation", &correlation_of,
           "The rank-correlated parameters with the requested "
           "and achieved Spearman matrices.")
      .def("__repr__", [](const Scenario& x) {
        return "<gapcast._core.Scenario \"" + x.name + "\": world \"" + x.world->name +
               "\", policy \"" + x.policy->name + "\">";
      });

  m.def(
      "load_scenarios",
      [](const std::vector<std::filesystem::path>& files, bool strict) {
        std::vector<std::string> names;
        for (const auto& f : files) names.push_back(f.string());
        LoadOptions options;
        options.strict = strict;
        LoadResult result;
        {
          py::gil_scoped_release nogil;
          result = load_scenarios(names, options);
        }
        return loaded(std::move(result));
      },
      py::arg("files"), py::arg("strict") = false,
      R"pbdoc(Loads scenario files exactly as ``gapcast run`` does (names must be unique). Returns the
scenarios and the warnings; raises gapcast.ScenarioError listing every problem in every file.
)pbdoc");

  m.def(
      "load_scenario_json",
      [](py::handle value, const std::string& label, const std::filesystem::path& base_dir,
         bool strict) {
        nlohmann::json json = to_json(value, label);
        LoadOptions options;
        options.strict = strict;
        LoadResult result;
        {
          py::gil_scoped_release nogil;
          result = load_scenario_json(json, label, base_dir, options);
        }
        return loaded(std::move(result));
      },
      py::arg("value"), py::arg("label"), py::arg("base_dir"), py::arg("strict") = false,
      R"pbdoc(Builds a scenario from a dict in the scenario-file format. Relative world/policy paths
resolve against ``base_dir``; ``label`` names the dict in messages. Raises
gapcast.ScenarioError whose diagnostics carry the JSON pointer of each problem.
)pbdoc");

  m.def(
      "catalogue",
      [] {
        py::dict d;
        py::list world, chip, line, chip_lever, global_lever;
        for (const auto& p : world_parameters()) world.append(parameter_info_dict(p));
        for (std::size_t f = 0; f < chip_field_count; ++f) {
          auto entry = parameter_info_dict(chip_fields()[f]);
          entry["path"] = std::string(chip_field_path(static_cast<ChipField>(f)));
          chip.append(entry);
        }
        for (const auto& p : line_fields()) line.append(parameter_info_dict(p));
        for (const auto& l : chip_levers()) chip_lever.append(lever_info_dict(l));
        for (const auto& l : global_levers()) global_lever.append(lever_info_dict(l));
        d["world_parameters"] = world;
        d["chip_fields"] = chip;
        d["line_fields"] = line;
        d["chip_levers"] = chip_lever;
        d["global_levers"] = global_lever;
        return d;
      },
      R"pbdoc(The model's vocabulary: world parameters, chip-class and production-line fields, chip and
global levers, each with unit, valid range or kind, and meaning.
)pbdoc");
}

}  // namespace gapcast::python
