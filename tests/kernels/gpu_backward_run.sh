#!/usr/bin/env bash
# One device call for the backward (issue 10): build the CLI and the kernel tests only, run the tests, then the
# forward + backward benchmark (bench_backward.py) in what is left of DEADLINE seconds (default 400) after the start.
# Writes log.txt, build.log, tests.txt, bench.txt, results.json and table.md under $OUT. BENCH_ARGS passes options
# to the benchmark; TESTS lists the test binaries to run.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
start=$(date +%s)
deadline=${DEADLINE:-400}
stamp() { echo "[$(($(date +%s) - start)) s] $*" | tee -a "$OUT/log.txt"; }
stamp "build"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu --format=csv >>"$OUT/log.txt" 2>&1
tests=${TESTS:-test_kernel_lut test_cuda_backward test_cuda_attention}
BUILD_TARGETS="sparse-workbench-cli $tests" BUILD_DIR=/tmp/build-gpu .ci/gpu-build.sh >"$OUT/build.log" 2>&1 ||
  { stamp "build failed"; grep -E "error|Error" "$OUT/build.log" | head -40; exit 1; }
stamp "built"
for t in $tests; do
  timeout 150 /tmp/build-gpu/tests/kernels/$t --gtest_brief=1 >>"$OUT/tests.txt" 2>&1
  stamp "$t rc=$?"
done
grep -E "FAILED|Failure|PASSED|error" "$OUT/tests.txt" | head -40
left=$((deadline - ($(date +%s) - start)))
stamp "benchmark, ${left} s left"
PYTHONUNBUFFERED=1 timeout $((left > 20 ? left - 10 : 10)) python3 tests/kernels/bench_backward.py \
  --cli /tmp/build-gpu/app/cli/sparse-workbench-cli --out "$OUT" --budget $((left > 100 ? left - 65 : 0)) \
  ${BENCH_ARGS:-} >"$OUT/bench.txt" 2>&1
stamp "benchmark rc=$?"
tail -30 "$OUT/bench.txt"
