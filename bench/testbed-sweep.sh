#!/usr/bin/env bash
# Sweep of the built-in testbed's defaults (issue #17): one `dash train` per line of settings, timed.
# Usage: bench/testbed-sweep.sh RUNS_DIR NAME [--set key=value ...]
#   e.g. bench/testbed-sweep.sh /tmp/sw A --set model.warmup-steps=200 --steps 100
# Writes RUNS_DIR/NAME.log (the run's output, the load average before and after, /usr/bin/time's wall, user and sys)
# and prints one line: NAME, accuracies before/after warm-up/after RL, wall, user, sys, load. Build first:
#   dotnet build src/Dash.Host/Dash.Host.csproj -c Release
set -euo pipefail
runs=$1; name=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$runs"
log="$runs/$name.log"
{ echo "command: dash train --runs-dir $runs --run-id $name $*"; echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$log"
/usr/bin/time -f "time: %e s wall, %U s user, %S s sys" -a -o "$log.time" \
  dotnet "$root/src/Dash.Host/bin/Release/net10.0/dash.dll" train --runs-dir "$runs" --run-id "$name" "$@" >> "$log" 2>&1
{ cat "$log.time"; echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"; } >> "$log"; rm -f "$log.time"
acc=$(grep -E "^  (before|after)" "$log" | grep -oE '[0-9.]+ %' | tr -d ' ' | paste -sd' ')
evals=$(grep -E "^eval after step" "$log" | grep -oE 'accuracy [0-9.]+' | cut -d' ' -f2 | paste -sd'/')
echo "$name | $* | $acc | evals $evals | $(grep '^time:' "$log" | cut -d' ' -f2-) | load $(grep '^load before' "$log" | cut -d' ' -f3) -> $(grep '^load after' "$log" | cut -d' ' -f3)"
