#!/usr/bin/env bash
# Real 1-process, 1-sampler-node and 3-sampler-node runs on this machine against `dash simulate`'s prediction for the
# same settings: mean seconds per training step (StepReport.Seconds, from each run's metrics.jsonl).
#   bench/cluster-vs-sim.sh [steps]        (run from the repository root; writes bench/results/cluster-vs-sim.md)
set -euo pipefail
steps=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
dash="dotnet $root/src/Dash.Host/bin/Release/net10.0/dash.dll"
work=$(mktemp -d /tmp/dash-cluster-vs-sim-XXXX)
common=(--steps "$steps" --runs-dir "$work/runs" --set sampling.batch-size=32 --set run.eval-every=0 --set run.eval-problems=0)
mean() { python3 -c "import json,sys; xs=[json.loads(l)['Seconds'] for l in open(sys.argv[1])][1:]; print(f'{sum(xs)/len(xs):.3f}')" "$1"; }

$dash train "${common[@]}" --run-id one >/dev/null
one=$(mean "$work/runs/one/metrics.jsonl")

cluster() { # $1 = sampler nodes
  local id="nodes$1" port=$((4700 + $1))
  $dash node --role coordinator,learner --port $port --run-id "$id" "${common[@]}" >"$work/$id.log" 2>&1 &
  local coordinator=$!
  for i in $(seq 1 "$1"); do $dash node --role sampler --seed-nodes 127.0.0.1:$port "${common[@]}" >"$work/$id-s$i.log" 2>&1 & done
  wait $coordinator
  wait
  mean "$work/runs/$id/metrics.jsonl"
}
n1=$(cluster 1)
n3=$(cluster 3)
sim=$($dash simulate --samplers 1,3 --steps "$steps" --algorithms dash --set sampling.batch-size=32 --csv "$work/sim.csv" >/dev/null && \
  python3 -c "import csv,sys; print(' '.join(f\"{float(x['step_seconds']):.3f}\" for x in csv.DictReader(open(sys.argv[1]))))" "$work/sim.csv")
read -r sim1 sim3 <<<"$sim"
{
  echo "Machine: $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg). Default dash settings with sampling.batch-size=32 (4 shards per step), $steps steps, no evaluation; mean step seconds excluding the first step."
  echo
  echo "| deployment | measured s/step | dash simulate s/step |"
  echo "|---|---|---|"
  echo "| dash train (1 process, 1 sampler) | $one | $sim1 |"
  echo "| coordinator + 1 sampler node | $n1 | $sim1 |"
  echo "| coordinator + 3 sampler nodes | $n3 | $sim3 |"
} | tee "$root/bench/results/cluster-vs-sim.md"
rm -rf "$work"
