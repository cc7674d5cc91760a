#!/usr/bin/env bash
# Installs everything gapcast needs on a fresh Debian 12 machine and installs gapcast itself
# (the Python package, its compiled core and the `gapcast` command) into the Python found as
# `python3`. Safe to run again: packages already present are skipped.
#
#   bash scripts/setup.sh            # runtime dependencies
#   bash scripts/setup.sh --test     # also the test tools (GoogleTest, pytest, nbclient, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    *) echo "setup.sh: unknown option $arg (expected --test)" >&2; exit 2 ;;
  esac
done

# C++ toolchain and libraries, all from Debian's packages (nothing is downloaded or vendored).
packages=(g++ make ninja-build git
          libeigen3-dev libboost-dev libtbb-dev nlohmann-json3-dev librandom123-dev
          libvalijson-dev libcli11-dev libgtest-dev)
if [ "$with_tests" = 1 ]; then
  # clang and its sanitizer runtime build the libFuzzer target of the scenario loader.
  packages+=(clang libclang-rt-14-dev)
  # The report tests compile the LaTeX tables with pdflatex (booktabs is in the recommended
  # set) and load index.html in headless Chromium.
  packages+=(texlive-latex-base texlive-latex-recommended chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup.sh: installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# CMake >= 3.24 is needed; Debian 12 has 3.25, and pip's cmake works as well.
if ! command -v cmake >/dev/null 2>&1; then
  python3 -m pip install --quiet "cmake>=3.24"
fi

# The Python package: scikit-build-core compiles the engine, the pybind11 module and the CLI.
extras=""
[ "$with_tests" = 1 ] && extras="[test]"
echo "setup.sh: building and installing gapcast (C++ engine, Python package, CLI)"
python3 -m pip install --quiet ".${extras}"
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true

bin="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/gapcast"
"$bin" --version
