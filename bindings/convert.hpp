#pragma once
// Conversions shared by the binding areas: JSON values to and from Python objects, engine
// buffers handed to NumPy without copying, and Results to and from the plain-Python form the
// gapcast.Results class keeps (and pickles).
#include "pybind11.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/run/results.hpp"

namespace gapcast::python {

/// A Python value (dict, list, tuple, str, bool, int, float, None, NumPy scalars) as JSON.
/// Anything else, NaN, infinities and non-string keys throw InputError located at the JSON
/// pointer of the offending value, so a bad dict is reported like a bad file.
nlohmann::json to_json(py::handle value, const std::string& label);

/// Runs `work` on a helper thread with the GIL released, waking every `poll_seconds` to run
/// Python's signal handlers and report progress to `progress(done, total)` (None: no
/// reports). Ctrl-C cancels the work through the RunContext and raises KeyboardInterrupt; an
/// exception from `work` is rethrown here (a rejected option as TypeError/ValueError).
void run_in_background(const std::function<void(const RunContext&)>& work,
                       const py::object& progress, double poll_seconds);

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
py::object from_json(const nlohmann::json& value);

/// {"severity", "file", "line", "column", "pointer", "message", "text"}: the fields of one
/// diagnostic plus its formatted line exactly as the command prints it.
py::dict diagnostic_dict(const Diagnostic& d);

/// Moves `values` to the heap and returns a read-only NumPy array over it whose base is a
/// capsule that deletes the vector: NumPy owns the engine's buffer, nothing is copied
/// (pybind11 issue #1042). Results are a record of a run, hence read-only.
template <class T>
py::array_t<T> take_array(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* heap = new std::vector<T>(std::move(values));
  py::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  py::array_t<T> array(std::move(shape), heap->data(), owner);
  array.attr("flags").attr("writeable") = false;
  return array;
}

/// The whole of a Results as a dict of NumPy arrays (moved out of `results`, which is left
/// without its buffers) and plain metadata. Layout in docs of gapcast.Results.
py::dict results_to_python(Results&& results);

/// Rebuilds a Results from the dict results_to_python made (or one restored from a pickle),
/// copying the arrays into the engine's vectors. Throws ValueError on shapes that disagree.
Results results_from_python(py::handle payload);

}  // namespace gapcast::python
