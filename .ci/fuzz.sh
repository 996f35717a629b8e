#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) in build-fuzz with clang, ASan and UBSan (the `fuzz` preset), then
# runs each for a bounded time from its committed seed corpus. Any finding fails the step: a sanitizer report, an
# exception other than spw::Error, a broken invariant ("FUZZ FINDING"), a timeout or running out of memory. For each
# one it prints the harness, the saved input and the start of the report.
#   SPW_FUZZ_SECONDS  seconds per harness (default 30)
#   SPW_FUZZERS       harnesses to run (default: every folder of tests/fuzz/seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SPW_FUZZ_SECONDS:-30}
harnesses=${SPW_FUZZERS:-$(ls tests/fuzz/seeds)}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

findings=build-fuzz/findings
rm -rf "$findings" && mkdir -p "$findings"
# LibTorch and the C++ runtime keep process-lifetime allocations that LeakSanitizer would report at exit
# (tests/fuzz/README.md); every other check stays on, and UBSan aborts on its first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for name in $harnesses; do
  corpus=$(mktemp -d)  # new inputs go here, so the committed seeds stay as they are
  log=$findings/$name.log
  dict=(); [ -f tests/fuzz/dicts/"$name".dict ] && dict=(-dict=tests/fuzz/dicts/"$name".dict)
  if build-fuzz/tests/fuzz/fuzz_"$name" "$corpus" tests/fuzz/seeds/"$name" "${dict[@]}" -max_total_time="$seconds" \
       -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/$name-" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz_$name: no findings in ${seconds} s (${runs:-?} runs, ${rate:-?} exec/s)"
  else
    failed+=("$name")
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -1)
    echo "FUZZ FAILURE: fuzz_$name"
    echo "  input:     ${input:-(none saved; see $log)}"
    echo "  replay:    build-fuzz/tests/fuzz/fuzz_$name ${input:-INPUT}"
    echo "  full log:  $log"
    grep -m1 -A24 -E "^==[0-9]+==ERROR|runtime error:|FUZZ FINDING|ERROR: libFuzzer|terminate called" "$log" |
      sed 's/^/  | /'
  fi
  rm -rf "$corpus"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
