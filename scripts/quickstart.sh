#!/usr/bin/env bash
# The main job: set everything up, run every shipped scenario in the same 10,000 sampled
# worlds, print the comparison, and write results (./results) and a report (./report).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
gapcast="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast"
"$gapcast" compare scenarios/*.json --samples 10000 --out results
"$gapcast" report results -o report
echo "results in ./results (manifest.json says how to rerun), report in ./report/index.html"
