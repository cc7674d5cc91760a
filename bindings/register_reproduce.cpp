// gapcast._core.reproduce: rerun a recorded result from its manifest and compare every result
// file byte for byte (the engine's gapcast/output/reproduce.hpp, which the command also uses),
// in the background like run(), so that Ctrl-C works.
#include "pybind11.hpp"

#include "convert.hpp"
#include "gapcast/output/reproduce.hpp"

namespace gapcast::python {
namespace {

const char* status_name(FileCheck::Status s) {
  switch (s) {
    case FileCheck::Status::ok: return "ok";
    case FileCheck::Status::ok_no_copy_on_disk: return "ok_no_copy_on_disk";
    case FileCheck::Status::rerun_differs: return "rerun_differs";
    case FileCheck::Status::changed_on_disk: return "changed_on_disk";
    case FileCheck::Status::not_rerun: return "not_rerun";
    case FileCheck::Status::new_file: return "new_file";
  }
  return "";
}

py::dict report_dict(const ReproduceReport& r) {
  py::dict out;
  out["manifest"] = r.manifest_path.string();
  out["results_dir"] = r.results_dir.string();
  out["inputs_base"] = r.inputs_base.string();
  out["recorded_version"] = r.recorded_version;
  out["recorded_commit"] = r.recorded_commit;
  out["same_engine"] = r.same_engine;
  out["seed"] = r.seed;
  out["samples"] = r.samples;
  out["scenarios"] = r.scenarios;
  out["legacy_inputs"] = r.legacy_inputs;
  py::list warnings;
  for (const auto& w : r.warnings) warnings.append(diagnostic_dict(w));
  out["warnings"] = warnings;
  out["inputs_checked"] = r.inputs_checked;
  py::list changes;
  for (const auto& c : r.input_changes) {
    py::dict d;
    d["path"] = c.path;
    d["role"] = c.role;
    d["what"] = c.what;
    changes.append(d);
  }
  out["input_changes"] = changes;
  out["rerun"] = r.rerun;
  py::list files;
  const std::string dir_name = r.results_dir.filename().string();
  for (const auto& f : r.files) {
    py::dict d;
    d["file"] = f.name;
    d["manifest_sha256"] = f.recorded;
    d["rerun_sha256"] = f.rerun;
    d["on_disk_sha256"] = f.on_disk;
    d["status"] = status_name(f.status);
    d["ok"] = f.ok();
    d["description"] = f.describe(dir_name);
    files.append(d);
  }
  out["files"] = files;
  out["kept"] = r.kept.string();
  out["reproduced"] = r.reproduced();
  return out;
}

}  // namespace

void register_reproduce(py::module_& m) {
  m.def(
      "reproduce",
      [](const std::string& manifest, const std::string& directory, const std::string& keep,
         unsigned threads, bool force, const py::object& progress, double poll_seconds) {
        ReproduceOptions options;
        options.manifest = manifest;
        options.directory = directory;
        options.keep = keep;
        options.threads = threads;
        options.force = force;
        ReproduceReport report;
        run_in_background([&](const RunContext& context) { report = reproduce(options, context); },
                          progress, poll_seconds);
        return report_dict(report);
      },
      py::arg("manifest"), py::kw_only(), py::arg("directory") = std::string(),
      py::arg("keep") = std::string(), py::arg("threads") = 0u, py::arg("force") = false,
      py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1,
      R"pbdoc(Reruns the result recorded by `manifest` (manifest.json or its directory) and compares every
result file with the recorded SHA-256 and with the files beside the manifest. Returns a dict
(see gapcast.reproduce). Raises ValueError for a bad manifest or --keep location,
gapcast.ScenarioError when the inputs no longer load, KeyboardInterrupt on Ctrl-C.
)pbdoc");
}

}  // namespace gapcast::python
