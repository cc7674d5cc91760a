#!/usr/bin/env bash
# The sensitivity workload (issue 13): a Sobol' analysis of 40 parameters at N = 1,024 base
# samples of comprehensive_embargo (with the baseline as reference), every metric at every
# December, next to an ordinary run of as many samples as the analysis evaluates
# (N (40 + 2) = 43,008), one after the other in the same run, both on 2 threads. Prints each
# wall time and peak memory and the ratio analysis / ordinary run (the target: at most 1).
#
#   bash benchmarks/sensitivity.sh [path/to/gapcast]
set -euo pipefail
cd "$(dirname "$0")/.."
gapcast="${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast}"
[ -x /usr/bin/time ] || { echo "sensitivity.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
scenario=scenarios/comprehensive_embargo.json
baseline=scenarios/baseline.json
# The factors (the first 40 uncertain parameters, in the world's order) and every metric.
read -r parameters metrics < <(python3 -c "
import gapcast
s = gapcast.load('$scenario')
factors = s.parameters.index[s.parameters['kind'] != 'point'][:40]
metrics = gapcast.run(s, central=True, horizon='2026-12', progress=False).metrics
print(','.join(factors), ','.join(metrics))")

measure() {  # runs "$@" under /usr/bin/time; sets $wall (s) and $rss (MiB)
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1
  read -r wall kib < "$log"; rss=$((kib / 1024)); rm -f "$log"
}
measure "$gapcast" sensitivity "$scenario" --baseline "$baseline" -n 1024 --parameters "$parameters" \
  --metrics "$metrics" -j 2 -q --no-progress
sens_wall=$wall; sens_rss=$rss
measure "$gapcast" run "$scenario" --baseline "$baseline" -n 43008 -j 2 -q --no-progress
run_wall=$wall; run_rss=$rss
printf '%-44s %8s %9s\n' workload "wall (s)" "RSS (MiB)"
printf '%-44s %8s %9s\n' "sensitivity: sobol, 40 factors, N = 1024" "$sens_wall" "$sens_rss"
printf '%-44s %8s %9s\n' "run: 43,008 samples" "$run_wall" "$run_rss"
python3 -c "import sys; print(f'ratio sensitivity / run: {float(sys.argv[1]) / float(sys.argv[2]):.2f}')" \
  "$sens_wall" "$run_wall"
