#include "convert.hpp"

#include <cmath>
#include <type_traits>

#include "gapcast/scenario/json_locator.hpp"

namespace gapcast::python {
namespace {

using nlohmann::json;

constexpr int max_depth = 64;  // the file reader's nesting limit (DocumentLimits::max_depth)

[[noreturn]] void bad_value(const std::string& label, const std::string& pointer,
                            std::string message) {
  Diagnostic d;
  d.file = label;
  d.pointer = pointer;
  d.message = std::move(message);
  throw InputError({d});
}

std::string type_name(py::handle value) {
  return py::str(py::type::handle_of(value).attr("__qualname__")).cast<std::string>();
}

json convert(py::handle value, const std::string& pointer, const std::string& label, int depth) {
  if (depth > max_depth) {
    bad_value(label, pointer, "nested more than " + std::to_string(max_depth) + " levels deep");
  }
  PyObject* obj = value.ptr();
  if (value.is_none()) return nullptr;
  // bool before int: Python's bool is a subclass of int.
  if (PyBool_Check(obj)) return obj == Py_True;
  if (PyLong_Check(obj)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow == 0) return static_cast<std::int64_t>(v);
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(obj);
      if (!PyErr_Occurred()) return static_cast<std::uint64_t>(u);
      PyErr_Clear();
    }
    bad_value(label, pointer, "the integer " + py::str(value).cast<std::string>() +
                                  " is too large for a JSON number");
  }
  if (PyFloat_Check(obj)) {
    const double x = PyFloat_AS_DOUBLE(obj);
    if (!std::isfinite(x)) {
      bad_value(label, pointer,
                "NaN and infinities cannot be written in JSON (got " +
                    py::str(value).cast<std::string>() + "); use a finite number");
    }
    return x;
  }
  if (PyUnicode_Check(obj)) return value.cast<std::string>();
  if (PyList_Check(obj) || PyTuple_Check(obj)) {
    json array = json::array();
    std::size_t i = 0;
    for (auto item : value) {
      array.push_back(convert(item, pointer + "/" + std::to_string(i++), label, depth + 1));
    }
    return array;
  }
  // Lists before the Mapping test, which needs an import; dict subclasses and other mappings
  // (MappingProxyType, OrderedDict) are objects too.
  if (PyDict_Check(obj) ||
      py::isinstance(value, py::module_::import("collections.abc").attr("Mapping"))) {
    json object = json::object();
    for (auto item : py::reinterpret_borrow<py::object>(value).attr("items")()) {
      auto pair = item.cast<py::tuple>();
      if (!PyUnicode_Check(pair[0].ptr())) {
        bad_value(label, pointer,
                  "JSON object keys must be strings, got the " + type_name(pair[0]) + " " +
                      py::repr(pair[0]).cast<std::string>());
      }
      const auto key = pair[0].cast<std::string>();
      object[key] = convert(pair[1], pointer + "/" + escape_pointer_token(key), label, depth + 1);
    }
    return object;
  }
  // NumPy arrays and scalars (np.float64 is a float subclass and handled above; np.int64,
  // np.bool_ and np.float32 are not): their .tolist()/.item() give plain Python values.
  if (py::isinstance<py::array>(value)) {
    return convert(value.attr("tolist")(), pointer, label, depth);
  }
  if (py::hasattr(value, "dtype") && py::hasattr(value, "item")) {
    return convert(value.attr("item")(), pointer, label, depth);
  }
  bad_value(label, pointer,
            "a " + type_name(value) +
                " cannot be written in JSON; use dicts, lists, strings, numbers, booleans and "
                "None");
}

template <class T>
std::vector<T> copy_array(py::handle payload_value, const std::vector<std::size_t>& shape,
                          const char* what) {
  auto array = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(payload_value);
  if (!array) throw py::value_error(std::string("results: \"") + what + "\" is not an array");
  bool ok = static_cast<std::size_t>(array.ndim()) == shape.size();
  for (std::size_t d = 0; ok && d < shape.size(); ++d) {
    ok = static_cast<std::size_t>(array.shape(static_cast<py::ssize_t>(d))) == shape[d];
  }
  if (!ok) {
    std::string expected;
    for (auto n : shape) expected += (expected.empty() ? "" : ", ") + std::to_string(n);
    throw py::value_error(std::string("results: \"") + what + "\" should have shape (" +
                          expected + ")");
  }
  return std::vector<T>(array.data(), array.data() + array.size());
}

/// A metric's description as results.json has it, with "compared_with" always present ("" for
/// none) so that Python code can read it without a default.
py::object metric_dict(const MetricInfo& m) {
  py::dict d = from_json(nlohmann::json(to_json(m)));
  if (!d.contains("compared_with")) d["compared_with"] = "";
  return d;
}

