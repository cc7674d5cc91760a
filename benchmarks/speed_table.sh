#!/usr/bin/env bash
# The speed table of issue 10 on this machine, every row measured in this one sitting:
#
#   bash benchmarks/speed_table.sh [path/to/gapcast] [--w2]
#
#   W1           the five shipped scenarios at 10,000 samples, monthly to 2035-12: the NumPy
#                twin (benchmarks/numpy_twin.py, training gap only, one thread) against the
#                engine on 2 threads recording every metric, and recording only the training
#                gap (--metrics gap_training: the twin's output); target: twin / engine >= 15
#   Python       one shipped scenario at 10,000 samples from Python, load + run + to_xarray()
#                (benchmarks/python_single_scenario.py, median of 7); target: <= 0.150 s;
#                also with metrics="gap_training"
#   threads      W1 at 100,000 samples on 1 and 2 threads; target: 1 -> 2 speed-up >= 1.85
#   W2 (--w2)    `gapcast compare` of the five scenarios at 1,000,000 samples on 2 threads, and
#                at 100,000 for the memory comparison; targets: <= 60 s, peak RSS <= 300 MB and
#                within 10% of the 100,000-sample run's. Adds about 5 minutes.
#
# The machine is shared and noisy: read the ratios, rerun rather than trust one table, and
# compare builds by running this script for each in the same sitting. $PYTHON runs the twin
# and the Python benchmark (default python3; it must import the gapcast package under test).
set -euo pipefail
cd "$(dirname "$0")/.."
w2=0
args=()
for a in "$@"; do
  if [ "$a" = "--w2" ]; then w2=1; else args+=("$a"); fi
done
gapcast="${args[0]:-$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast}"
python="${PYTHON:-python3}"
[ -x "$gapcast" ] || { echo "speed_table.sh: $gapcast is not an executable gapcast" >&2; exit 2; }
scenarios=(scenarios/baseline.json scenarios/incremental_tightening.json
           scenarios/comprehensive_embargo.json scenarios/multilateral_alignment.json
           scenarios/no_controls.json)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

source benchmarks/measure.sh
mb() { awk -v k="$rss_kib" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }'; }  # decimal megabytes
engine() {  # engine SAMPLES THREADS [extra flags...]
  local n="$1" t="$2"; shift 2
  measure "$gapcast" run "${scenarios[@]}" --samples "$n" --threads "$t" --horizon 2035-12 \
    --quiet --no-progress --out "$out/run" "$@"
}
row() { printf "%-44s %12s   %s\n" "$1" "$2" "$3"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "gapcast: $gapcast ($("$gapcast" --version 2>/dev/null | head -1)); $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
row "measurement" "value" "target"

measure "$python" benchmarks/numpy_twin.py "${scenarios[@]}" --samples 10000
twin=$wall
row "W1 NumPy twin, 1 thread (s)" "$twin" ""
engine 10000 2
row "W1 engine, 2 threads, every metric (s)" "$wall" ""
row "  twin / engine" "$(ratio "$twin" "$wall")" ">= 15"
engine 10000 2 --metrics gap_training
row "W1 engine, 2 threads, gap_training only (s)" "$wall" ""
row "  twin / engine" "$(ratio "$twin" "$wall")" ""

median() { "$python" benchmarks/python_single_scenario.py "$@" | awk '/^median:/ {print $2}'; }
row "Python baseline, 10,000 samples (s, median)" "$(median)" "<= 0.150"
row "  with metrics=gap_training (s, median)" "$(median --metrics gap_training)" ""

engine 100000 1
one=$wall
row "W1 at 100,000 samples, 1 thread (s)" "$one" ""
engine 100000 2
row "W1 at 100,000 samples, 2 threads (s)" "$wall" ""
row "  1 -> 2 threads speed-up" "$(ratio "$one" "$wall")" ">= 1.85"

if [ "$w2" = 1 ]; then
  compare() {  # compare SAMPLES
    measure "$gapcast" compare "${scenarios[@]}" --samples "$1" --threads 2 --quiet \
      --no-progress --out "$out/compare"
  }
  compare 100000
  small_rss=$(mb)
  row "W2 memory reference: 100,000 samples (MB)" "$small_rss" ""
  compare 1000000
  row "W2: 1,000,000 samples, 2 threads (s)" "$wall" "<= 60"
  row "  peak RSS (MB)" "$(mb)" "<= 300"
  row "  RSS against 100,000 samples" "$(ratio "$(mb)" "$small_rss")" "<= 1.10"
fi
