// gapcast._core.run: the Monte Carlo engine, run off the Python thread so that a notebook stays
// responsive and Ctrl-C works.
//
// The engine runs on a helper thread with the GIL released. The calling (Python) thread waits
// on a condition variable and wakes every poll interval (0.1 s: Ctrl-C feels immediate at that
// rate) to take the GIL briefly, run pending signal handlers (PyErr_CheckSignals) and report
// progress to the Python callable. A pending KeyboardInterrupt, or an exception from the
// progress callable, sets the engine's cancel flag; the engine's workers poll it between
// samples, so the helper thread ends within one sample's work and the Python exception
// propagates with the interpreter in a normal state. Waking on a timer rather than waiting for
// the engine's per-wave progress call keeps Ctrl-C prompt whatever the wave length (a slow
// scenario on one thread can take seconds per wave). Only the Python thread touches Python
// objects; the engine's progress hook merely stores two counters.
#include "pybind11.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "convert.hpp"
#include <cmath>

#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/output/ensemble_file.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/output/sensitivity_files.hpp"
#include "gapcast/run/sensitivity.hpp"
#include "gapcast/run/shard.hpp"
#include "gapcast/output/shard_file.hpp"

namespace gapcast::python {
namespace {

/// State shared between the Python thread and the helper thread that runs the engine.
struct RunState {
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0}, total{0};
  std::exception_ptr error;
};

/// Joins the helper thread on every way out of the waiting loop; on an early exit (a Python
/// exception) it first asks the engine to stop, so the join takes at most one sample's time.
class HelperThread {
 public:
  HelperThread(RunState& state, std::thread thread) : state_(state), thread_(std::move(thread)) {}
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;
  ~HelperThread() {
    state_.cancel.store(true);
    if (thread_.joinable()) thread_.join();
  }

 private:
  RunState& state_;
  std::thread thread_;
};

/// Raises the Python exception that matches a rejected option: TypeError for a value of the
/// wrong kind (a string where a number belongs, a float where a whole number belongs is a
/// ValueError), ValueError for one out of range. The words are the engine's.
[[noreturn]] void raise_option_error(const RunOptionError& e) {
  const std::string message = e.option() + ": " + e.problem();
  if (e.kind() == RunOptionError::Kind::type) throw py::type_error(message);
  throw py::value_error(message);
}

/// The run options from Python keyword arguments, through the engine's one reader and
/// validator (the same the manifest and the command line use).
RunOptions options_from_python(const py::dict& given) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : given) {
    const auto name = py::str(key).cast<std::string>();
    if (PyFloat_Check(value.ptr()) && !std::isfinite(PyFloat_AS_DOUBLE(value.ptr()))) {
      throw py::value_error(name + ": must be a finite number, got " +
                            py::repr(value).cast<std::string>());
    }
    try {
      object[name] = to_json(value, name);
    } catch (const InputError&) {
      throw py::type_error(name + ": " + py::repr(value).cast<std::string>() +
                           " is not an option value (numbers, strings, booleans or lists)");
    }
  }
  try {
    return run_options_from_json(object);
  } catch (const RunOptionError& e) {
    raise_option_error(e);
  }
}

}  // namespace

void run_in_background(const std::function<void(const RunContext&)>& work,
                       const py::object& progress, double poll_seconds) {
  if (!(poll_seconds > 0.0)) throw py::value_error("poll_seconds must be positive");
  RunState state;
  RunContext context;
  context.cancel = &state.cancel;
  context.progress = [&state](std::uint64_t done, std::uint64_t total) {
    state.total.store(total);
    state.done.store(done);
  };
  const auto poll = std::chrono::duration<double>(poll_seconds);
  std::uint64_t reported = 0;
  {
    py::gil_scoped_release nogil;
    HelperThread helper(state, std::thread([&state, &work, &context] {
      try {
        work(context);
      } catch (...) {
        state.error = std::current_exception();
      }
      {
        const std::lock_guard lock(state.mutex);
        state.finished = true;
      }
      state.finished_cv.notify_all();
    }));
    for (;;) {
      {
        std::unique_lock lock(state.mutex);
        if (state.finished_cv.wait_for(lock, poll, [&state] { return state.finished; })) break;
      }
      const py::gil_scoped_acquire gil;
      // A KeyboardInterrupt (or any exception a signal handler raises) leaves this function;
      // HelperThread's destructor stops and joins the engine on the way out.
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      const std::uint64_t done = state.done.load();
      if (!progress.is_none() && done != reported) {
        reported = done;
        progress(done, state.total.load());
      }
    }
  }
  if (state.error) {
    try {
      std::rethrow_exception(state.error);
    } catch (const RunOptionError& e) {
      raise_option_error(e);
    }
  }
  // Signals that arrived during the last poll interval still count: the user pressed Ctrl-C
  // while this run was going, so it is interrupted rather than silently completed.
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  if (!progress.is_none() && state.done.load() != reported) {
    progress(state.done.load(), state.total.load());
  }
}

