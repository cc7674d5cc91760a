// gapcast._core.sensitivity_*: the global-sensitivity estimators (core/gapcast/sensitivity),
// as low-level functions over NumPy arrays, so that Python can build designs and compare the
// indices with other implementations (tests/python/test_sensitivity_estimators.py does so
// against SALib). Designs are in the unit cube; mapping them to marginals is the caller's.
//
// `groups` is None (each parameter alone), one label per parameter (SALib's problem["groups"])
// or a mapping from group name to its parameters' names. The computations release the GIL.
#include "pybind11.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/sensitivity/morris.hpp"
#include "gapcast/sensitivity/parameter_groups.hpp"
#include "gapcast/sensitivity/pawn.hpp"
#include "gapcast/sensitivity/saltelli_design.hpp"
#include "gapcast/sensitivity/sobol_indices.hpp"
#include "gapcast/sensitivity/sobol_sequence.hpp"

namespace gapcast::python {
namespace {

using namespace gapcast::sensitivity;
using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

ParameterGroups make_groups(const std::vector<std::string>& parameters, const py::object& groups) {
  if (groups.is_none()) return ParameterGroups::singletons(parameters);
  if (py::isinstance<py::dict>(groups) || py::hasattr(groups, "items")) {
    std::vector<std::pair<std::string, std::vector<std::string>>> members;
    for (const auto item : groups.attr("items")()) {
      const auto pair = item.cast<py::tuple>();
      members.emplace_back(pair[0].cast<std::string>(),
                           pair[1].cast<std::vector<std::string>>());
    }
    return ParameterGroups::from_members(parameters, members);
  }
  return ParameterGroups::from_labels(parameters, groups.cast<std::vector<std::string>>());
}

// A writable NumPy array holding a copy of `values` with the given shape.
py::array_t<double> array_of(const std::vector<double>& values, std::vector<py::ssize_t> shape) {
  py::array_t<double> out(std::move(shape));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

py::array_t<double> vector_of(const std::vector<double>& values) {
  return array_of(values, {static_cast<py::ssize_t>(values.size())});
}

std::span<const double> span_of(const Doubles& a) {
  return {a.data(), static_cast<std::size_t>(a.size())};
}

// X as rows x D: refuses another number of columns before the engine sees it.
Doubles matrix(const py::object& x, std::size_t columns) {
  auto a = Doubles::ensure(x);
  if (!a || a.ndim() != 2 || static_cast<std::size_t>(a.shape(1)) != columns) {
    throw py::value_error("X must be a 2-D array with one column per parameter (" +
                          std::to_string(columns) + ")");
  }
  return a;
}

Doubles vector_arg(const py::object& y) {
  auto a = Doubles::ensure(y);
  if (!a || a.ndim() != 1) throw py::value_error("Y must be a 1-D array");
  return a;
}

py::list checks_list(const SobolIndices& s, double target) {
  static const char* kinds[] = {"S1", "ST", "S2"};
  py::list out;
  for (const IndexCheck& c : check_indices(s, target)) {
    py::dict d;
    d["index"] = kinds[static_cast<int>(c.kind)];
    d["group"] = c.group;
    d["other"] = c.other;
    d["value"] = c.value;
    d["half_width"] = c.half_width;
    d["negative"] = c.negative;
    d["wide"] = c.wide;
    d["suggested_base_samples"] = c.suggested_base_samples;
    out.append(d);
  }
  return out;
}

py::dict sobol_dict(const ParameterGroups& groups, const SobolIndices& s, double target) {
  const auto g = static_cast<py::ssize_t>(s.groups);
  py::dict d;
  d["names"] = groups.group_names();
  d["S1"] = vector_of(s.S1);
  d["S1_conf"] = vector_of(s.S1_conf);
  d["ST"] = vector_of(s.ST);
  d["ST_conf"] = vector_of(s.ST_conf);
  if (s.second_order) {
    d["S2"] = array_of(s.S2, {g, g});
    d["S2_conf"] = array_of(s.S2_conf, {g, g});
  }
  d["defined"] = s.defined;
  d["output_variance"] = s.output_variance;
  d["base_samples"] = s.base_samples;
  d["checks"] = checks_list(s, target);
  return d;
}

void register_designs(py::module_& m) {
  m.def(
      "sensitivity_sobol_points",
      [](std::size_t dimension, std::size_t count, std::uint64_t first,
         std::optional<std::uint64_t> scramble_seed) {
        const SobolSequence sequence(dimension, scramble_seed);
        std::vector<double> points;
        {
          py::gil_scoped_release nogil;
          points = sequence.points(first, count);
        }
        return array_of(points, {static_cast<py::ssize_t>(count),
                                 static_cast<py::ssize_t>(dimension)});
      },
      py::arg("dimension"), py::arg("count"), py::arg("first") = 0,
      py::arg("scramble_seed") = py::none(),
      "Sobol' points first .. first+count-1 (Joe-Kuo, Gray-code order), count x dimension; "
      "scrambled when scramble_seed is given.");
  m.def(
      "sensitivity_saltelli_design",
      [](const std::vector<std::string>& parameters, std::size_t base_samples, bool second_order,
         const py::object& groups, bool scramble, std::uint64_t seed) {
        const ParameterGroups g = make_groups(parameters, groups);
        SaltelliDesign design;
        {
          py::gil_scoped_release nogil;
          design = saltelli_design(g, {base_samples, second_order, scramble, seed});
        }
        return array_of(design.points, {static_cast<py::ssize_t>(design.layout.rows()),
                                        static_cast<py::ssize_t>(design.parameters)});
      },
      py::arg("parameters"), py::arg("base_samples"), py::arg("second_order") = false,
      py::arg("groups") = py::none(), py::arg("scramble") = true, py::arg("seed") = 0,
      "The Saltelli design in the unit cube, rows in SALib's order (A, AB_1..AB_G, "
      "[BA_1..BA_G,] B per base row).");
  m.def(
      "sensitivity_morris_design",
      [](const std::vector<std::string>& parameters, std::size_t trajectories, int num_levels,
         const py::object& groups, std::uint64_t seed) {
        const ParameterGroups g = make_groups(parameters, groups);
        MorrisDesign design;
        {
          py::gil_scoped_release nogil;
          design = morris_design(g, {trajectories, num_levels, seed});
        }
        return array_of(design.points, {static_cast<py::ssize_t>(design.rows()),
                                        static_cast<py::ssize_t>(design.parameters)});
      },
      py::arg("parameters"), py::arg("trajectories"), py::arg("num_levels") = 4,
      py::arg("groups") = py::none(), py::arg("seed") = 0,
      "Morris trajectories on the p-level grid of the unit cube, trajectories x (G + 1) rows.");
}

void register_analyses(py::module_& m) {
  m.def(
      "sensitivity_sobol_indices",
      [](const std::vector<std::string>& parameters, const py::object& y, bool second_order,
         const py::object& groups, std::size_t num_resamples, double confidence,
         std::uint64_t seed, double target_half_width) {
        const ParameterGroups g = make_groups(parameters, groups);
        const Doubles values = vector_arg(y);
        SobolIndices s;
        {
          py::gil_scoped_release nogil;
          s = sobol_indices(g.group_count(), span_of(values),
                            {second_order, num_resamples, confidence, seed});
        }
        return sobol_dict(g, s, target_half_width);
      },
      py::arg("parameters"), py::arg("y"), py::arg("second_order") = false,
      py::arg("groups") = py::none(), py::arg("num_resamples") = 1000,
      py::arg("confidence") = 0.95, py::arg("seed") = 0,
      py::arg("target_half_width") = kTargetHalfWidth,
      "Sobol' indices (S1, ST, S2) with bootstrap half-widths from outputs in the Saltelli "
      "design's row order, and a check per index.");
  m.def(
      "sensitivity_morris_indices",
      [](const std::vector<std::string>& parameters, const py::object& x, const py::object& y,
         int num_levels, const py::object& groups, std::size_t num_resamples, double confidence,
         std::uint64_t seed) {
        const ParameterGroups g = make_groups(parameters, groups);
        const Doubles xs = matrix(x, g.parameter_count());
        const Doubles ys = vector_arg(y);
        MorrisIndices r;
        {
          py::gil_scoped_release nogil;
          r = morris_indices(g, span_of(xs), span_of(ys),
                             {num_levels, num_resamples, confidence, seed});
        }
        py::dict d;
        d["names"] = g.group_names();
        d["mu"] = vector_of(r.mu);
        d["mu_star"] = vector_of(r.mu_star);
        d["sigma"] = vector_of(r.sigma);
        d["mu_star_conf"] = vector_of(r.mu_star_conf);
        return d;
      },
      py::arg("parameters"), py::arg("x"), py::arg("y"), py::arg("num_levels") = 4,
      py::arg("groups") = py::none(), py::arg("num_resamples") = 1000,
      py::arg("confidence") = 0.95, py::arg("seed") = 0,
      "Morris mu, mu*, sigma and the bootstrap half-width of mu* per group.");
  m.def(
      "sensitivity_pawn_indices",
      [](const std::vector<std::string>& parameters, const py::object& x, const py::object& y,
         std::size_t slices, const py::object& groups) {
        const ParameterGroups g = make_groups(parameters, groups);
        const Doubles xs = matrix(x, g.parameter_count());
        const Doubles ys = vector_arg(y);
        PawnIndices r;
        {
          py::gil_scoped_release nogil;
          r = pawn_indices(g, span_of(xs), span_of(ys), slices);
        }
        py::dict d;
        d["names"] = g.group_names();
        d["minimum"] = vector_of(r.minimum);
        d["mean"] = vector_of(r.mean);
        d["median"] = vector_of(r.median);
        d["maximum"] = vector_of(r.maximum);
        d["CV"] = vector_of(r.cv);
        d["stdev"] = vector_of(r.stdev);
        return d;
      },
      py::arg("parameters"), py::arg("x"), py::arg("y"), py::arg("slices") = 10,
      py::arg("groups") = py::none(),
      "PAWN indices (KS statistics over S slices of each input) per group.");
}

}  // namespace

void register_sensitivity(py::module_& m) {
  register_designs(m);
  register_analyses(m);
}

}  // namespace gapcast::python
