#!/usr/bin/env bash
# Everything the GPU machine checks, in one device call (device time is short): build engine, kernels, CLI and
# tests; run the GPU-labelled tests; check that converted folders load in transformers, and run there with
# attn_implementation="sparse_workbench" (LOAD_CHECK=0 and HF_CHECK=0 skip those; TRAINING_BENCH=1 adds the transformers training-step
# benchmark); profile a BERT-base-shaped model dense vs sparse end to end; and, if time is left, re-run the kernel
# benchmark at one length (PROFILE=0 and BENCH_START_BEFORE=0 skip those two).
# Results: $OUT/summary.txt (the tables) and $OUT/results.tgz (logs, JSON). Each stage has a time limit.
# Exits non-zero when the build, any test (GPU or not) or the transformers check fails; the summary names them.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/out}
work=$OUT/work
mkdir -p "$work"
summary=$OUT/summary.txt
start=$(date +%s)
elapsed() { echo $(($(date +%s) - start)); }
stamp() { echo "[$(elapsed) s] $*" | tee -a "$summary"; }
cli=/tmp/build-gpu/app/cli/sparse-workbench-cli
failed=()

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv >>"$summary" 2>&1
stamp "build"
if ! BUILD_DIR=/tmp/build-gpu .ci/gpu-build.sh >"$work/build.log" 2>&1; then
  # Keep going past a broken target so that everything else is still built and checked.
  stamp "build FAILED"; failed+=(build); grep -B2 -A12 -m3 "error:" "$work/build.log" | head -60 | tee -a "$summary"
  cmake --build /tmp/build-gpu -j "$(nproc)" -- -k 0 >>"$work/build.log" 2>&1
  [ -x "$cli" ] || { tar czf "$OUT/results.tgz" -C "$OUT" work; exit 1; }
fi
stamp "tests (label gpu, then the rest)"
timeout 120 ctest --test-dir /tmp/build-gpu -L gpu --output-on-failure -j 4 >"$work/ctest_gpu.txt" 2>&1 \
  || failed+=("gpu tests")
grep -E "tests passed|tests failed|\(Failed\)|\(SEGFAULT\)|Exception" "$work/ctest_gpu.txt" | tail -20 | tee -a "$summary"
# The whole suite must pass here too, not only the gpu label: every failing name goes into the summary.
# A per-test limit, so that a test that hangs here is named as such rather than stopping the stage's summary.
timeout 300 ctest --test-dir /tmp/build-gpu -LE gpu -j 16 --timeout 120 --output-on-failure >"$work/ctest_rest.txt" 2>&1 \
  || failed+=("other tests")
grep -E "tests passed|tests failed" "$work/ctest_rest.txt" | tail -2 | tee -a "$summary"
grep -E "^\s+[0-9]+ - " "$work/ctest_rest.txt" | head -60 | tee -a "$summary"
if [ "${LOAD_CHECK:-1}" = 1 ]; then
  stamp "transformers load check"
  timeout 90 bash tests/export/gpu_check.sh "$cli" "$work/export" >"$work/gpu_check.txt" 2>&1 \
    || failed+=("transformers load check")
  tail -30 "$work/gpu_check.txt" | tee -a "$summary"
fi
# transformers with attn_implementation="sparse_workbench" (issue 11): CLI parity, gradients, fine-tuning example.
# Its models go to /tmp, not into results.tgz; the fine-tuning log is kept.
ops=/tmp/build-gpu/ops/libsparse_workbench_ops.so
if [ "${HF_CHECK:-1}" = 1 ]; then
  stamp "transformers backend check"
  PYTHONPATH=$PWD/python timeout "${HF_CHECK_TIMEOUT:-240}" python3 tests/python/gpu_transformers_check.py \
    --cli "$cli" --library "$ops" --work /tmp/spw-hf-check >"$work/hf_check.txt" 2>&1 \
    || failed+=("transformers backend check")
  grep -E "^(PASS|FAIL) |^gpu_transformers_check" "$work/hf_check.txt" | tee -a "$summary"
  cp /tmp/spw-hf-check/finetune.log "$work/" 2>/dev/null
fi
if [ "${TRAINING_BENCH:-0}" = 1 ]; then
  stamp "training-step benchmark (transformers, BERT-base, bf16 autocast)"
  PYTHONPATH=$PWD/python timeout "${TRAINING_BENCH_TIMEOUT:-300}" python3 tests/python/bench_training_step.py \
    --library "$ops" >"$work/bench_training.txt" 2>&1
  grep -E "^\||^BERT" "$work/bench_training.txt" | tee -a "$summary"
  tail -3 "$work/bench_training.txt" | grep -v "^|" | tee -a "$summary"
fi
if [ "${PROFILE:-1}" = 1 ]; then
  stamp "profile"
  REPEATS=${REPEATS:-5} WARMUP=2 timeout ${PROFILE_TIMEOUT:-170} bash tests/profile/gpu_profile.sh "$cli" \
    "$work/profile" >"$work/profile.txt" 2>&1
  tail -40 "$work/profile.txt" | tee -a "$summary"
fi
if [ "$(elapsed)" -lt "${BENCH_START_BEFORE:-300}" ]; then
  stamp "kernel benchmark (L=8192)"
  PYTHONUNBUFFERED=1 timeout $((440 - $(elapsed))) python3 tests/kernels/bench_vs_flex.py --cli "$cli" \
    --out "$work/bench" --lengths 8192 >"$work/bench.txt" 2>&1
  tail -25 "$work/bench.txt" | tee -a "$summary"
fi
stamp "done"
# Logs and JSON only: the model folders the checks made would exceed what comes back.
tar czf "$OUT/results.tgz" -C "$OUT" --exclude='*.safetensors' --exclude='*.bin' work && rm -rf "$work"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" | tee -a "$summary"
  exit 1
fi
