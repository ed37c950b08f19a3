#!/usr/bin/env bash
# One entry point for a fresh machine (Debian 12, Python >= 3.11):
#   bash setup.sh demo    install what is missing, then run `exactrelu demo`
#   bash setup.sh test    install what is missing, then run the default test suite
#   bash setup.sh slow    ... then the slow tests and the thorough Hypothesis profile
#   bash setup.sh bench   ... then the benchmarks (bench/run_all.py)
# Installs Debian's libcdd-dev and libgmp-dev (needed to build pycddlib, which has no
# Linux wheel) with apt-get -- as root directly, otherwise through sudo -- and the
# package with its test, plots and bench extras into ./.venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
what="${1:-demo}"; shift || true

py="${PYTHON:-python3}"
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "setup.sh: Python >= 3.11 is required (found $("$py" --version 2>&1))" >&2; exit 2; }

missing=()
for pkg in libcdd-dev libgmp-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup.sh: installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup.sh: creating .venv"
    "$py" -m venv .venv
fi
stamp=.venv/.exactrelu-installed
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup.sh: installing exactrelu and its dependencies into .venv (first time: about a minute)"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,plots,bench]"
    echo "$want" > "$stamp"
fi

export SYMPY_GROUND_TYPES=flint
case "$what" in
    demo)  exec .venv/bin/exactrelu demo "$@" ;;
    test)  exec .venv/bin/python -m pytest "$@" ;;
    slow)  HYPOTHESIS_PROFILE=thorough exec .venv/bin/python -m pytest -m "slow or not slow" "$@" ;;
    bench) exec .venv/bin/python bench/run_all.py "$@" ;;
    *) echo "usage: bash setup.sh demo|test|slow|bench [args]" >&2; exit 2 ;;
esac
