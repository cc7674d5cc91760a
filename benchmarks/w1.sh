#!/usr/bin/env bash
# Workload W1 (issue 2): the five shipped scenarios, monthly outputs 2026-01 to 2035-12.
#
#   bash benchmarks/w1.sh [path/to/gapcast] [sample counts...]
#       Memory table: the engine on 2 threads at 10,000 and 100,000 samples (or the counts
#       given). Reports wall time and peak resident memory from /usr/bin/time -v for each, side
#       by side in one run, so that the memory column shows whether it grows with the sample
#       count (it must not).
#
#   bash benchmarks/w1.sh --twin [path/to/gapcast] [samples]
#       Twin timing (issue 10): at 10,000 samples (or the count given), one after the other in
#       the same run, (a) the NumPy twin (benchmarks/numpy_twin.py: training-gap p5/p50/p95 per
#       month, one thread), (b) the engine on 2 threads and (c) the engine on 1 thread; prints
#       each wall time and peak memory, then the ratios twin / engine. $PYTHON runs the twin
#       (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=memory
if [ "${1:-}" = "--twin" ]; then mode=twin; shift; fi
gapcast="${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast}"
shift || true
counts=("$@")
source benchmarks/measure.sh
scenarios=(scenarios/baseline.json scenarios/incremental_tightening.json
           scenarios/comprehensive_embargo.json scenarios/multilateral_alignment.json
           scenarios/no_controls.json)
mib() { awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }'; }

if [ "$mode" = memory ]; then
  [ "${#counts[@]}" -eq 0 ] && counts=(10000 100000)
  printf "%-10s %-12s %-14s %s\n" samples wall_s peak_rss_MiB command
  for n in "${counts[@]}"; do
    out="$(mktemp -d)"
    cmd=("$gapcast" run "${scenarios[@]}" --samples "$n" --threads 2 --horizon 2035-12
         --quiet --no-progress --out "$out")
    measure "${cmd[@]}"
    printf "%-10s %-12s %-14s %s\n" "$n" "$wall" "$(mib)" "${cmd[*]}"
    rm -rf "$out"
  done
  exit 0
fi

n="${counts[0]:-10000}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
declare -A walls
printf "%-14s %-10s %-14s %s\n" run wall_s peak_rss_MiB command
run() {  # run LABEL CMD...
  local label="$1"; shift
  measure "$@"
  walls[$label]=$wall
  printf "%-14s %-10s %-14s %s\n" "$label" "$wall" "$(mib)" "$*"
}
run twin "${PYTHON:-python3}" benchmarks/numpy_twin.py "${scenarios[@]}" --samples "$n"
run engine_2t "$gapcast" run "${scenarios[@]}" --samples "$n" --threads 2 --horizon 2035-12 \
  --quiet --no-progress --out "$out/2t"
run engine_1t "$gapcast" run "${scenarios[@]}" --samples "$n" --threads 1 --horizon 2035-12 \
  --quiet --no-progress --out "$out/1t"
awk -v t="${walls[twin]}" -v e2="${walls[engine_2t]}" -v e1="${walls[engine_1t]}" 'BEGIN {
  printf "ratio twin/engine_2t %.2f\nratio twin/engine_1t %.2f\n", t / e2, t / e1 }'
