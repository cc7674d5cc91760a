// Times the Monte Carlo driver's fold of a wave into the summary cells (run/monte_carlo.cpp,
// "Fold the wave"): every cell (scenario x metric x month, then scenario x scalar) takes a
// wave's values in sample order from a row-major buffer (one row per sample), TBB tasks owning
// blocks of 32 neighbouring cells. Three ways, interleaved in every repeat so that they share
// the machine's noise:
//
//   legacy    the frozen pre-batch code (benchmarks/legacy/) with the driver's per-value loop:
//             what the engine did before
//   add       today's SummaryCell::add with the same per-value loop
//   fold      today's fold_rows (SummaryCell::add_strided): what the driver does now
//
// and checks that all three end with bit-identical cells (counts, means, min, max and a grid
// of 1001 quantiles). Reports CPU nanoseconds per value folded (cells x samples, probability
// cells and non-finite values included; process CPU time, so that time the shared machine gave
// to other jobs is not counted), median and best over the repeats, and the wall-clock median.
//
//   gapcast_bench_sketch_fold [--repeats 7] [--waves 8] [--threads 1] [--accuracy 0.005]
//                             [--scenarios 5] [--months 120] [--wave-size 0 (as the driver)]
//                             [--only legacy|add|fold (time one way, e.g. under perf)]
//
// The values imitate a run of the shipped scenarios (measured from `gapcast run --raw`): per
// metric and month, lognormal values whose spread grows with the month up to ~20 decades with a
// heavy upper tail, hardware-like cells of 1-4 decades, paired effects with 28% exact zeros and
// both signs, cells constant over samples, 0/1 probability cells (no sketch), and occasional
// +inf and NaN (threshold months beyond the horizon, undefined delays).
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "gapcast/summary/summary_cell.hpp"
#include "legacy/summary_cell.hpp"

namespace {

using gapcast::SummaryCell;
using LegacyCell = gapcast::legacy::SummaryCell;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Options {
  int repeats = 7;
  int waves = 8;
  int threads = 1;
  double accuracy = 0.005;
  std::size_t scenarios = 5;
  std::size_t months = 120;
  std::size_t wave_size = 0;
  int only = -1;  // time one way only (for profiling): 0 legacy, 1 add, 2 fold
};

constexpr std::size_t kMetrics = 34;  // 25 series + 9 derived, as the catalogue
constexpr std::size_t kScalars = 3;
constexpr std::size_t kFirstProbability = 31;  // the last three metrics are 0/1 indicators

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() {
    return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
  }

 private:
  std::mt19937_64 engine_;
};

// One sample's value for series cell (scenario s, metric m, month k), given the sample's
// generator.
double series_value(Generator& g, std::size_t s, std::size_t m, std::size_t k,
                    std::size_t months) {
  const double t =
      static_cast<double>(k) / static_cast<double>(std::max<std::size_t>(months - 1, 1));
  if (m >= kFirstProbability) return g.uniform() < 0.3 + 0.4 * t ? 1.0 : 0.0;
  if (m < 4 || (m >= 8 && m < 16)) {
    // Effective compute: log10 centred near 10-14, spread growing to ~2.3 decades with a heavy
    // upper tail (explosive software progress in a few worlds).
    const double z = g.normal();
    const double tail = g.uniform() < 0.05 ? -std::log(g.uniform()) * 2.0 * t : 0.0;
    return std::pow(10.0, 9.0 + 0.3 * static_cast<double>(m % 5) + 4.0 * t +
                              (0.2 + 2.1 * t) * z + tail);
  }
  if (m < 8 || m == 27) {  // hardware stocks, domestic output: 1-4 decades
    return std::exp(12.0 + 2.0 * t + (0.5 + 1.5 * t) * g.normal());
  }
  if (m == 26) return 1.0 + 0.25 * static_cast<double>(s);  // import pressure: constant per cell
  if (m < 25) {
    // Gaps: ratios of several decades; gaps in months: mostly positive, a few negative.
    const bool months_gap = m == 20 || m == 21 || m == 23;
    const double z = g.normal();
    return months_gap ? 12.0 + 8.0 * t * (1.0 + z) : std::exp(1.0 + 3.0 * t * (1.0 + 0.8 * z));
  }
  if (m == 25) return 10.0 + 3.0 * g.normal();  // software lag months
  // Paired effects (denied fractions, added gap months): exactly zero against oneself, else
  // both signs, occasionally vanishing differences of nearly equal runs.
  const bool against_self = (m % 2 == 0) ? s == 0 : s == 1;
  if (against_self) return 0.0;
  const double u = g.uniform();
  if (u < 0.28) return 0.0;
  if (u < 0.30) return (g.uniform() - 0.5) * 1e-15;
  return 0.2 * (1.0 + t) * (g.normal() + 0.8);
}