namespace {

/// An ensemble streamed to `path` (docs/ensembles.md): written beside it as "<path>.partial"
/// and renamed into place only when the run succeeds, so a failed or interrupted run leaves no
/// half-written file under the requested name.
class EnsembleOutput {
 public:
  EnsembleOutput(const std::filesystem::path& path, const RunOptions& options,
                 const std::vector<Scenario>& scenarios)
      : path_(path), partial_(path.string() + ".partial") {
    std::vector<std::string> names;
    for (const auto& s : scenarios) names.push_back(s.name);
    file_.emplace(partial_, ensemble_metadata(options, names));
  }
  EnsembleOutput(const EnsembleOutput&) = delete;
  EnsembleOutput& operator=(const EnsembleOutput&) = delete;
  ~EnsembleOutput() {
    std::error_code ignored;
    if (!done_) std::filesystem::remove(partial_, ignored);
  }
  EnsembleSink* sink() { return &*file_; }
  void commit() {
    file_->finish();
    std::filesystem::rename(partial_, path_);
    done_ = true;
  }

 private:
  std::filesystem::path path_, partial_;
  std::optional<ParquetEnsembleFile> file_;
  bool done_ = false;
};

/// The options of a run (or a shard) with scenarios to run and, for an ensemble, its file.
RunOptions run_options_for(const std::vector<Scenario>& scenarios, const py::dict& options_given,
                           const std::string& ensemble_path) {
  if (scenarios.empty()) throw py::value_error("no scenarios to run");
  RunOptions options = options_from_python(options_given);
  if (options.ensemble && ensemble_path.empty()) {
    throw py::value_error("ensemble: give the path of the Parquet file to write (ensemble=PATH)");
  }
  return options;
}

py::dict run_scenarios(const std::vector<Scenario>& scenarios, const py::dict& options_given,
                       const Scenario* baseline, const py::object& progress, double poll_seconds,
                       const std::vector<std::string>& command, const std::string& inputs,
                       const std::string& ensemble_path) {
  const RunOptions options = run_options_for(scenarios, options_given, ensemble_path);
  const std::shared_ptr<const Policy> baseline_policy =
      baseline != nullptr ? baseline->policy : nullptr;
  std::optional<EnsembleOutput> ensemble;
  if (options.ensemble) ensemble.emplace(ensemble_path, options, scenarios);
  Results results;
  run_in_background(
      [&](const RunContext& context) {
        RunContext with_ensemble = context;
        if (ensemble) with_ensemble.ensemble = ensemble->sink();
        results = run(scenarios, options, baseline_policy, with_ensemble);
      },
      progress, poll_seconds);
  if (ensemble) ensemble->commit();
  // `inputs` (JSON text, "" if unknown) says how the scenarios were given, so that the
  // manifest can be rerun by `gapcast reproduce`; parsing it first rejects a malformed one.
  std::optional<RunInputs> given;
  if (!inputs.empty()) {
    try {
      given = run_inputs_from_json(inputs);
    } catch (const std::invalid_argument& e) {
      throw py::value_error(e.what());
    }
  }
  const auto manifest = nlohmann::json::parse(
      manifest_json(results, command, {}, given ? &*given : nullptr));
  py::dict payload = results_to_python(std::move(results));
  payload["manifest"] = from_json(manifest);
  return payload;
}

/// One shard of a run (run/shard.hpp) off the Python thread, as run_scenarios: samples
/// [start, stop) of the run `options` describe. Returns the shard in the shard format
/// (output/shard_file.hpp), which records `command` and `inputs` for the merged manifest.
py::bytes run_shard_bytes(const std::vector<Scenario>& scenarios, const py::dict& options_given,
                          std::uint64_t start, std::uint64_t stop, const Scenario* baseline,
                          const py::object& progress, double poll_seconds,
                          const std::vector<std::string>& command, const std::string& inputs,
                          const std::string& ensemble_path) {
  const RunOptions options = run_options_for(scenarios, options_given, ensemble_path);
  if (!inputs.empty()) {
    try {
      (void)run_inputs_from_json(inputs);
    } catch (const std::invalid_argument& e) {
      throw py::value_error(e.what());
    }
  }
  const std::shared_ptr<const Policy> baseline_policy =
      baseline != nullptr ? baseline->policy : nullptr;
  std::optional<EnsembleOutput> ensemble;
  if (options.ensemble) ensemble.emplace(ensemble_path, options, scenarios);
  std::optional<RunShard> shard;
  run_in_background(
      [&](const RunContext& context) {
        RunContext with_ensemble = context;
        if (ensemble) with_ensemble.ensemble = ensemble->sink();
        shard.emplace(run_shard(scenarios, options, baseline_policy, SampleRange{start, stop},
                                with_ensemble));
      },
      progress, poll_seconds);
  if (ensemble) ensemble->commit();
  std::string bytes;
  {
    py::gil_scoped_release release;
    bytes = encode_shard(ShardPayload{std::move(*shard), command, inputs});
  }
  return py::bytes(bytes);
}

/// ShardMerger for Python: shards as bytes, added as they arrive (decoded and folded in with the
/// GIL released), and the merged results as run_scenarios' payload, whose manifest records the
/// whole run's command and inputs (the description's, else the first shard's).
class PyShardMerger {
 public:
  explicit PyShardMerger(const std::optional<py::bytes>& description) {
    if (!description) return;
    try {
      ShardPayload payload = decode_shard(std::string_view(*description));
      command_ = payload.command;
      inputs_ = payload.inputs_json;
      have_command_ = true;
      merger_.emplace(std::move(payload.shard));
    } catch (const ShardFormatError& e) {
      throw py::value_error(std::string("description: ") + e.what());
    }
  }
  void add(const py::bytes& encoded) {
    const std::string_view bytes(encoded);
    std::optional<ShardPayload> payload;
    try {
      py::gil_scoped_release release;
      payload = decode_shard(bytes);
    } catch (const ShardFormatError& e) {
      throw py::value_error("shard " + std::to_string(merger().taken()) + ": " + e.what());
    }
    if (!have_command_) {
      command_ = payload->command;
      inputs_ = payload->inputs_json;
      have_command_ = true;
    }
    try {
      py::gil_scoped_release release;
      merger().add(std::move(payload->shard));
    } catch (const ShardMergeError& e) {
      throw py::value_error(std::string("cannot merge: ") + e.what());
    }
  }
  [[nodiscard]] std::size_t pending() { return merger().pending(); }
  py::dict finish() {
    Results results;
    try {
      py::gil_scoped_release release;
      results = merger().finish();
    } catch (const ShardMergeError& e) {
      throw py::value_error(std::string("cannot merge: ") + e.what());
    }
    std::optional<RunInputs> given;
    if (!inputs_.empty()) given = run_inputs_from_json(inputs_);
    const auto manifest =
        nlohmann::json::parse(manifest_json(results, command_, {}, given ? &*given : nullptr));
    py::dict payload = results_to_python(std::move(results));
    payload["manifest"] = from_json(manifest);
    return payload;
  }

