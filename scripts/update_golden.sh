#!/usr/bin/env bash
# Regenerates tests/golden/shipped, the pinned results of the five shipped scenarios that
# tests/python/test_results_diff.py compares every run against (gapcast diff). Run it only after
# a deliberate change to the model or the shipped files, and say in the commit why the numbers
# moved (`gapcast diff tests/golden/shipped NEW` shows what moved most).
#   bash scripts/update_golden.sh [path/to/gapcast]
set -euo pipefail
cd "$(dirname "$0")/.."
gapcast="${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast}"
"$gapcast" compare scenarios/baseline.json scenarios/comprehensive_embargo.json \
  scenarios/incremental_tightening.json scenarios/multilateral_alignment.json \
  scenarios/no_controls.json --samples 1000 --seed 7 --horizon 2030-12 --quantiles 5,50,95 \
  -q --no-progress --out tests/golden/shipped
# results.json holds everything the comparison reads; the CSV views are left out of the tree.
rm -f tests/golden/shipped/series.csv tests/golden/shipped/scalars.csv
echo "tests/golden/shipped regenerated; review with: gapcast diff <old copy> tests/golden/shipped"
