// gapcast._core: the compiled half of the gapcast Python package. It only assembles the areas;
// each register_*.cpp binds one part of the engine's public API.
#include "pybind11.hpp"

#include "gapcast/util/build_info.hpp"

PYBIND11_MODULE(_core, m, py::mod_gil_not_used()) {
  m.doc() = R"pbdoc(
Compiled core of gapcast (private: use the ``gapcast`` package).

Scenarios are loaded and validated by the same C++ loader as the ``gapcast`` command; runs
execute the same Monte Carlo engine with the GIL released; results come back as NumPy arrays
that own the engine's buffers, and are written to files by the same writers as the command.
)pbdoc";
  m.attr("__version__") = std::string(gapcast::engine_version());
  m.attr("git_commit") = std::string(gapcast::engine_git_commit());
  m.attr("compiler") = std::string(gapcast::engine_compiler());
  m.attr("build_type") = std::string(gapcast::engine_build_type());

  gapcast::python::register_errors(m);
  gapcast::python::register_distributions(m);
  gapcast::python::register_scenarios(m);
  gapcast::python::register_run(m);
  gapcast::python::register_results(m);
  gapcast::python::register_reproduce(m);
  gapcast::python::register_sensitivity(m);
}
