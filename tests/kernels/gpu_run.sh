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
if [ -n "${NCU_CASES:-}" ] && command -v ncu >/dev/null; then
  for case in $NCU_CASES; do  # mode:block:L:B
    IFS=: read -r mode block len batch <<<"$case"
    echo "{\"mode\": \"$mode\", \"block\": $block}" >/tmp/ncu_$mode.json
    timeout 90 ncu --clock-control none --kernel-name regex:blockSparseForward --launch-count 1 \
      --section SpeedOfLight --section Occupancy --section MemoryWorkloadAnalysis --section LaunchStats \
      /tmp/build-gpu/app/cli/sparse-workbench-cli bench-attention --config /tmp/ncu_$mode.json --seq-len "$len" \
      --batch "$batch" --heads 12 --head-dim 64 --repeats 1 --warmup 0 --kernel tiled >>"$OUT/ncu.txt" 2>&1
  done
  stamp "ncu done" | tee -a "$OUT/log.txt"
fi
