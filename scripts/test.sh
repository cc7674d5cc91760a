#!/usr/bin/env bash
# Sets everything up and runs every test: the GoogleTest suite (through ctest, warnings as
# errors) and the Python suite (pytest), including the executed example notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

# The benchmarks are built too (not run), so that they cannot fall out of step with the core.
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DGAPCAST_BUILD_TESTS=ON -DGAPCAST_BUILD_BENCHMARKS=ON -DGAPCAST_WERROR=ON
cmake --build build/test
ctest --test-dir build/test --output-on-failure

GAPCAST_CLI="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast" \
  python3 -m pytest tests/python -q
