#!/usr/bin/env bash
# The README's test command, N times in a row (default 3), while another process keeps
# every core busy: the suite must not depend on how fast the machine is (tests wait on
# events, never on sleeps). Uses stress-ng when installed, else one busy Python loop per
# core. Stops at the first red run; prints each run's result and duration.
#
#     bash scripts/suite-under-load.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
mkdir -p test-artifacts
cores=$(nproc)

if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu "$cores" --quiet &
else
  for _ in $(seq "$cores"); do python3 -c 'while True: pass' & done
fi
trap 'kill $(jobs -p) 2>/dev/null' EXIT

for run in $(seq "$runs"); do
  started=$(date +%s)
  make test >"test-artifacts/under-load-$run.log" 2>&1
  status=$?
  echo "run $run/$runs under load: $([ $status -eq 0 ] && echo green || echo RED) in $(( $(date +%s) - started )) s ($(tail -1 "test-artifacts/under-load-$run.log"))"
  [ $status -eq 0 ] || exit $status
done