MetricInfo metric_from(py::handle h) {
  MetricInfo m;
  m.name = h["name"].cast<std::string>();
  m.unit = h["unit"].cast<std::string>();
  m.description = h["description"].cast<std::string>();
  m.kind = h["kind"].cast<std::string>() == "probability" ? MetricKind::probability
                                                          : MetricKind::distribution;
  m.compared_with = h["compared_with"].cast<std::string>();
  return m;
}

// CellCounts is three uint64 counters; NumPy sees a vector of them as an (..., 3) uint64
// array over the same memory.
static_assert(std::is_standard_layout_v<CellCounts>);
static_assert(sizeof(CellCounts) == 3 * sizeof(std::uint64_t));
static_assert(offsetof(CellCounts, finite) == 0 &&
              offsetof(CellCounts, infinite) == sizeof(std::uint64_t) &&
              offsetof(CellCounts, undefined) == 2 * sizeof(std::uint64_t));

py::array_t<std::uint64_t> take_counts(std::vector<CellCounts>&& counts,
                                       std::vector<py::ssize_t> shape) {
  auto* heap = new std::vector<CellCounts>(std::move(counts));
  py::capsule owner(heap,
                    [](void* p) noexcept { delete static_cast<std::vector<CellCounts>*>(p); });
  shape.push_back(3);
  py::array_t<std::uint64_t> array(std::move(shape),
                                   reinterpret_cast<const std::uint64_t*>(heap->data()), owner);
  array.attr("flags").attr("writeable") = false;
  return array;
}

std::vector<CellCounts> counts_from(py::handle value, std::vector<std::size_t> shape,
                                    const char* what) {
  shape.push_back(3);
  const auto flat = copy_array<std::uint64_t>(value, shape, what);
  std::vector<CellCounts> counts(flat.size() / 3);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    counts[i] = {flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]};
  }
  return counts;
}

}  // namespace

json to_json(py::handle value, const std::string& label) { return convert(value, "", label, 0); }

