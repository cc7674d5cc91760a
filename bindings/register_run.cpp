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
#include <mutex>
#include <optional>
#include <thread>

#include "convert.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/output/result_files.hpp"

namespace gapcast::python {
namespace {

/// State shared between the Python thread and the helper thread that runs the engine.
struct RunState {
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0}, total{0};
  Results results;
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

std::size_t month_offset(YearMonth start, const std::string& text) {
  std::string why;
  const auto ym = parse_year_month(text, &why);
  if (!ym) throw py::value_error("\"" + text + "\" is not a month written YYYY-MM: " + why);
  const int offset = months_between(start, *ym);
  if (offset < 0) {
    throw py::value_error("raw output month " + text + " is before the start month " +
                          format_year_month(start));
  }
  return static_cast<std::size_t>(offset);
}

py::dict run_scenarios(const std::vector<Scenario>& scenarios, std::uint64_t samples,
                       std::uint64_t seed, unsigned threads, const std::string& horizon,
                       bool central, double threshold_multiple, double rtol, double atol,
                       double max_step_months, std::size_t max_steps,
                       const std::vector<double>& quantiles, double quantile_accuracy,
                       std::size_t wave_size, const Scenario* baseline, bool keep_raw,
                       const std::vector<std::string>& raw_dates, std::size_t raw_limit_bytes,
                       const py::object& progress, double poll_seconds,
                       const std::vector<std::string>& command, const std::string& inputs) {
  if (scenarios.empty()) throw py::value_error("no scenarios to run");
  if (!(poll_seconds > 0.0)) throw py::value_error("poll_seconds must be positive");
  RunOptions options;
  options.samples = samples;
  options.seed = seed;
  options.threads = threads;
  std::string why;
  const auto last = parse_year_month(horizon, &why);
  if (!last) throw py::value_error("horizon \"" + horizon + "\" is not a month YYYY-MM: " + why);
  options.horizon = *last;
  options.central = central;
  options.threshold_multiple = threshold_multiple;
  options.solver.rel_tolerance = rtol;
  options.solver.abs_tolerance = atol;
  options.solver.max_step_months = max_step_months;
  options.solver.max_steps = max_steps;
  options.quantiles = quantiles;
  options.quantile_accuracy = quantile_accuracy;
  options.wave_size = wave_size;
  if (baseline != nullptr) options.baseline_policy = baseline->policy;
  options.keep_raw = keep_raw;
  for (const auto& d : raw_dates) {
    options.raw_date_indices.push_back(month_offset(scenarios.front().world->start, d));
  }
  options.raw_limit_bytes = raw_limit_bytes;

  RunState state;
  options.cancel = &state.cancel;
  options.progress = [&state](std::uint64_t done, std::uint64_t total) {
    state.total.store(total);
    state.done.store(done);
  };
  const auto poll = std::chrono::duration<double>(poll_seconds);
  std::uint64_t reported = 0;
  {
    py::gil_scoped_release nogil;
    HelperThread helper(state, std::thread([&state, &scenarios, &options] {
      try {
        state.results = run(scenarios, options);
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
  if (state.error) std::rethrow_exception(state.error);
  // Signals that arrived during the last poll interval still count: the user pressed Ctrl-C
  // while this run was going, so it is interrupted rather than silently completed.
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  if (!progress.is_none() && state.done.load() != reported) {
    progress(state.done.load(), state.total.load());
  }
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
      manifest_json(state.results, command, {}, given ? &*given : nullptr));
  py::dict payload = results_to_python(std::move(state.results));
  payload["manifest"] = from_json(manifest);
  return payload;
}

}  // namespace

void register_run(py::module_& m) {
  // Defaults are the engine's own (a default RunOptions), so a run from Python without options
  // is the run `gapcast run` makes without options.
  const RunOptions d;
  m.def(
      "default_run_options",
      [] {
        const RunOptions o;
        py::dict out;
        out["samples"] = o.samples;
        out["seed"] = o.seed;
        out["threads"] = o.threads;
        out["horizon"] = format_year_month(o.horizon);
        out["central"] = o.central;
        out["threshold_multiple"] = o.threshold_multiple;
        out["rtol"] = o.solver.rel_tolerance;
        out["atol"] = o.solver.abs_tolerance;
        out["max_step_months"] = o.solver.max_step_months;
        out["max_steps"] = o.solver.max_steps;
        out["quantiles"] = o.quantiles;
        out["quantile_accuracy"] = o.quantile_accuracy;
        out["wave_size"] = o.wave_size;
        out["keep_raw"] = o.keep_raw;
        out["raw_limit_bytes"] = o.raw_limit_bytes;
        return out;
      },
      "The engine's default run options (gapcast::RunOptions), "
      "the values run() uses for options it is not given.");
  m.def("run", &run_scenarios, py::arg("scenarios"), py::kw_only(),
        py::arg("samples") = d.samples, py::arg("seed") = d.seed, py::arg("threads") = d.threads,
        py::arg("horizon") = format_year_month(d.horizon), py::arg("central") = d.central,
        py::arg("threshold_multiple") = d.threshold_multiple,
        py::arg("rtol") = d.solver.rel_tolerance, py::arg("atol") = d.solver.abs_tolerance,
        py::arg("max_step_months") = d.solver.max_step_months,
        py::arg("max_steps") = d.solver.max_steps, py::arg("quantiles") = d.quantiles,
        py::arg("quantile_accuracy") = d.quantile_accuracy, py::arg("wave_size") = d.wave_size,
        py::arg("baseline") = nullptr, py::arg("keep_raw") = d.keep_raw,
        py::arg("raw_dates") = std::vector<std::string>{},
        py::arg("raw_limit_bytes") = d.raw_limit_bytes, py::arg("progress") = py::none(),
        py::arg("poll_seconds") = 0.1, py::arg("command") = std::vector<std::string>{},
        py::arg("inputs") = std::string(),
        R"pbdoc(Runs the Monte Carlo over `scenarios` (common random numbers: every scenario sees the same
sampled worlds) with the GIL released. Option defaults are the engine's (gapcast::RunOptions).
`progress(done, total)` is called on this thread while the run goes. Ctrl-C stops the run
within about `poll_seconds` and raises KeyboardInterrupt. Returns the results as a dict of
NumPy arrays owning the engine's buffers plus metadata, with the run manifest (recording
`command`, and `inputs`: JSON saying how the scenarios were given) under "manifest".
)pbdoc");
}

}  // namespace gapcast::python
