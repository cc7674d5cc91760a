// Exceptions: the engine's errors become the Python exceptions gapcast documents.
//
//   InputError       -> gapcast.ScenarioError (a ValueError) with .diagnostics, one per problem
//   SimulationError  -> gapcast.SimulationError (a RuntimeError)
//   RunCancelled     -> KeyboardInterrupt (a run is only cancelled because of Ctrl-C)
//   DistributionError, CorrelationError and other std::invalid_argument -> ValueError
//                       (pybind11's default mapping)
//
// The Python classes live in gapcast/errors.py, where they are documented and picklable. They
// are looked up when an error is raised, not at import, because gapcast imports _core first.
#include "pybind11.hpp"

#include "convert.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/run/monte_carlo.hpp"

namespace gapcast::python {
namespace {

/// gapcast.errors.<name>, or `fallback` when _core is used without its package.
py::object error_class(const char* name, PyObject* fallback) {
  try {
    return py::module_::import("gapcast.errors").attr(name);
  } catch (py::error_already_set&) {
    return py::reinterpret_borrow<py::object>(fallback);
  }
}

void raise(const py::object& type, const py::object& instance) {
  PyErr_SetObject(type.ptr(), instance.ptr());
}

}  // namespace

void register_errors(py::module_& m) {
  (void)m;
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::list diagnostics;
      for (const auto& d : e.diagnostics()) diagnostics.append(diagnostic_dict(d));
      const py::object type = error_class("ScenarioError", PyExc_ValueError);
      if (py::hasattr(type, "_from_core")) {
        raise(type, type.attr("_from_core")(e.what(), diagnostics));
      } else {
        PyErr_SetString(type.ptr(), e.what());
      }
    } catch (const SimulationError& e) {
      const py::object type = error_class("SimulationError", PyExc_RuntimeError);
      PyErr_SetString(type.ptr(), e.what());
    } catch (const RunCancelled&) {
      PyErr_SetString(PyExc_KeyboardInterrupt, "gapcast run cancelled");
    }
  });
}

}  // namespace gapcast::python
