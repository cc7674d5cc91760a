#!/usr/bin/env bash
# End-to-end checks of `gapcast run` through the real binary:
#   * results.json, series.csv and scalars.csv are byte-identical for --threads 1 and 2;
#   * the manifest records seed, samples, threads, solver settings and scenario SHA-256s;
#   * bad usage exits 2 and writes nothing; --help documents the exit statuses.
# Usage: run_outputs.sh <gapcast binary> <source dir>
set -euo pipefail
gapcast="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

scenarios=("$src/scenarios/baseline.json" "$src/scenarios/comprehensive_embargo.json"
           "$src/scenarios/no_controls.json")
"$gapcast" run "${scenarios[@]}" --samples 200 --seed 11 --threads 1 --horizon 2029-12 \
  --quiet --no-progress --out "$work/t1"
"$gapcast" compare "${scenarios[@]}" --samples 200 --seed 11 --threads 2 --horizon 2029-12 \
  --quiet --no-progress --out "$work/t2"
for f in results.json series.csv scalars.csv; do
  cmp -s "$work/t1/$f" "$work/t2/$f" || fail "$f differs between --threads 1 and --threads 2"
done

manifest="$work/t1/manifest.json"
for key in '"seed": 11' '"samples": 200' '"threads": 1' '"rel_tolerance"' '"git_commit"' \
           '"wall_seconds"' '"rerun"'; do
  grep -q "$key" "$manifest" || fail "manifest lacks $key"
done
digest=$(sha256sum "$src/scenarios/world/default.json" | cut -d' ' -f1)
grep -q "$digest" "$manifest" || fail "manifest lacks the world file's SHA-256"
digest=$(sha256sum "$work/t1/series.csv" | cut -d' ' -f1)
grep -q "$digest" "$manifest" || fail "manifest lacks series.csv's SHA-256"

# Bad usage: exit 2, nothing written.
set +e
"$gapcast" run "${scenarios[0]}" --samples 0 --out "$work/bad" >/dev/null 2>&1
status=$?
set -e
[ "$status" -eq 2 ] || fail "--samples 0 exited $status, expected 2"
[ ! -e "$work/bad" ] || fail "--samples 0 wrote $work/bad"
set +e
"$gapcast" run "$work/missing.json" --out "$work/bad" >/dev/null 2>&1
status=$?
set -e
[ "$status" -eq 2 ] || fail "a missing scenario file exited $status, expected 2"
[ ! -e "$work/bad" ] || fail "a missing scenario file produced output"

"$gapcast" --help | grep -q "Exit status" || fail "--help does not document exit statuses"
echo "ok"