 private:
  ShardMerger& merger() {
    if (!merger_) merger_.emplace();
    return *merger_;
  }
  std::optional<ShardMerger> merger_;
  std::vector<std::string> command_;
  std::string inputs_;
  bool have_command_ = false;
};

/// What run_sensitivity and analyse_sensitivity_rows return to Python: the files' contents by
/// name (what `gapcast sensitivity --out` writes, byte for byte) and, with keep_values, the
/// evaluated inputs and outputs as arrays.
py::dict sensitivity_payload(const SensitivityResults& results,
                             const std::vector<std::string>& command, const std::string& inputs,
                             bool keep_values) {
  std::optional<RunInputs> given;
  if (!inputs.empty()) given = run_inputs_from_json(inputs);
  py::dict files;
  for (auto& [name, text] :
       sensitivity_file_contents(results, command, given ? &*given : nullptr)) {
    files[py::str(name)] = py::bytes(text);
  }
  py::dict out;
  out["files"] = files;
  if (keep_values) {
    const auto d = static_cast<py::ssize_t>(results.parameters.size());
    py::list x, y;
    for (std::size_t s = 0; s < results.scenarios.size(); ++s) {
      const auto& in = results.inputs[s];
      py::array_t<double> xs({static_cast<py::ssize_t>(in.size()) / std::max<py::ssize_t>(d, 1), d});
      std::copy(in.begin(), in.end(), xs.mutable_data());
      x.append(xs);
      py::dict per_output;
      for (std::size_t o = 0; o < results.outputs.size(); ++o) {
        const auto& v = results.values[s][o];
        py::array_t<double> ys(static_cast<py::ssize_t>(v.size()));
        std::copy(v.begin(), v.end(), ys.mutable_data());
        per_output[py::str(results.outputs[o])] = ys;
      }
      y.append(per_output);
    }
    out["inputs"] = x;
    out["values"] = y;
  }
  return out;
}

/// The run and analysis options of a sensitivity call, through the engine's readers.
std::pair<RunOptions, SensitivityOptions> sensitivity_options(const py::dict& options_given,
                                                              const py::dict& sensitivity) {
  py::dict with_ensemble = options_given;
  with_ensemble["ensemble"] = true;
  const RunOptions options = options_from_python(with_ensemble);
  try {
    return {options, sensitivity_options_from_json(to_json(sensitivity, "sensitivity"))};
  } catch (const RunOptionError& e) {
    raise_option_error(e);
  } catch (const InputError& e) {
    throw py::type_error(std::string("sensitivity options: ") + e.what());
  }
}

/// A sensitivity analysis (run/sensitivity.hpp) off the Python thread, as run_scenarios.
py::dict run_sensitivity_analysis(const std::vector<Scenario>& scenarios,
                                  const py::dict& options_given, const py::dict& sensitivity,
                                  const Scenario* baseline, const py::object& progress,
                                  double poll_seconds, const std::vector<std::string>& command,
                                  const std::string& inputs, bool keep_values) {
  if (scenarios.empty()) throw py::value_error("no scenarios to analyse");
  const auto [options, analysis] = sensitivity_options(options_given, sensitivity);
  const std::shared_ptr<const Policy> baseline_policy =
      baseline != nullptr ? baseline->policy : nullptr;
  SensitivityResults results;
  run_in_background(
      [&](const RunContext& context) {
        results = run_sensitivity(scenarios, options, analysis, baseline_policy, context,
                                  keep_values);
      },
      progress, poll_seconds);
  return sensitivity_payload(results, command, inputs, keep_values);
}

/// Design rows [start, stop) of an analysis, evaluated off the Python thread: the bytes a
/// cluster task returns (encode_sensitivity_rows).
py::bytes sensitivity_rows_bytes(const std::vector<Scenario>& scenarios,
                                 const py::dict& options_given, const py::dict& sensitivity,
                                 std::uint64_t start, std::uint64_t stop,
                                 const Scenario* baseline, const py::object& progress,
                                 double poll_seconds) {
  if (scenarios.empty()) throw py::value_error("no scenarios to analyse");
  const auto [options, analysis] = sensitivity_options(options_given, sensitivity);
  std::optional<SensitivityRows> rows;
  run_in_background(
      [&](const RunContext& context) {
        rows.emplace(evaluate_sensitivity_rows(
            scenarios, options, analysis, baseline != nullptr ? baseline->policy : nullptr,
            SampleRange{start, stop}, context));
      },
      progress, poll_seconds);
  std::string bytes;
  {
    py::gil_scoped_release release;
    bytes = encode_sensitivity_rows(*rows);
  }
  return py::bytes(bytes);
}

/// The analysis from rows evaluated elsewhere (any order): run_sensitivity's payload.
py::dict analyse_rows(const std::vector<Scenario>& scenarios, const py::dict& options_given,
                      const py::dict& sensitivity, const std::vector<py::bytes>& encoded,
                      const Scenario* baseline, const std::vector<std::string>& command,
                      const std::string& inputs, bool keep_values) {
  if (scenarios.empty()) throw py::value_error("no scenarios to analyse");
  const auto [options, analysis] = sensitivity_options(options_given, sensitivity);
  std::vector<SensitivityRows> pieces;
  for (std::size_t k = 0; k < encoded.size(); ++k) {
    try {
      const std::string_view bytes(encoded[k]);
      py::gil_scoped_release release;
      pieces.push_back(decode_sensitivity_rows(bytes));
    } catch (const std::invalid_argument& e) {
      throw py::value_error("rows " + std::to_string(k) + ": " + e.what());
    }
  }
  SensitivityResults results;
  try {
    py::gil_scoped_release release;
    results = analyse_sensitivity_rows(scenarios, options, analysis,
                                       baseline != nullptr ? baseline->policy : nullptr,
                                       std::move(pieces), keep_values);
  } catch (const RunOptionError& e) {
    raise_option_error(e);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
  return sensitivity_payload(results, command, inputs, keep_values);
}

}  // namespace

// Long because: one m.def per function of the run area, each with its docstring.
void register_run(py::module_& m) {
  m.def(
      "default_run_options", [] { return from_json(nlohmann::json(to_json(RunOptions{}))); },
      "The engine's default run options (gapcast::RunOptions in its JSON form): the values "
      "run() uses for options it is not given.");
  m.def(
      "run_option_limits",
      [] {
        using L = RunOptionLimits;
        py::dict out;
        out["max_samples"] = L::max_samples;
        out["max_threads"] = L::max_threads;
        out["min_quantile_accuracy"] = L::min_quantile_accuracy;
        out["max_quantile_accuracy"] = L::max_quantile_accuracy;
        return out;
      },
      "The main limits the options validator enforces.");
  m.def(
      "validate_run_options",
      [](const py::dict& options) {
        return from_json(nlohmann::json(to_json(options_from_python(options))));
      },
      py::arg("options"),
      "Checks run options exactly as run() does and returns them complete (defaults filled "
      "in). Raises TypeError or ValueError with the engine's message.");
  m.def("run", &run_scenarios, py::arg("scenarios"), py::arg("options"), py::kw_only(),
        py::arg("baseline") = nullptr, py::arg("progress") = py::none(),
        py::arg("poll_seconds") = 0.1, py::arg("command") = std::vector<std::string>{},
        py::arg("inputs") = std::string(), py::arg("ensemble_path") = std::string(),
        R"pbdoc(Runs the Monte Carlo over `scenarios` (common random numbers: every scenario sees the same
sampled worlds) with the GIL released. `options` is a dict of run options by their JSON names
(see default_run_options()); each is checked by the engine's validator, which raises
TypeError or ValueError. `progress(done, total)` is called on this thread while the run
goes. Ctrl-C stops the run within about `poll_seconds` and raises KeyboardInterrupt. Returns
the results as a dict of NumPy arrays owning the engine's buffers plus metadata, with the run
manifest (recording `command`, and `inputs`: JSON saying how the scenarios were given) under
"manifest". With options["ensemble"], every sample's values stream to the Parquet file
`ensemble_path` (written as "<path>.partial" and renamed when the run succeeds).
)pbdoc");
  m.def("run_shard", &run_shard_bytes, py::arg("scenarios"), py::arg("options"), py::kw_only(),
        py::arg("start"), py::arg("stop"), py::arg("baseline") = nullptr,
        py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1,
        py::arg("command") = std::vector<std::string>{}, py::arg("inputs") = std::string(),
        py::arg("ensemble_path") = std::string(),
        "Runs samples [start, stop) of the run `options` describe, as run() does, and returns "
        "the shard as bytes (the shard format, output/shard_file.hpp): summaries only, whose "
        "size does not grow with the sample count. ShardMerger joins the shards of a run "
        "into results bit-identical to run()'s. ValueError for a range or run that cannot be "
        "sharded (conditioned, raw output, central).");
  py::class_<PyShardMerger>(m, "ShardMerger",
                            "Merges shard bytes of one run as they arrive, in any order, "
                            "folding each in as soon as the samples before it are in (memory "
                            "stays near one shard's summaries).")
      .def(py::init<const std::optional<py::bytes>&>(),
           py::arg("description") = std::optional<py::bytes>())
      .def("add", &PyShardMerger::add, py::arg("shard"),
           "Takes one shard's bytes; ValueError for a malformed shard, one of another run or "
           "an overlapping one.")
      .def_property_readonly("pending", &PyShardMerger::pending,
                             "Shards taken but waiting for earlier samples.")
      .def("finish", &PyShardMerger::finish,
           "The merged results payload; ValueError when samples are missing.");
  m.def(
      "describe_run",
      [](const std::vector<Scenario>& scenarios, const py::dict& options_given,
         const Scenario* baseline, const std::vector<std::string>& command,
         const std::string& inputs) {
        const RunOptions options = options_from_python(options_given);
        RunShard shard = [&] {
          try {
            return run_description(scenarios, options,
                                   baseline != nullptr ? baseline->policy : nullptr);
          } catch (const RunOptionError& e) {
            raise_option_error(e);
          }
        }();
        return py::bytes(encode_shard(ShardPayload{std::move(shard), command, inputs}));
      },
      py::arg("scenarios"), py::arg("options"), py::kw_only(), py::arg("baseline") = nullptr,
      py::arg("command") = std::vector<std::string>{}, py::arg("inputs") = std::string(),
      "The run's description as an empty shard (samples 0:0): scenarios and assumptions as "
      "these scenario objects give them, the options, command and inputs. ShardMerger "
      "takes it as `description`.");
  m.def(
      "sensitivity_evaluations",
      [](const std::vector<Scenario>& scenarios, const py::dict& options,
         const py::dict& sensitivity) {
        const auto [run_options, analysis] = sensitivity_options(options, sensitivity);
        try {
          return sensitivity_evaluations(scenarios, run_options, analysis);
        } catch (const RunOptionError& e) {
          raise_option_error(e);
        }
      },
      py::arg("scenarios"), py::arg("options"), py::arg("sensitivity"),
      "The model evaluations (design rows) the analysis needs.");
  m.def("sensitivity_rows", &sensitivity_rows_bytes, py::arg("scenarios"), py::arg("options"),
        py::arg("sensitivity"), py::kw_only(), py::arg("start"), py::arg("stop"),
        py::arg("baseline") = nullptr, py::arg("progress") = py::none(),
        py::arg("poll_seconds") = 0.1,
        "Evaluates design rows [start, stop) of the analysis and returns them as bytes "
        "(every row's outputs: what analyse_sensitivity_rows joins).");
  m.def("analyse_sensitivity_rows", &analyse_rows, py::arg("scenarios"), py::arg("options"),
        py::arg("sensitivity"), py::arg("rows"), py::kw_only(), py::arg("baseline") = nullptr,
        py::arg("command") = std::vector<std::string>{}, py::arg("inputs") = std::string(),
        py::arg("keep_values") = false,
        "The analysis from evaluated rows (sensitivity_rows' bytes, any order): the same "
        "payload as run_sensitivity. ValueError for rows that overlap, leave rows out or "
        "belong to another analysis.");
  m.def("run_sensitivity", &run_sensitivity_analysis, py::arg("scenarios"), py::arg("options"),
        py::arg("sensitivity"), py::kw_only(), py::arg("baseline") = nullptr,
        py::arg("progress") = py::none(), py::arg("poll_seconds") = 0.1,
        py::arg("command") = std::vector<std::string>{}, py::arg("inputs") = std::string(),
        py::arg("keep_values") = false,
        "Global sensitivity analysis of `scenarios` (run/sensitivity.hpp) with the GIL "
        "released. `options` are run options (seed, horizon, ensemble_metrics, "
        "ensemble_dates, ...), `sensitivity` the analysis's (method, samples, second_order, "
        "parameters, groups, levels, slices, resamples, confidence). Returns {'files': {name: "
        "bytes}} (sensitivity.json, sensitivity.csv, assumptions.json, manifest.json) and, "
        "with keep_values, 'inputs' and 'values' per scenario.");
}

}  // namespace gapcast::python
