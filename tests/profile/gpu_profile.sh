#!/usr/bin/env bash
# GPU profile of a BERT-base-shaped demo model (12 layers, hidden 768, 12 heads), fp16 on CUDA: dense attention
# (LibTorch's fused SDPA) against block-sparse layouts, one `profile` run per sequence length. Writes one JSON per
# length and profile_table.md under the output folder, and prints the table.
#
# Usage: tests/profile/gpu_profile.sh CLI [OUT_DIR]
#   CLI      the built sparse-workbench-cli (e.g. /tmp/build-gpu/app/cli/sparse-workbench-cli)
#   OUT_DIR  where results go (default: $OUT, the device machine's result folder, else the current folder)
# Environment: REPEATS (default 10), WARMUP (default 3), LENGTHS ("L:B ..." pairs, default below).
set -euo pipefail
cli=${1:?usage: gpu_profile.sh CLI [OUT_DIR]}
out=${2:-${OUT:-.}}
repeats=${REPEATS:-10}
warmup=${WARMUP:-3}
# Batch per length: about 64k tokens where memory allows; batch 8 at 8192 is the done-when target.
lengths=${LENGTHS:-"1024:16 2048:16 4096:8 8192:8 16384:4"}
mkdir -p "$out"
configs=$(mktemp -d)
trap 'rm -rf "$configs"' EXIT

# DeepSpeed's configurations, at the blocks the anchors in shared/gpu.md use (fixed also at DeepSpeed's default 16).
cat > "$configs/bslongformer64.json" <<'JSON'
{"mode": "bslongformer", "block": 64, "num_sliding_window_blocks": 3, "global_block_indices": [0]}
JSON
cat > "$configs/bslongformer16.json" <<'JSON'
{"mode": "bslongformer", "block": 16, "num_sliding_window_blocks": 3, "global_block_indices": [0]}
JSON
cat > "$configs/bigbird64.json" <<'JSON'
{"mode": "bigbird", "block": 64, "num_random_blocks": 1, "num_sliding_window_blocks": 3, "num_global_blocks": 1}
JSON
cat > "$configs/fixed64.json" <<'JSON'
{"mode": "fixed", "block": 64, "num_local_blocks": 4, "num_global_blocks": 1}
JSON
cat > "$configs/fixed16.json" <<'JSON'
{"mode": "fixed", "block": 16, "num_local_blocks": 4, "num_global_blocks": 1}
JSON
cat > "$configs/local64.json" <<'JSON'
{"mode": "local", "block": 64, "num_sliding_window_blocks": 3, "attention": "bidirectional"}
JSON

sparsity=()
for name in bslongformer64 bslongformer16 bigbird64 fixed64 fixed16 local64; do
  sparsity+=(--sparsity "$configs/$name.json")
done

status=0
for pair in $lengths; do
  length=${pair%%:*}
  batch=${pair##*:}
  echo "== L=$length batch=$batch" >&2
  if ! "$cli" profile --demo --demo-layers 12 --demo-hidden 768 --demo-heads 12 --demo-intermediate 3072 \
      --device cuda --dtype float16 --seq-lens "$length" --batch "$batch" --repeats "$repeats" --warmup "$warmup" \
      "${sparsity[@]}" --json "$out/profile_L$length.json" > /dev/null; then
    echo "profile failed at L=$length batch=$batch" >&2
    status=1
  fi
done

python3 - "$out" <<'PY' | tee "$out/profile_table.md"
import glob, json, os, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "profile_L*.json")),
               key=lambda f: int(os.path.basename(f)[9:-5]))
if not files:
    sys.exit("no results")
machine = json.load(open(files[0]))["machine"]
print(f"GPU: {machine.get('gpu_name', '?')}, LibTorch {machine['libtorch_version']}; BERT-base shape demo "
      "(12 layers, 768, 12 heads), fp16, whole-encoder forward, median ms of the timed repeats")
print()
print("| L | B | layout | density | dense ms | sparse ms | speedup | dense attn ms | sparse attn ms "
      "| dense peak MiB | sparse peak MiB | max abs diff | cosine |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for f in files:
    for r in json.load(open(f))["results"]:
        attn = lambda key: sum(l["attention_ms"] for l in r[key])
        print(f"| {r['seq_len']} | {r['batch']} | {r['layout']} | {100 * r['density']:.1f}% | {r['dense_ms']:.2f} "
              f"| {r['sparse_ms']:.2f} | {r['speedup']:.2f}x | {attn('dense_per_layer'):.2f} "
              f"| {attn('per_layer'):.2f} | {r['dense_peak_mib']:.0f} | {r['sparse_peak_mib']:.0f} "
              f"| {r['max_abs_diff']:.3g} | {r['cosine']:.5f} |")
PY
exit $status
