#!/usr/bin/env bash
# End-to-end check that converted folders load in transformers (run on the GPU machine: torch + transformers).
# Builds nothing: give it an already built CLI.
#
#   tests/export/gpu_check.sh CLI_PATH [WORK_DIR]
#
# For each family (bert, roberta) it creates a small random model with the CLI, converts it twice (a dense
# extension, and an extension with block-sparse attention in some layers), and runs check_transformers_load.py on
# each result. Prints every verdict; exits 0 only when all of them pass.
set -uo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 CLI_PATH [WORK_DIR]   (CLI_PATH must be an executable sparse-workbench-cli)" >&2
  exit 2
fi
cli=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=${2:-$(mktemp -d /tmp/spw-gpu-check.XXXXXX)}
mkdir -p "$work"
python=${PYTHON:-python3}
failures=0

step() {  # step NAME COMMAND...: runs it, logs to WORK/NAME.log, counts a failure
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then
    echo "ok    $name"
  else
    echo "FAIL  $name (exit $?; log $work/$name.log):"
    tail -n 20 "$work/$name.log" | sed 's/^/      /'
    failures=$((failures + 1))
    return 1
  fi
}

cat >"$work/sparsity.json" <<'JSON'
{"sparse_attention": {"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
                      "num_global_blocks": 1}}
JSON

for family in bert roberta; do
  src=$work/${family}_src
  rm -rf "$src" "$work/${family}_dense" "$work/${family}_sparse"
  step "${family}_create" "$cli" create --out "$src" --type "$family" --layers 2 --hidden 64 --heads 4 \
    --intermediate 128 --max-position 128 --seed 3 || continue
  if step "${family}_convert_dense" "$cli" convert "$src" --out "$work/${family}_dense" --max-position 300; then
    step "${family}_check_dense" "$python" "$here/check_transformers_load.py" --converted "$work/${family}_dense" \
      --original "$src" --max-length 300 --dense-extension --cli "$cli"
    grep -h '"verdict"' "$work/${family}_check_dense.log" | sed "s/^/      ${family} dense: /"
  fi
  if step "${family}_convert_sparse" "$cli" convert "$src" --out "$work/${family}_sparse" --max-position 256 \
    --sparsity "$work/sparsity.json" --layers 0,1 --seed 5; then
    step "${family}_check_sparse" "$python" "$here/check_transformers_load.py" --converted "$work/${family}_sparse" \
      --original "$src" --max-length 256 --sparse --cli "$cli"
    grep -h '"verdict"' "$work/${family}_check_sparse.log" | sed "s/^/      ${family} sparse: /"
  fi
done

echo "logs in $work"
if [ "$failures" -eq 0 ]; then
  echo "gpu_check: PASS"
  exit 0
fi
echo "gpu_check: FAIL ($failures step(s))"
exit 1
