// gapcast._core.Distribution: the engine's parameter distributions, for inspecting what a
// scenario assumes (quantiles, CDF, central intervals) and for building specifications in code.
#include "pybind11.hpp"

#include <cmath>

#include "gapcast/uncertainty/distributions.hpp"

namespace gapcast::python {
namespace {

/// Applies a scalar member to a float or element-wise to an array-like, returning the same
/// shape. The work is plain C++ over a contiguous copy, so the GIL is released around it.
template <class F>
py::object elementwise(py::handle x, F&& f) {
  if (PyFloat_Check(x.ptr()) || PyLong_Check(x.ptr())) return py::float_(f(x.cast<double>()));
  auto in = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(x);
  if (!in) throw py::type_error("expected a number or an array of numbers");
  py::array_t<double> out(std::vector<py::ssize_t>(in.shape(), in.shape() + in.ndim()));
  const double* src = in.data();
  double* dst = out.mutable_data();
  const auto n = in.size();
  {
    py::gil_scoped_release nogil;
    for (py::ssize_t i = 0; i < n; ++i) dst[i] = f(src[i]);
  }
  if (in.ndim() == 0) return py::float_(dst[0]);
  return out;
}

}  // namespace

void register_distributions(py::module_& m) {
  py::class_<Distribution> d(m, "Distribution", R"pbdoc(
A probability distribution of one uncertain parameter, sampled by its inverse CDF.

Build one with a factory (``Distribution.lognormal_from_interval(5, 10)``) or read one from a
scenario (``scenario.parameter("densing_doubling_months").distribution``). Factories validate
their arguments and raise ValueError explaining what was expected.
)pbdoc");

  d.def_static("point", &Distribution::point, py::arg("value"),
               "A fixed value.")
      .def_static("uniform", &Distribution::uniform, py::arg("low"), py::arg("high"),
                  "Uniform on [low, high].")
      .def_static("log_uniform", &Distribution::log_uniform, py::arg("low"), py::arg("high"),
                  "log(x) uniform; needs 0 < low < high.")
      .def_static("normal", &Distribution::normal, py::arg("mean"), py::arg("sd"),
                  "Normal with the given mean and standard deviation.")
      .def_static("lognormal", &Distribution::lognormal, py::arg("mu"), py::arg("sigma"),
                  "log(x) ~ Normal(mu, sigma).")
      .def_static("lognormal_from_interval", &Distribution::lognormal_from_interval,
                  py::arg("low"), py::arg("high"), py::arg("level") = 0.90,
                  "Lognormal whose central `level` interval is [low, high] (\"5 to 10\").")
      .def_static("normal_from_interval", &Distribution::normal_from_interval, py::arg("low"),
                  py::arg("high"), py::arg("level") = 0.90,
                  "Normal whose central `level` interval is [low, high].")
      .def_static("triangular", &Distribution::triangular, py::arg("low"), py::arg("mode"),
                  py::arg("high"), "Triangular on [low, high] with the given mode.")
      .def_static("pert", &Distribution::pert, py::arg("low"), py::arg("mode"), py::arg("high"),
                  py::arg("lambda_") = 4.0,
                  "Beta-PERT three-point "
                  "estimate.")
      .def_static("beta", &Distribution::beta, py::arg("alpha"), py::arg("beta"),
                  py::arg("low") = 0.0, py::arg("high") = 1.0,
                  "Beta(alpha, beta) scaled to [low, high].")
      .def_static("bernoulli", &Distribution::bernoulli, py::arg("p"),
                  "1 with probability p, else 0.")
      .def_static("discrete", &Distribution::discrete, py::arg("values"), py::arg("weights"),
                  "`values` with probabilities proportional to `weights`.")
      .def_static("from_percentiles", &Distribution::from_percentiles, py::arg("low"),
                  py::arg("median"), py::arg("high"), py::arg("q_low") = 0.05,
                  py::arg("q_high") = 0.95, py::arg("log_space") = true,
                  "from_percentiles(low, median, high, q_low=0.05, q_high=0.95, log_space=True)"
                  " -> Distribution\n\nTwo-piece distribution through three percentiles.")
      .def_static("mixture", &Distribution::mixture, py::arg("components"), py::arg("weights"),
                  "Component k with probability weights[k] (normalised).");

  d.def("truncated", &Distribution::truncated, py::arg("low") = -HUGE_VAL,
        py::arg("high") = HUGE_VAL,
        "This distribution restricted to "
        "[low, high].")
      .def(
          "quantile",
          [](const Distribution& self, py::handle u) {
            return elementwise(u, [&](double v) { return self.quantile(v); });
          },
          py::arg("u"),
          "Inverse CDF at u in (0, 1), element-wise "
          "for arrays.")
      .def(
          "cdf",
          [](const Distribution& self, py::handle x) {
            return elementwise(x, [&](double v) { return self.cdf(v); });
          },
          py::arg("x"), "P(X <= x), element-wise for arrays.")
      .def_property_readonly("median", &Distribution::median, "The median (quantile 0.5).")
      .def_property_readonly("mean", &Distribution::mean, "The mean.")
      .def_property_readonly("support", [](const Distribution& self) {
        return py::make_tuple(self.support_low(), self.support_high());
      }, "(low, high): the smallest and largest values it can produce.")
      .def_property_readonly("is_point", &Distribution::is_point, "True for a fixed value.")
      .def_property_readonly("kind", &Distribution::kind,
                             "Short name of the form: 'point', 'lognormal', ...")
      .def("describe", &Distribution::describe,
           "One line with the defining numbers, median and 90% interval.")
      .def("__repr__", [](const Distribution& self) {
        return "<Distribution " + self.describe() + ">";
      });
}

}  // namespace gapcast::python
