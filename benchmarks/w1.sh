#!/usr/bin/env bash
# Workload W1 (issue 2): the five shipped scenarios, monthly outputs 2026-01 to 2035-12,
# 2 threads, at 10,000 and 100,000 samples. Reports wall time and peak resident memory from
# /usr/bin/time -v for each, side by side in one run, so that the memory column shows whether
# it grows with the sample count (it must not).
#
#   bash benchmarks/w1.sh [path/to/gapcast] [sample counts...]
set -euo pipefail
cd "$(dirname "$0")/.."
gapcast="${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast}"
shift || true
counts=("$@")
[ "${#counts[@]}" -eq 0 ] && counts=(10000 100000)
[ -x /usr/bin/time ] || { echo "w1.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }

printf "%-10s %-12s %-14s %s\n" samples wall_s peak_rss_MiB command
for n in "${counts[@]}"; do
  out="$(mktemp -d)"
  log="$(mktemp)"
  cmd=("$gapcast" run scenarios/baseline.json scenarios/incremental_tightening.json
       scenarios/comprehensive_embargo.json scenarios/multilateral_alignment.json
       scenarios/no_controls.json --samples "$n" --threads 2 --horizon 2035-12
       --quiet --no-progress --out "$out")
  /usr/bin/time -v "${cmd[@]}" 2> "$log" >/dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$log")
  printf "%-10s %-12s %-14s %s\n" "$n" "$wall" "$rss" "${cmd[*]}"
  rm -rf "$out" "$log"
done
