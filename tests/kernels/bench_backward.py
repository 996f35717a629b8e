#!/usr/bin/env python3
"""Block-sparse attention forward + backward (gradients of query, key and value): our CUDA kernels against cuDNN dense
SDPA and FlexAttention forward + backward, bf16, 12 heads x 64, batch x length = 32,768 (issue 10's shapes).

Runs on the GPU machine. Ours is timed by `sparse-workbench-cli bench-attention --backward --json` (forward with
statistics, then backward with a random gradient of the output), the baselines here, the same way: CUDA events
around CALLS calls issued back to back (divided by CALLS), the median of --repeats such samples after warm-up. Each
baseline is `torch.autograd.grad(attention(q, k, v), (q, k, v), grad_out)`. FlexAttention's BlockMask is built the
way a user writes it: create_block_mask(mask_mod, B=None, H=H, Q_LEN=L, KV_LEN=L, device="cuda", _compile=True) with
mask_mod = lambda b, h, q, k: layout[h, q // block, k // block] over the block layout from `sparse-workbench-cli
layout`, and torch._dynamo.reset() between layouts. Peak memory: the most allocated during the timed calls above
what was allocated before them (inputs excluded), in MiB.

usage: bench_backward.py --cli build/app/cli/sparse-workbench-cli [--out DIR] [--lengths 8192,4096,16384]
                         [--cases bslongformer:16,bigbird:64,...] [--repeats 10] [--budget SECONDS] [--no-flex]
Flex is skipped (and says so) once --budget seconds have passed: its compilation takes tens of seconds per layout.
Prints a markdown table last; writes results.json and table.md under --out.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from bench_vs_flex import layout_of, time_cuda, write_config
from flex_baseline import fresh_flex_attention, user_block_mask

HEADS, HEAD_DIM, TOKENS = 12, 64, 32768
CALLS = 5
DEFAULT_CASES = "bslongformer:16,bigbird:16,local:16,bslongformer:64,bigbird:64,local:64,fixed:16"


def measure(fn, repeats):
    """Median ms per call and peak MiB allocated during the timed calls above what was allocated before them."""
    fn()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    ms = time_cuda(fn, repeats, warmup=2, calls=CALLS)
    return ms, (torch.cuda.max_memory_allocated() - base) / 2**20


def run_ours(cli, config, seq_len, batch, repeats, folder):
    out = os.path.join(folder, "ours.json")
    cmd = [cli, "bench-attention", "--backward", "--config", config, "--seq-len", str(seq_len), "--batch",
           str(batch), "--heads", str(HEADS), "--head-dim", str(HEAD_DIM), "--dtype", "bfloat16", "--repeats",
           str(repeats), "--calls", str(CALLS), "--warmup", "3", "--json", out]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    with open(out) as f:
        return json.load(f)


def flex_case(cli, config, seq_len, block, grads, q, k, v, repeats):
    flex = fresh_flex_attention()
    layout, _ = layout_of(cli, config, seq_len)
    start = time.time()
    block_mask = user_block_mask(layout, block, HEADS, seq_len)
    fn = lambda: grads(flex(q, k, v, block_mask=block_mask))  # noqa: E731
    fn()
    torch.cuda.synchronize()
    compile_s = time.time() - start
    ms, peak = measure(fn, repeats)
    return {"flex_ms": ms, "flex_peak_mib": peak, "flex_compile_s": compile_s}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--out", default=".")
    parser.add_argument("--lengths", default="8192,4096,16384")
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--budget", type=float, default=1e9, help="seconds after which Flex is skipped")
    parser.add_argument("--no-flex", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    print(f"device {torch.cuda.get_device_name()}, torch {torch.__version__}", flush=True)
    for name in ("cache_size_limit", "recompile_limit", "accumulated_cache_size_limit", "accumulated_recompile_limit"):
        if hasattr(torch._dynamo.config, name):
            setattr(torch._dynamo.config, name, 256)
    cases = [(mode, int(block)) for mode, block in (c.split(":") for c in args.cases.split(","))]
    lengths = [int(x) for x in args.lengths.split(",")]
    folder = tempfile.mkdtemp()
    rows = {}

    def save():
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump({"rows": list(rows.values())}, f, indent=1)

    def inputs(seq_len):
        shape = (TOKENS // seq_len, HEADS, seq_len, HEAD_DIM)
        q, k, v = (torch.randn(shape, device="cuda", dtype=torch.bfloat16, requires_grad=True) for _ in range(3))
        grad_out = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
        return q, k, v, lambda out: torch.autograd.grad(out, (q, k, v), grad_out)

    # Ours and cuDNN first, every length and case (seconds each); then Flex while the budget lasts (its compilation
    # takes tens of seconds per layout).
    for seq_len in lengths:
        batch = TOKENS // seq_len
        q, k, v, grads = inputs(seq_len)
        with sdpa_kernel(SDPBackend.CUDNN_ATTENTION):
            cudnn_ms, cudnn_peak = measure(lambda: grads(F.scaled_dot_product_attention(q, k, v)), args.repeats)
        print(f"L {seq_len}: cuDNN dense forward + backward {cudnn_ms:.3f} ms, peak {cudnn_peak:.0f} MiB", flush=True)
        del q, k, v, grads
        torch.cuda.empty_cache()
        for mode, block in cases:
            row = {"L": seq_len, "B": batch, "layout": mode, "block": block, "cudnn_ms": cudnn_ms,
                   "cudnn_peak_mib": cudnn_peak}
            try:
                ours = run_ours(args.cli, write_config(folder, mode, block), seq_len, batch, args.repeats, folder)
                row.update(density=ours["density"], ours_ms=ours["ours_ms"], ours_forward_ms=ours["ours_forward_ms"],
                           ours_sync_ms=ours["ours_sync_ms"], ours_peak_mib=ours["ours_peak_mib"],
                           sdpa_cli_ms=ours["dense_ms"])
            except subprocess.CalledProcessError as e:
                row["ours_error"] = e.stderr.strip()[-300:]
            rows[(seq_len, mode, block)] = row
            print(json.dumps(row), flush=True)
            save()
    for seq_len in [] if args.no_flex else lengths:
        q, k, v, grads = inputs(seq_len)
        for mode, block in cases:
            row = rows[(seq_len, mode, block)]
            if time.time() - start > args.budget:
                row["flex_error"] = "skipped: time budget"
                continue
            try:
                row.update(flex_case(args.cli, write_config(folder, mode, block), seq_len, block, grads, q, k, v,
                                     args.repeats))
            except Exception as e:  # noqa: BLE001 -- reported in the table, the run goes on
                row["flex_error"] = f"{type(e).__name__}: {str(e)[:200]}"
            torch.cuda.empty_cache()
            print(json.dumps(row), flush=True)
            save()
        del q, k, v, grads
        torch.cuda.empty_cache()
    save()

    def fmt(x, spec=".3f"):
        return format(x, spec) if isinstance(x, (int, float)) else "-"

    def ratio(a, b):
        return fmt(a / b, ".1f") + "x" if isinstance(a, float) and isinstance(b, float) and b > 0 else "-"

    lines = ["| L | B | layout | block | density | ours fwd+bwd ms | ours fwd ms | Flex fwd+bwd ms | cuDNN dense fwd+bwd ms "
             "| Flex/ours | cuDNN/ours | peak MiB ours / Flex / cuDNN |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows.values():
        ours = r.get("ours_ms")
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} / {} |".format(
            r["L"], r["B"], r["layout"], r["block"], fmt(100 * r["density"], ".1f") + "%" if "density" in r else "-",
            fmt(ours), fmt(r.get("ours_forward_ms")), fmt(r.get("flex_ms")), fmt(r["cudnn_ms"]),
            ratio(r.get("flex_ms"), ours), ratio(r["cudnn_ms"], ours), fmt(r.get("ours_peak_mib"), ".0f"),
            fmt(r.get("flex_peak_mib"), ".0f"), fmt(r["cudnn_peak_mib"], ".0f")))
        for key in ("ours_error", "flex_error"):
            if key in r:
                lines[-1] += f" {key}: {r[key]}"
    table = "\n".join(lines)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    sys.exit(main())