double scalar_value(Generator& g, std::size_t k) {
  const double u = g.uniform();
  if (k == 0) return u < 0.05 ? kInf : 30.0 + 40.0 * g.uniform();  // threshold month
  if (u < 0.03) return kNaN;   // neither run reaches the threshold
  if (u < 0.05) return kInf;   // only the reference does
  if (u < 0.25) return 0.0;
  return 6.0 * g.normal() + 3.0;  // delays, both signs
}

struct Layout {
  std::size_t scenarios, months, series_cells, total_cells, rows;
};

std::vector<double> make_wave(const Layout& l, std::uint64_t seed) {
  std::vector<double> buffer(l.total_cells * l.rows);
  for (std::size_t j = 0; j < l.rows; ++j) {
    Generator g(seed * 1000003 + j);
    double* row = &buffer[j * l.total_cells];
    for (std::size_t s = 0; s < l.scenarios; ++s) {
      for (std::size_t m = 0; m < kMetrics; ++m) {
        for (std::size_t k = 0; k < l.months; ++k) {
          row[(s * kMetrics + m) * l.months + k] = series_value(g, s, m, k, l.months);
        }
      }
      for (std::size_t k = 0; k < kScalars; ++k) {
        row[l.series_cells + s * kScalars + k] = scalar_value(g, k);
      }
    }
  }
  return buffer;
}

enum class Mode { legacy, add, fold };
const char* name_of(Mode m) {
  return m == Mode::legacy ? "legacy (before)"
         : m == Mode::add  ? "add (per value)"
                           : "fold_rows (after)";
}

template <class Cell>
void fold_per_value(std::vector<Cell>& cells, const std::vector<char>& probability,
                    const std::vector<double>& buffer, std::size_t rows, std::size_t total) {
  // The driver's loop before the batch API, verbatim.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, total, 32), [&](const auto& range) {
    for (std::size_t j = 0; j < rows; ++j) {
      const double* row = &buffer[j * total];
      for (std::size_t c = range.begin(); c != range.end(); ++c) {
        cells[c].add(row[c], probability[c] != 0);
      }
    }
  });
}

void fold_batched(std::vector<SummaryCell>& cells, const std::vector<char>& probability,
                  const std::vector<double>& buffer, std::size_t rows, std::size_t total) {
  // The driver's loop now.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, total, 32), [&](const auto& range) {
    gapcast::fold_rows(std::span(cells).subspan(range.begin(), range.size()),
                       std::span<const char>(probability).subspan(range.begin(), range.size()),
                       buffer.data() + range.begin(), rows, total);
  });
}

