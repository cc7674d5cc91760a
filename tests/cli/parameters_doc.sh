#!/usr/bin/env bash
# docs/parameters.md must be what `gapcast parameters` prints for the shipped world today.
# Usage: parameters_doc.sh <gapcast binary> <source dir>
set -euo pipefail
gapcast="$1"
src="$2"
cd "$src"
expected="$("$gapcast" parameters scenarios/baseline.json)"
actual="$(sed -n '/^### /,$p' docs/parameters.md)"
if [ "$(printf '%s\n' "$expected" | sed -n '/^### /,$p')" != "$actual" ]; then
  echo "FAIL: docs/parameters.md is stale; run: bash scripts/update_parameters_doc.sh" >&2
  exit 1
fi
echo ok
