#!/usr/bin/env bash
# One device call: build (engine, kernels, CLI, tests), run the kernel tests, then the benchmark against
# cuDNN/flash SDPA and FlexAttention. Logs and results go under $OUT. Stages: BENCH_ARGS passes options to the
# benchmark; SKIP_TESTS=1 skips the tests.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
start=$(date +%s)
stamp() { echo "[$(($(date +%s) - start)) s] $*"; }
stamp "build" | tee "$OUT/log.txt"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu --format=csv >>"$OUT/log.txt" 2>&1
BUILD_DIR=/tmp/build-gpu .ci/gpu-build.sh >>"$OUT/log.txt" 2>&1 || { stamp "build failed"; tail -60 "$OUT/log.txt"; exit 1; }
stamp "built" | tee -a "$OUT/log.txt"
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  timeout 200 ctest --test-dir /tmp/build-gpu -L 'gpu|kernels' --output-on-failure -j 1 >"$OUT/ctest.txt" 2>&1
  stamp "tests rc=$?" | tee -a "$OUT/log.txt"
  grep -E "tests passed|FAILED|Failed|Passed|Skipped" "$OUT/ctest.txt" | tail -40
fi
PYTHONUNBUFFERED=1 timeout ${BENCH_TIMEOUT:-300} python3 tests/kernels/bench_vs_flex.py \
  --cli /tmp/build-gpu/app/cli/sparse-workbench-cli --out "$OUT" ${BENCH_ARGS:-} 2>&1 | tee "$OUT/bench.txt" | tail -60
stamp "done" | tee -a "$OUT/log.txt"
