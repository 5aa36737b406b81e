#!/usr/bin/env bash
# Runs every Dash test (tests/ and the samples/ specs) and prints one closing line "N passed, N failed, N skipped" from the TRX results.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Sampler"]
set -uo pipefail
cd "$(dirname "$0")"
bash scripts/ensure-native.sh || exit 1

config="${DASH_CONFIGURATION:-Release}"
results=TestResults
rm -rf "$results"
dotnet build Dash.sln --configuration "$config" --nologo -v quiet || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
status=0
for project in tests/*/*.Tests.csproj samples/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --configuration "$config" --no-build --nologo --results-directory "$results/$name" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" "$@" || status=1
done

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  p=${p:-0}; f=${f:-0}; total=${total:-0}; executed=${executed:-0}
  e=$(get error); t=$(get timeout); a=$(get aborted)
  f=$((f + ${e:-0} + ${t:-0} + ${a:-0}))
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + total - executed))
done
if [ "$files" -eq 0 ]; then
  echo "no test results were written (the build or the test host failed)" >&2
  failed=$((failed + 1))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failing test result (a crashed test host, a build error): count it.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
