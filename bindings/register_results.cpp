// Result files and tables through the engine's own writers, so that a run made from Python
// writes byte for byte what the command writes for the same scenarios, seed and samples.
//
// Each function takes the dict that run() returned (gapcast.Results keeps it, and it survives
// pickling), rebuilds the engine's Results from it, and formats with the GIL released.
#include "pybind11.hpp"

#include <filesystem>
#include <optional>

#include "convert.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/output/tables.hpp"

namespace gapcast::python {
namespace {

/// Wraps a formatter `std::string f(const Results&)` as a Python function of the results dict.
template <std::string (*Format)(const Results&)>
std::string formatted(py::handle payload) {
  const Results results = results_from_python(payload);
  const py::gil_scoped_release nogil;
  return Format(results);
}

/// The manifest's "inputs" from their JSON text ("" means not known).
std::optional<RunInputs> parsed_inputs(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    return run_inputs_from_json(text);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

}  // namespace

void register_results(py::module_& m) {
  m.def("results_json", &formatted<&results_json>, py::arg("results"),
        "The text of results.json.");
  m.def("series_csv", &formatted<&series_csv>, py::arg("results"),
        "The text of series.csv.");
  m.def("scalars_csv", &formatted<&scalars_csv>, py::arg("results"),
        "The text of scalars.csv.");
  m.def("samples_csv", &formatted<&samples_csv>, py::arg("results"),
        "The text of samples.csv (empty without raw values).");
  m.def(
      "manifest_json",
      [](py::handle payload, const std::vector<std::string>& command,
         const std::vector<std::pair<std::string, std::string>>& files,
         const std::string& inputs) {
        const Results results = results_from_python(payload);
        const auto given = parsed_inputs(inputs);
        const py::gil_scoped_release nogil;
        return manifest_json(results, command, files, given ? &*given : nullptr);
      },
      py::arg("results"), py::arg("command"), py::arg("files"), py::arg("inputs") = std::string(),
      "The text of manifest.json; `files` "
      "are (name, sha256) pairs of the result files beside it, `inputs` the JSON text of the "
      "manifest's \"inputs\" (how the scenarios were given; \"\" to leave it out).");
  m.def(
      "write_results",
      [](py::handle payload, const std::filesystem::path& out_dir,
         const std::vector<std::string>& command, const std::string& inputs) {
        const Results results = results_from_python(payload);
        const auto given = parsed_inputs(inputs);
        const py::gil_scoped_release nogil;
        return write_results(results, out_dir, command, given ? &*given : nullptr);
      },
      py::arg("results"), py::arg("out_dir"), py::arg("command"),
      py::arg("inputs") = std::string(),
      R"pbdoc(Writes results.json, series.csv, scalars.csv, samples.csv (with raw values) and manifest.json
into `out_dir` all or nothing, exactly as ``gapcast run --out`` does. Returns the file names.
)pbdoc");
  m.def(
      "report_months",
      [](py::handle payload, const std::vector<int>& years) {
        return report_months(results_from_python(payload), years);
      },
      py::arg("results"), py::arg("years") = std::vector<int>{},
      "Indices of the months the summary "
      "tables show: December of each of `years`, or by default two years in, mid-range and "
      "the last month.");
  m.def(
      "summary_table",
      [](py::handle payload, const std::vector<int>& years) {
        const Results results = results_from_python(payload);
        const py::gil_scoped_release nogil;
        return summary_table(results, report_months(results, years));
      },
      py::arg("results"), py::arg("years") = std::vector<int>{},
      "The levels table `gapcast run` prints.");
  m.def(
      "comparison_table",
      [](py::handle payload, const std::vector<int>& years) {
        const Results results = results_from_python(payload);
        const py::gil_scoped_release nogil;
        return comparison_table(results, report_months(results, years));
      },
      py::arg("results"), py::arg("years") = std::vector<int>{},
      "The policy-effects table `gapcast "
      "compare` prints.");
  m.def("format_number", &format_number, py::arg("value"),
        "Shortest text that reads back as the same double "
        "(empty for NaN and infinities), as in the result files.");
  m.def("format_compact", &format_compact, py::arg("value"),
        "Compact engineering notation, as in the tables.");
}

}  // namespace gapcast::python