template <class Cell>
std::vector<double> fingerprint(const Cell& cell, bool probability) {
  std::vector<double> out;
  const auto& c = cell.counts();
  out.push_back(static_cast<double>(c.finite));
  out.push_back(static_cast<double>(c.infinite));
  out.push_back(static_cast<double>(c.undefined));
  out.push_back(cell.mean());
  if (probability) return out;
  const auto& sk = cell.sketch();
  out.push_back(static_cast<double>(sk.count()));
  out.push_back(sk.min());
  out.push_back(sk.max());
  static const std::vector<double> grid = [] {
    std::vector<double> qs;
    for (int i = 0; i <= 1000; ++i) qs.push_back(i / 1000.0);
    return qs;
  }();
  std::vector<double> qs(grid.size());
  sk.quantiles(grid, qs);
  out.insert(out.end(), qs.begin(), qs.end());
  return out;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// CPU time of the whole process (every thread): on a shared machine the wall clock also counts
// the time other jobs held the cores.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--repeats") o.repeats = std::stoi(next());
    else if (a == "--waves") o.waves = std::stoi(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--accuracy") o.accuracy = std::stod(next());
    else if (a == "--scenarios") o.scenarios = std::stoul(next());
    else if (a == "--months") o.months = std::stoul(next());
    else if (a == "--wave-size") o.wave_size = std::stoul(next());
    else if (a == "--only") {
      const std::string m = next();
      o.only = m == "legacy" ? 0 : m == "add" ? 1 : m == "fold" ? 2 : -2;
      if (o.only == -2) {
        std::fprintf(stderr, "--only takes legacy, add or fold\n");
        std::exit(2);
      }
    }
    else {
      std::fprintf(stderr,
                   "usage: gapcast_bench_sketch_fold [--repeats N] [--waves N] [--threads N] "
                   "[--accuracy A] [--scenarios N] [--months N] [--wave-size N] "
                   "[--only legacy|add|fold]\n");
      std::exit(2);
    }
  }
  if (o.repeats < 1 || o.waves < 1 || o.threads < 1 || o.scenarios < 1 || o.months < 1) {
    std::fprintf(stderr, "counts must be at least 1\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  Layout l{};
  l.scenarios = o.scenarios;
  l.months = o.months;
  l.series_cells = o.scenarios * kMetrics * o.months;
  l.total_cells = l.series_cells + o.scenarios * kScalars;
  // The driver's wave: 64 MiB of buffer, between 64 and 1024 samples.
  l.rows = o.wave_size != 0 ? o.wave_size
                            : std::clamp<std::size_t>((std::size_t{64} << 20) /
                                                          (l.total_cells * sizeof(double)),
                                                      64, 1024);
  std::vector<char> probability(l.total_cells, 0);
  for (std::size_t s = 0; s < l.scenarios; ++s) {
    for (std::size_t m = kFirstProbability; m < kMetrics; ++m) {
      for (std::size_t k = 0; k < l.months; ++k) probability[(s * kMetrics + m) * l.months + k] = 1;
    }
  }
  std::printf("cells %zu (%zu scenarios x %zu metrics x %zu months + scalars), wave %zu samples, "
              "%d waves per repeat, %d repeats, %d thread(s), accuracy %g\n",
              l.total_cells, l.scenarios, kMetrics, l.months, l.rows, o.waves, o.repeats,
              o.threads, o.accuracy);
  const std::vector<double> waves[2] = {make_wave(l, 1), make_wave(l, 2)};

  tbb::task_arena arena(o.threads);
  const Mode modes[] = {Mode::legacy, Mode::add, Mode::fold};
  std::vector<double> ns[3];       // CPU ns per value
  std::vector<double> wall_ns[3];  // wall-clock ns per value
  std::vector<LegacyCell> legacy_cells;
  std::vector<SummaryCell> add_cells;
  std::vector<SummaryCell> fold_cells;
  const double values = static_cast<double>(l.total_cells) * static_cast<double>(l.rows) * o.waves;
  for (int r = 0; r < o.repeats; ++r) {
    for (int mi = 0; mi < 3; ++mi) {
      const Mode mode = modes[(mi + r) % 3];  // rotate the order between repeats
      if (o.only >= 0 && static_cast<int>(mode) != o.only) continue;
      legacy_cells.assign(mode == Mode::legacy ? l.total_cells : 0, LegacyCell(o.accuracy));
      add_cells.assign(mode == Mode::add ? l.total_cells : 0, SummaryCell(o.accuracy));
      fold_cells.assign(mode == Mode::fold ? l.total_cells : 0, SummaryCell(o.accuracy));
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = cpu_seconds();
      arena.execute([&] {
        for (int w = 0; w < o.waves; ++w) {
          const auto& buffer = waves[w % 2];
          if (mode == Mode::legacy) {
            fold_per_value(legacy_cells, probability, buffer, l.rows, l.total_cells);
          } else if (mode == Mode::add) {
            fold_per_value(add_cells, probability, buffer, l.rows, l.total_cells);
          } else {
            fold_batched(fold_cells, probability, buffer, l.rows, l.total_cells);
          }
        }
      });
      const double cpu = cpu_seconds() - cpu_start;
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const auto index = static_cast<std::size_t>(mode);
      ns[index].push_back(cpu * 1e9 / values);
      wall_ns[index].push_back(seconds * 1e9 / values);
    }
  }
  // All three once more, side by side, for the identity check and the memory they hold.
  legacy_cells.assign(l.total_cells, LegacyCell(o.accuracy));
  add_cells.assign(l.total_cells, SummaryCell(o.accuracy));
  fold_cells.assign(l.total_cells, SummaryCell(o.accuracy));
  arena.execute([&] {
    for (int w = 0; w < o.waves; ++w) {
      fold_per_value(legacy_cells, probability, waves[w % 2], l.rows, l.total_cells);
      fold_per_value(add_cells, probability, waves[w % 2], l.rows, l.total_cells);
      fold_batched(fold_cells, probability, waves[w % 2], l.rows, l.total_cells);
    }
  });
  std::size_t differing = 0;
  for (std::size_t c = 0; c < l.total_cells; ++c) {
    const bool p = probability[c] != 0;
    const auto expected = fingerprint(legacy_cells[c], p);
    if (!same_bits(expected, fingerprint(add_cells[c], p)) ||
        !same_bits(expected, fingerprint(fold_cells[c], p))) {
      if (differing++ < 5) {
        // The first field that differs: 0-3 counts and mean, 4-6 count, min, max, then the
        // quantiles at 0, 0.001, ..., 1.
        const auto a = fingerprint(add_cells[c], p);
        const auto f = fingerprint(fold_cells[c], p);
        std::size_t i = 0;
        while (i < expected.size() && same_bits({expected[i]}, {f[i]}) &&
               same_bits({expected[i]}, {a[i]})) {
          ++i;
        }
        std::printf("cell %zu differs at field %zu: legacy %.17g, add %.17g, fold %.17g\n", c, i,
                    expected[i], a[i], f[i]);
      }
    }
  }
  std::size_t memory[3] = {0, 0, 0};
  for (const auto& c : legacy_cells) memory[0] += c.sketch().memory_bytes();
  for (const auto& c : add_cells) memory[1] += c.sketch().memory_bytes();
  for (const auto& c : fold_cells) memory[2] += c.sketch().memory_bytes();

  std::printf("\n%-20s %11s %11s %9s %11s %14s\n", "", "median ns", "best ns", "speed-up",
              "wall med.", "bin windows");
  const double base = ns[0].empty() ? std::numeric_limits<double>::quiet_NaN() : median(ns[0]);
  for (std::size_t i = 0; i < 3; ++i) {
    if (ns[i].empty()) continue;
    std::printf("%-20s %11.2f %11.2f %8.2fx %11.2f %11.1f MB\n", name_of(modes[i]), median(ns[i]),
                *std::min_element(ns[i].begin(), ns[i].end()), base / median(ns[i]),
                median(wall_ns[i]), static_cast<double>(memory[i]) / 1e6);
  }
  std::printf("(CPU ns per value folded, all threads; speed-up = legacy median / median; "
              "wall-clock median for reference)\n");
  std::printf("worst case at this accuracy: %.1f KB per cell, %.1f MB for these %zu cells\n",
              static_cast<double>(SummaryCell::max_memory_bytes(o.accuracy)) / 1e3,
              static_cast<double>(SummaryCell::max_memory_bytes(o.accuracy) * l.total_cells) / 1e6,
              l.total_cells);
  std::printf("bit-identical to legacy: %s\n",
              differing == 0 ? "yes (all cells: counts, mean, min, max, 1001 quantiles)"
                             : ("NO, " + std::to_string(differing) + " cells differ").c_str());
  return differing == 0 ? 0 : 1;
}
