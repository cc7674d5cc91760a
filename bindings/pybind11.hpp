#pragma once
// Included first by every binding source, before any standard or project header: Python.h must
// see the platform macros before the C library's headers do, and keeping the pybind11 set and
// the `py` alias in one place means the binding files cannot drift apart in what they assume.
#include <pybind11/pybind11.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

namespace py = pybind11;

namespace gapcast::python {

// One registration function per area; module.cpp calls them in this order (errors first, so
// that every later area can rely on the exception translators).
void register_errors(py::module_& m);
void register_distributions(py::module_& m);
void register_scenarios(py::module_& m);
void register_run(py::module_& m);
void register_results(py::module_& m);
void register_reproduce(py::module_& m);
void register_sensitivity(py::module_& m);

}  // namespace gapcast::python
