#!/usr/bin/env python3
"""Block-sparse attention forward: our CUDA kernels against cuDNN / flash SDPA (dense) and FlexAttention with a
BlockMask built from the same layout, on gpu.md's shapes (12 heads, head dim 64, fp16, batch × length = 65,536).

Runs on the GPU machine. Our kernel is timed by `sparse-workbench-cli bench-attention --json`, the baselines here,
the same way: CUDA events around CALLS calls issued back to back (divided by CALLS), median of 20 such samples after
warm-up; so host overhead that overlaps the GPU work of the previous call is not counted, for any of them. Layouts come from `sparse-workbench-cli layout`. FlexAttention gets
the layout as a user builds it (flex_baseline.py): create_block_mask with a mask_mod indexing the block layout.

usage: bench_vs_flex.py --cli build/app/cli/sparse-workbench-cli [--out DIR] [--lengths 2048,8192,16384]
                        [--blocks 16,64,128] [--modes bslongformer,bigbird,fixed,local] [--repeats 20]
                        [--heads 12] [--head-dim 64] [--tokens 65536] [--dtype float16|bfloat16]
                        [--paths mma-sync,wgmma]
--paths also times our kernels with each tensor-core path forced (SPW_MATRIX_PATH), beside the one they pick.
Prints a markdown table last; writes results.json and table.md under --out.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from flex_baseline import fresh_flex_attention, user_block_mask

CONFIGS = {
    "bslongformer": {"num_sliding_window_blocks": 3, "global_block_indices": [0]},
    "bigbird": {"num_random_blocks": 1, "num_sliding_window_blocks": 3, "num_global_blocks": 1},
    "fixed": {"num_local_blocks": 4, "num_global_blocks": 1},
    "local": {"num_sliding_window_blocks": 3, "attention": "bidirectional"},
    "dense": {},
}
CALLS = 10


def time_cuda(fn, repeats, warmup=3, calls=CALLS):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(calls):
            fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / calls)
    return statistics.median(times)


def copy_bandwidth():
    """Device-to-device copy, bytes read + written per second."""
    src = torch.empty(1 << 30, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    ms = time_cuda(lambda: dst.copy_(src), 20)
    return 2 * src.numel() / (ms * 1e-3)


def write_config(folder, mode, block):
    path = os.path.join(folder, f"{mode}_{block}.json")
    with open(path, "w") as f:
        json.dump({"mode": mode, "block": block, **CONFIGS[mode]}, f)
    return path


def layout_of(cli, config, seq_len):
    out = subprocess.run([cli, "layout", "--config", config, "--seq-len", str(seq_len), "--heads", "1"],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    return torch.tensor(data["layout"], dtype=torch.bool), data["density"]


def run_ours(cli, config, seq_len, batch, shape, repeats, folder, kernel="auto", stages=None, path=None):
    out = os.path.join(folder, "ours.json")
    cmd = [cli, "bench-attention", "--config", config, "--seq-len", str(seq_len), "--batch", str(batch), "--heads",
           str(shape.heads), "--head-dim", str(shape.head_dim), "--dtype", shape.dtype, "--repeats", str(repeats),
           "--kernel", kernel, "--calls", str(CALLS), "--json", out]
    env = dict(os.environ)
    if stages:
        env["SPW_KERNEL_STAGES"] = str(stages)
    if path:
        env["SPW_MATRIX_PATH"] = path
    subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    with open(out) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--out", default=".")
    parser.add_argument("--lengths", default="2048,8192,16384")
    parser.add_argument("--blocks", default="16,64,128")
    parser.add_argument("--modes", default="bslongformer,bigbird,fixed,local")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--no-flex", action="store_true")
    parser.add_argument("--variants", default="", help="also time these pipeline depths, e.g. 2 or 2,3")
    parser.add_argument("--paths", default="", help="also time these forced tensor-core paths: mma-sync,wgmma")
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=65536, help="batch × length per case")
    parser.add_argument("--dtype", choices=["float16", "bfloat16"], default="float16")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    bandwidth = copy_bandwidth()
    print(f"device {torch.cuda.get_device_name()}, torch {torch.__version__}, copy bandwidth "
          f"{bandwidth / 1e12:.2f} TB/s", flush=True)
    rows = []
    folder = tempfile.mkdtemp()
    for seq_len in [int(x) for x in args.lengths.split(",")]:
        batch = max(1, args.tokens // seq_len)
        shape = (batch, args.heads, seq_len, args.head_dim)
        q, k, v = (torch.randn(shape, device="cuda", dtype=getattr(torch, args.dtype)) for _ in range(3))
        dense_flops = 4 * batch * args.heads * seq_len * seq_len * args.head_dim
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            cudnn_ms = time_cuda(lambda: F.scaled_dot_product_attention(q, k, v), args.repeats)
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            flash_ms = time_cuda(lambda: F.scaled_dot_product_attention(q, k, v), args.repeats)
        floor_ms = 4 * q.numel() * q.element_size() / bandwidth * 1e3
        cases = [("dense", 128)] + [(m, b) for m in args.modes.split(",") for b in map(int, args.blocks.split(","))]
        for mode, block in cases:
            config = write_config(folder, mode, block)
            row = {"L": seq_len, "B": batch, "H": args.heads, "D": args.head_dim, "layout": mode, "block": block,
                   "cudnn_ms": cudnn_ms, "flash_ms": flash_ms, "floor_ms": floor_ms}
            try:
                ours = run_ours(args.cli, config, seq_len, batch, args, args.repeats, folder)
                row.update(density=ours["density"], ours_ms=ours["ours_ms"], ours_sync_ms=ours["ours_sync_ms"],
                           ours_tflops=dense_flops * ours["density"] / (ours["ours_ms"] * 1e-3) / 1e12,
                           ours_peak_mib=ours["ours_peak_mib"])
                if mode == "dense":
                    tiled = run_ours(args.cli, config, seq_len, batch, args, args.repeats, folder, kernel="tiled")
                    row["ours_tiled_ms"] = tiled["ours_ms"]
                kernel = "tiled" if mode == "dense" else "auto"
                for stages in filter(None, args.variants.split(",")):
                    alt = run_ours(args.cli, config, seq_len, batch, args, args.repeats, folder, kernel, stages=stages)
                    row[f"ours_stages{stages}_ms"] = alt["ours_ms"]
                for path in filter(None, args.paths.split(",")):
                    alt = run_ours(args.cli, config, seq_len, batch, args, args.repeats, folder, kernel, path=path)
                    row[f"ours_{path}_ms"] = alt["ours_ms"]
            except subprocess.CalledProcessError as e:
                row["ours_error"] = e.stderr.strip()[-300:]
            if not args.no_flex and mode != "dense":
                try:
                    flex = fresh_flex_attention()
                    layout, _ = layout_of(args.cli, config, seq_len)
                    mask = user_block_mask(layout, block, args.heads, seq_len)
                    row["flex_ms"] = time_cuda(lambda: flex(q, k, v, block_mask=mask), args.repeats)
                    del mask
                except Exception as e:  # noqa: BLE001 -- reported in the table, the run goes on
                    row["flex_error"] = f"{type(e).__name__}: {str(e)[:200]}"
                torch.cuda.empty_cache()
            rows.append(row)
            print(json.dumps(row), flush=True)
            with open(os.path.join(args.out, "results.json"), "w") as f:
                json.dump({"bandwidth_Bps": bandwidth, "rows": rows}, f, indent=1)
        del q, k, v
        torch.cuda.empty_cache()

    def fmt(x, spec=".3f"):
        return format(x, spec) if isinstance(x, (int, float)) else "-"

    lines = ["| L | B | layout | block | density | ours ms | eff TFLOP/s | cuDNN ms | flash ms | Flex ms | "
             "ours/Flex | ours/cuDNN | floor ms | ours/floor |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ours = r.get("ours_ms")
        flex_ms = r.get("flex_ms")
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["L"], r["B"], r["layout"], r["block"], fmt(100 * r["density"], ".1f") + "%" if "density" in r else "-",
            fmt(ours), fmt(r.get("ours_tflops"), ".0f"), fmt(r["cudnn_ms"]), fmt(r["flash_ms"]), fmt(flex_ms),
            fmt(flex_ms / ours, ".1f") + "x" if ours and flex_ms else "-",
            fmt(r["cudnn_ms"] / ours, ".1f") + "x" if ours else "-", fmt(r["floor_ms"]),
            fmt(ours / r["floor_ms"], ".1f") + "x" if ours else "-"))
        if "ours_tiled_ms" in r:
            lines[-1] += f" tiled kernel on dense: {r['ours_tiled_ms']:.3f} ms"
        if "ours_sync_ms" in r:
            lines[-1] += f" one call per sample: {r['ours_sync_ms']:.3f} ms"
        for stages in (2, 3):
            if f"ours_stages{stages}_ms" in r:
                lines[-1] += f" ({stages} stages: {r[f'ours_stages{stages}_ms']:.3f} ms)"
        for path in ("mma-sync", "wgmma"):
            if f"ours_{path}_ms" in r:
                lines[-1] += f" ({path}: {r[f'ours_{path}_ms']:.3f} ms)"
        for key in ("ours_error", "flex_error"):
            if key in r:
                lines[-1] += f" {key}: {r[key]}"
    table = "\n".join(lines)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    sys.exit(main())
