#!/usr/bin/env bash
# Fuzzes the scenario loader with libFuzzer (clang-14, AddressSanitizer + UBSan).
#
#   scripts/fuzz.sh [SECONDS] [libFuzzer options...]
#
# SECONDS defaults to 600 (the ten-minute run done before closing a loader change); CI runs
# `scripts/fuzz.sh 60`. The script
#   1. configures and builds build-fuzz/ with clang++-14 and -DGAPCAST_BUILD_FUZZERS=ON (only
#      the engine library and fuzz/loader_fuzzer; no CLI, no tests);
#   2. assembles the seed corpus in build-fuzz/seeds/ from the shipped scenario, world and
#      policy files (also with world and policy inlined, so the fuzzer mutates their contents),
#      fuzz/seeds/ and the bad-input corpus tests/bad_inputs/;
#   3. fuzzes for SECONDS, growing the working corpus in fuzz/corpus-work/ (kept between runs,
#      ignored by git) with the dictionary fuzz/loader.dict. Loading a large corpus takes part
#      of a short run; delete the directory to start over, or shrink it with
#        build-fuzz/fuzz/loader_fuzzer -merge=1 fuzz/corpus-min fuzz/corpus-work
#      (then replace corpus-work by corpus-min). CI starts from the seeds alone.
# A crash, sanitizer report, timeout (>10 s for one input) or memory blow-up (>4 GiB) stops
# the run with a non-zero status; the input that caused it is written to
# build-fuzz/artifacts/ and can be replayed with
#   build-fuzz/fuzz/loader_fuzzer build-fuzz/artifacts/<file>
set -euo pipefail

seconds="${1:-600}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${GAPCAST_FUZZ_BUILD_DIR:-$root/build-fuzz}"
corpus="$root/fuzz/corpus-work"
seeds="$build/seeds"
artifacts="$build/artifacts"

if ! command -v clang++-14 >/dev/null; then
  echo "fuzz.sh: clang++-14 not found (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DGAPCAST_BUILD_FUZZERS=ON -DGAPCAST_BUILD_TESTS=OFF -DGAPCAST_BUILD_CLI=OFF \
  -DGAPCAST_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" --target loader_fuzzer

rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$artifacts"
cp "$root"/fuzz/seeds/*.json "$seeds"/
n=0
for f in "$root"/scenarios/*.json "$root"/scenarios/world/*.json "$root"/scenarios/policy/*.json \
         "$root"/tests/bad_inputs/*.json "$root"/tests/bad_inputs/support/*.json; do
  n=$((n + 1))
  cp "$f" "$seeds/shipped_${n}_$(basename "$f")"
done
# Each shipped scenario once more with its world and policy written inline.
python3 - "$root/scenarios" "$seeds" <<'PY'
import json, pathlib, sys
scenarios, seeds = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(scenarios.glob("*.json")):
    s = json.loads(path.read_text())
    for key in ("world", "policy"):
        if isinstance(s.get(key), str):
            s[key] = json.loads((scenarios / s[key]).read_text())
    (seeds / ("inline_" + path.name)).write_text(json.dumps(s, indent=1))
PY

echo "fuzz.sh: fuzzing for ${seconds}s; corpus in $corpus ($(ls "$corpus" | wc -l) inputs so far)"
"$build/fuzz/loader_fuzzer" "$corpus" "$seeds" \
  -dict="$root/fuzz/loader.dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=4096 -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
echo "fuzz.sh: done; corpus has $(ls "$corpus" | wc -l) inputs"
