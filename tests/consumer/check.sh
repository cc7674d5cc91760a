#!/usr/bin/env bash
# Installs gapcast::core from a configured build tree into a temporary prefix, builds the
# consumer project against the installed package only, and runs it on a shipped scenario.
#   bash tests/consumer/check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --component gapcast_cpp --prefix "$work/prefix" >/dev/null
cmake -S "$source/tests/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer" "$source/scenarios/baseline.json"