py::object from_json(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return py::none();
    case json::value_t::boolean:
      return py::bool_(value.get<bool>());
    case json::value_t::number_integer:
      return py::int_(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return py::int_(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return py::float_(value.get<double>());
    case json::value_t::string:
      return py::str(value.get_ref<const std::string&>());
    case json::value_t::array: {
      py::list list;
      for (const auto& item : value) list.append(from_json(item));
      return list;
    }
    case json::value_t::object: {
      py::dict dict;
      for (const auto& [key, item] : value.items()) dict[py::str(key)] = from_json(item);
      return dict;
    }
    default:
      return py::none();  // binary and discarded values never come out of the loader
  }
}

py::dict diagnostic_dict(const Diagnostic& d) {
  py::dict out;
  out["severity"] = d.severity == Severity::error ? "error" : "warning";
  out["file"] = d.file;
  out["line"] = d.line;
  out["column"] = d.column;
  out["pointer"] = d.pointer;
  out["message"] = d.message;
  out["text"] = format_diagnostic(d);
  return out;
}

py::dict results_to_python(Results&& r) {
  const auto S = static_cast<py::ssize_t>(r.scenarios.size());
  const auto M = static_cast<py::ssize_t>(r.metrics.size());
  const auto N = static_cast<py::ssize_t>(r.scalar_metrics.size());
  const auto T = static_cast<py::ssize_t>(r.dates.size());
  const auto K = static_cast<py::ssize_t>(r.stats());

  py::dict out;
  out["format_version"] = 1;
  py::list scenarios;
  for (const auto& s : r.scenarios) {
    py::dict d;
    d["name"] = s.name;
    d["title"] = s.title;
    d["description"] = s.description;
    d["world"] = s.world_name;
    d["policy"] = s.policy_name;
    d["fingerprint"] = s.fingerprint;
    d["world_fingerprint"] = s.world_fingerprint;
    d["policy_fingerprint"] = s.policy_fingerprint;
    py::list files;
    for (const auto& f : s.files) files.append(from_json(nlohmann::json(to_json(f))));
    d["files"] = files;
    d["has_baseline_comparison"] = s.has_baseline_comparison;
    scenarios.append(d);
  }
  out["scenarios"] = scenarios;
  py::list metrics, scalar_metrics;
  for (const auto& m : r.metrics) metrics.append(metric_dict(m));
  for (const auto& m : r.scalar_metrics) scalar_metrics.append(metric_dict(m));
  out["metrics"] = metrics;
  out["scalar_metrics"] = scalar_metrics;
  out["dates"] = r.dates;
  out["quantiles"] = r.quantiles;

  out["series"] = take_array(std::move(r.series), {S, M, T, K});
  out["scalars"] = take_array(std::move(r.scalars), {S, N, K});
  out["series_counts"] = take_counts(std::move(r.series_counts), {S, M, T});
  out["scalar_counts"] = take_counts(std::move(r.scalar_counts), {S, N});

  // One JSON form of the run information (core's to_json), so the binding, the manifest
  // and unpickling agree on it.
  out["info"] = from_json(nlohmann::json(to_json(r.info)));
  // Carried so that Results.write produces assumptions.json like the command does.
  out["assumptions_json"] = r.assumptions_json;

  if (r.raw_scalars.empty()) {
    out["raw"] = py::none();
  } else {
    const auto D = static_cast<py::ssize_t>(r.raw_date_indices.size());
    const auto P = static_cast<py::ssize_t>(r.raw_parameter_names.size());
    const auto n = static_cast<py::ssize_t>(r.raw_scalars.size()) / (S * N);
    py::dict raw;
    raw["date_indices"] = r.raw_date_indices;
    raw["parameter_names"] = r.raw_parameter_names;
    raw["series"] = take_array(std::move(r.raw_series), {n, S, M, D});
    raw["scalars"] = take_array(std::move(r.raw_scalars), {n, S, N});
    raw["parameters"] = take_array(std::move(r.raw_parameters), {n, S, P});
    // A conditioned run's per-sample weights; None for an unconditioned one.
    if (r.raw_weights.empty()) raw["weights"] = py::none();
    else raw["weights"] = take_array(std::move(r.raw_weights), {n});
    out["raw"] = raw;
  }
  return out;
}

Results results_from_python(py::handle p) {
  if (p["format_version"].cast<int>() != 1) {
    throw py::value_error("results were saved in a newer format than this gapcast can read");
  }
  Results r;
  for (auto h : p["scenarios"]) {
    ScenarioInfo s;
    s.name = h["name"].cast<std::string>();
    s.title = h["title"].cast<std::string>();
    s.description = h["description"].cast<std::string>();
    s.world_name = h["world"].cast<std::string>();
    s.policy_name = h["policy"].cast<std::string>();
    s.fingerprint = h["fingerprint"].cast<std::string>();
    s.world_fingerprint = h["world_fingerprint"].cast<std::string>();
    s.policy_fingerprint = h["policy_fingerprint"].cast<std::string>();
    for (auto f : h["files"]) {
      s.files.push_back({f["role"].cast<std::string>(), f["display_name"].cast<std::string>(),
                         f["path"].cast<std::string>(), f["sha256"].cast<std::string>()});
    }
    s.has_baseline_comparison = h["has_baseline_comparison"].cast<bool>();
    r.scenarios.push_back(std::move(s));
  }
  for (auto h : p["metrics"]) r.metrics.push_back(metric_from(h));
  for (auto h : p["scalar_metrics"]) r.scalar_metrics.push_back(metric_from(h));
  r.dates = p["dates"].cast<std::vector<std::string>>();
  r.quantiles = p["quantiles"].cast<std::vector<double>>();

  const std::size_t S = r.scenarios.size(), M = r.metrics.size(), N = r.scalar_metrics.size(),
                    T = r.dates.size(), K = r.stats();
  r.series = copy_array<double>(p["series"], {S, M, T, K}, "series");
  r.scalars = copy_array<double>(p["scalars"], {S, N, K}, "scalars");
  r.series_counts = counts_from(p["series_counts"], {S, M, T}, "series_counts");
  r.scalar_counts = counts_from(p["scalar_counts"], {S, N}, "scalar_counts");

  try {
    r.info = run_info_from_json(to_json(p["info"], "info"));
  } catch (const std::invalid_argument& e) {
    throw py::value_error(std::string("these results cannot be used: ") + e.what());
  }
  // Results pickled before assumptions were recorded have none; they write no appendix.
  if (p.contains("assumptions_json")) {
    r.assumptions_json = p["assumptions_json"].cast<std::string>();
  }

  const py::handle raw = p["raw"];
  if (!raw.is_none()) {
    r.raw_date_indices = raw["date_indices"].cast<std::vector<std::size_t>>();
    r.raw_parameter_names = raw["parameter_names"].cast<std::vector<std::string>>();
    const auto raw_scalars = py::array::ensure(raw["scalars"]);
    if (!raw_scalars || raw_scalars.ndim() != 3) {
      throw py::value_error("results: raw \"scalars\" should be a 3-dimensional array");
    }
    const auto n = static_cast<std::size_t>(raw_scalars.shape(0));
    const std::size_t D = r.raw_date_indices.size(), P = r.raw_parameter_names.size();
    r.raw_series = copy_array<double>(raw["series"], {n, S, M, D}, "raw series");
    r.raw_scalars = copy_array<double>(raw["scalars"], {n, S, N}, "raw scalars");
    r.raw_parameters = copy_array<double>(raw["parameters"], {n, S, P}, "raw parameters");
    if (raw.contains("weights") && !raw["weights"].is_none()) {
      r.raw_weights = copy_array<double>(raw["weights"], {n}, "raw weights");
    }
  }
  return r;
}

}  // namespace gapcast::python
