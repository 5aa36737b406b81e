#!/usr/bin/env bash
# Dash's sampler and learner against the plain PyTorch eager loop of the same shapes (../shared/bench/torch_peer.py),
# side by side: the peer and each Dash build run alternately, ROUNDS times, one torch thread each, and the table takes
# the median over rounds of each run's median-of-3. Usage (from the repository root, after a Release build of
# bench/Dash.Bench.Model):
#   bench/peer.sh OUT_DIR                      # tiny shape, 2 rounds, this checkout's build only
#   MODELS=tiny,small ROUNDS=3 BEFORE=/path/to/other/Dash.Bench.Model.dll bench/peer.sh OUT_DIR
# Writes OUT_DIR/peer-<model>-<round>.json, OUT_DIR/dash-<label>-<model>-<round>.md and OUT_DIR/peer.md (the table).
set -euo pipefail
out=${1:?usage: bench/peer.sh OUT_DIR}
models=${MODELS:-tiny}
rounds=${ROUNDS:-2}
python=${PYTHON:-/usr/bin/python3}
peer=${PEER:-../shared/bench/torch_peer.py}
after=bench/Dash.Bench.Model/bin/Release/net10.0/Dash.Bench.Model.dll
[ -f "$after" ] || { echo "bench/peer.sh: $after not found; run: dotnet build bench/Dash.Bench.Model -c Release" >&2; exit 2; }
[ -f "$peer" ] || { echo "bench/peer.sh: the peer $peer not found (set PEER=...)" >&2; exit 2; }
# Debian's python3-torch lives in /usr/lib/python3/dist-packages, which a python3 of its own (pyenv) does not search.
if ! "$python" -c 'import torch' 2>/dev/null && [ -d /usr/lib/python3/dist-packages/torch ]; then
  export PYTHONPATH=/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
fi
"$python" -c 'import torch' 2>/dev/null || { echo "bench/peer.sh: $python has no torch (apt install python3-torch libopenblas0-pthread)" >&2; exit 2; }
# Debian's torch calls whatever libblas.so.3 the alternatives system points at: the reference BLAS (libblas3) is 3-10x
# slower than OpenBLAS and would make the peer look slow, so refuse it.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
  *openblas*|"") ;;
  *) echo "bench/peer.sh: libblas.so.3 is $blas (the reference BLAS); the peer needs OpenBLAS: apt install libopenblas0-pthread" >&2; exit 2 ;;
esac
echo "peer BLAS: ${blas:-unknown}" >&2
mkdir -p "$out"
builds=("after=$after")
[ -n "${BEFORE:-}" ] && builds=("before=$BEFORE" "${builds[@]}")
for model in ${models//,/ }; do
  for r in $(seq 1 "$rounds"); do
    echo "[$(date +%T)] $model round $r: peer (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    "$python" "$peer" "$model" > "$out/peer-$model-$r.json"
    for b in "${builds[@]}"; do
      label=${b%%=*}; dll=${b#*=}
      echo "[$(date +%T)] $model round $r: dash $label (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      dotnet "$dll" --models "$model" --threads 1 --out "$out/dash-$label-$model-$r.md" >/dev/null 2>&1
    done
  done
done
"$python" - "$out" "$models" "$rounds" "${builds[@]%%=*}" > "$out/peer.md" <<'PY'
import json, re, statistics, sys
out, models, rounds, labels = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4:]
def dash_rows(path):
    text = open(path).read()
    row = lambda title: [float(x.replace(",", "")) for x in re.search(r"\| " + title + r" \|(.*)\|", text).group(1).split("|")]
    return row("new tokens/s"), row("train tokens/s")
def med(xs): return statistics.median(xs)
print(f"Side by side, {rounds} rounds (peer, then each Dash build), median over rounds; one torch thread.\n")
for m in models:
    peers = [json.load(open(f"{out}/peer-{m}-{r}.json")) for r in range(1, rounds + 1)]
    sb, tb = [1, 4, 16, 64, 256], [1, 4, 16, 64]
    ps = [med([p[m]["sample"][str(b)] for p in peers]) for b in sb]
    pt = [med([p[m]["train"][str(b)] for p in peers]) for b in tb]
    print(f"**{m}** (PyTorch {peers[0]['torch']})\n")
    print("| new tokens/s at sampling batch | " + " | ".join(map(str, sb)) + " |")
    print("|---|" + "---|" * len(sb))
    print("| PyTorch peer | " + " | ".join(f"{v:,.0f}" for v in ps) + " |")
    dash = {}
    for l in labels:
        runs = [dash_rows(f"{out}/dash-{l}-{m}-{r}.md") for r in range(1, rounds + 1)]
        dash[l] = ([med([x[0][i] for x in runs]) for i in range(len(sb))], [med([x[1][i] for x in runs]) for i in range(len(tb))])
        print(f"| Dash {l} | " + " | ".join(f"{v:,.0f}" for v in dash[l][0]) + " |")
    for l in labels:
        print(f"| Dash {l} / peer | " + " | ".join(f"{d / p:.2f}×" for d, p in zip(dash[l][0], ps)) + " |")
    print("\n| train tokens/s at micro-batch | " + " | ".join(map(str, tb)) + " |")
    print("|---|" + "---|" * len(tb))
    print("| PyTorch peer | " + " | ".join(f"{v:,.0f}" for v in pt) + " |")
    for l in labels:
        print(f"| Dash {l} | " + " | ".join(f"{v:,.0f}" for v in dash[l][1]) + " |")
    for l in labels:
        print(f"| Dash {l} / peer | " + " | ".join(f"{d / p:.2f}×" for d, p in zip(dash[l][1], pt)) + " |")
    print()
PY
cat "$out/peer.md"
