#!/usr/bin/env bash
# Reproduces BENCHMARKS.md "On a GPU" on a CUDA machine with PyTorch installed: publishes dash and the model benchmark
# without a bundled libtorch (-p:DashExternalLibTorch=true), points them at PyTorch's libtorch, runs the headline at
# the default and at the paper's batch, the bottleneck curve (tiny in float32; the Qwen2.5-0.5B shape in float32 and
# bfloat16), and draws the plots. Sized to finish in about 8 minutes on an H100/H200 (one repeat per headline;
# REPEATS=3 for medians of interleaved repeats, about twice as long).
#   bench/gpu.sh [results-dir]          (default bench/results)
# Environment: DEVICE (default cuda), QUICK=1 (a seconds-long smoke run of the same steps), LIBTORCH_DIR (default:
# the lib folder of python3's torch).
set -euo pipefail
cd "$(dirname "$0")/.."
results="${1:-bench/results}"
device="${DEVICE:-cuda}"
mkdir -p "$results" out
if [ -z "${LIBTORCH_DIR:-}" ]; then
  LIBTORCH_DIR=$(python3 -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))") || {
    echo "bench/gpu.sh: python3 cannot import torch; set LIBTORCH_DIR to a libtorch lib folder" >&2; exit 2; }
fi
export LD_LIBRARY_PATH="$LIBTORCH_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "(no nvidia-smi)"

dotnet publish src/Dash.Host -c Release -p:DashExternalLibTorch=true -o out/dash-gpu --nologo -v q
dotnet publish bench/Dash.Bench.Model -c Release -p:DashExternalLibTorch=true -o out/bench-model-gpu --nologo -v q
dash=(dotnet out/dash-gpu/dash.dll)

if [ "${QUICK:-0}" = 1 ]; then
  small=(--set model.warmup-steps=2 --set model.warmup-batch=8 --set run.eval-problems=8 --set sampling.max-new-tokens=16)
  steps=(--steps 2 --repeats 1)
  curves=("--models tiny --quick --dtypes float32,bfloat16")
else
  small=()
  steps=(--steps 30 --repeats "${REPEATS:-1}")
  curves=("--models tiny" "--models qwen-0.5b --dtypes float32,bfloat16")
fi

"${dash[@]}" bench compare --algorithms grpo,dash,dash-nogf "${steps[@]}" --set model.device="$device" "${small[@]}" \
  --runs-dir out/gpu-runs -o "$results/compare-gpu.md"
if [ "${QUICK:-0}" = 1 ]; then steps=(--steps 2 --repeats 1); else steps=(--steps 20 --repeats "${REPEATS:-1}"); fi
"${dash[@]}" bench compare --algorithms grpo,dash "${steps[@]}" --set model.device="$device" "${small[@]}" \
  --set sampling.prompts-per-step=64 --set sampling.batch-size=256 --runs-dir out/gpu-runs -o "$results/compare-gpu-m64.md"
i=0
for curve in "${curves[@]}"; do
  i=$((i + 1))
  # shellcheck disable=SC2086 # each entry is a list of flags
  dotnet out/bench-model-gpu/Dash.Bench.Model.dll $curve --device "$device" --threads 1 --out "$results/model-gpu-$i.md"
done
cat "$results"/model-gpu-[0-9]*.md > "$results/model-gpu.md"
"${dash[@]}" bench plot "$results/model-gpu.md"
echo "bench/gpu.sh: results in $results (compare-gpu.md, compare-gpu-m64.md, model-gpu.md and their plots)"
