#!/usr/bin/env python3
"""One masked-LM training step of a BERT-base model in transformers (12 layers, hidden 768, 12 heads, random
weights, fp32 master weights, bf16 autocast, AdamW, no attention dropout): attn_implementation="sparse_workbench"
in every layer (bslongformer and bigbird at blocks 16 and 64) against "sdpa". Prints a markdown table of the median step time and
the peak memory (torch.cuda.max_memory_allocated) per length × batch; run on the GPU machine.

    PYTHONPATH=python python3 tests/python/bench_training_step.py --library LIB [--shapes 4096x8,8192x4,16384x2]
        [--steps 10] [--warmup 3]

Each step: forward with labels on 15% of the tokens (the rest -100, as a masked-LM collator makes them),
backward, optimizer step, zero_grad. Timed with CUDA events around whole steps after the warm-up steps.
"""
import argparse
import statistics
import sys

LAYOUTS = {
    "bslongformer-16": {"mode": "bslongformer", "block": 16, "num_sliding_window_blocks": 3,
                        "global_block_indices": [0]},
    "bslongformer-64": {"mode": "bslongformer", "block": 64, "num_sliding_window_blocks": 3,
                        "global_block_indices": [0]},
    "bigbird-16": {"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
                   "num_global_blocks": 1},
    "bigbird-64": {"mode": "bigbird", "block": 64, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
                   "num_global_blocks": 1},
}


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        length, _, batch = item.partition("x")
        if not (length.isdigit() and batch.isdigit()) or int(length) <= 0 or int(batch) <= 0:
            raise argparse.ArgumentTypeError(f"--shapes: '{item}' is not LENGTHxBATCH")
        shapes.append((int(length), int(batch)))
    return shapes


def build_model(length, layout):
    import torch
    from transformers import AutoModelForMaskedLM, BertConfig

    extra, implementation = {}, "sdpa"
    if layout is not None:
        extra["sparse_attention"] = dict(LAYOUTS[layout], seed=0, layers=list(range(12)))
        implementation = "sparse_workbench"
    # BERT-base's sizes are BertConfig's defaults. No attention-probability dropout in either: the sparse layers do
    # not apply it, and SDPA with dropout takes slower kernels, which would flatter the comparison.
    config = BertConfig(max_position_embeddings=length, attention_probs_dropout_prob=0.0, **extra)
    torch.manual_seed(0)
    with torch.device("cuda"):  # initialised on the GPU: much faster than on the CPU and copied over
        model = AutoModelForMaskedLM.from_config(config, attn_implementation=implementation)
    return model.train()


def measure(length, batch, layout, steps, warmup):
    """(median step milliseconds, peak GiB), or the error text when the step fails (e.g. out of memory)."""
    import torch

    torch.cuda.empty_cache()
    model = build_model(length, layout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    generator = torch.Generator(device="cuda").manual_seed(1)
    input_ids = torch.randint(1000, model.config.vocab_size, (batch, length), device="cuda", generator=generator)
    labels = input_ids.masked_fill(torch.rand(input_ids.shape, device="cuda", generator=generator) >= 0.15, -100)

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=input_ids, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    try:
        for _ in range(warmup):
            step()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        times = []
        for _ in range(steps):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            step()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        return statistics.median(times), torch.cuda.max_memory_allocated() / 2**30
    except torch.cuda.OutOfMemoryError:
        return "out of memory"
    finally:
        del model, optimizer
        torch.cuda.empty_cache()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library", help="the operator library (default: where sparse_workbench.load() looks)")
    parser.add_argument("--shapes", type=parse_shapes, default=parse_shapes("4096x8,8192x4,16384x2"),
                        help="LENGTHxBATCH,... (default 4096x8,8192x4,16384x2)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS), help=f"among {', '.join(LAYOUTS)}")
    parser.add_argument("--steps", type=int, default=10, help="timed steps (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    args = parser.parse_args()
    layouts = [name for name in args.layouts.split(",") if name]
    unknown = [name for name in layouts if name not in LAYOUTS]
    if unknown:
        parser.error(f"--layouts: unknown {unknown} (known: {', '.join(LAYOUTS)})")
    if args.steps <= 0 or args.warmup < 0:
        parser.error("--steps must be positive and --warmup not negative")

    import torch
    import transformers

    import sparse_workbench

    if not torch.cuda.is_available():
        sys.exit("bench_training_step: no CUDA device")
    if args.library:
        sparse_workbench.load(args.library)
    sparse_workbench.register()
    print(f"BERT-base masked-LM training step, bf16 autocast, AdamW; {torch.cuda.get_device_name(0)}, torch "
          f"{torch.__version__}, transformers {transformers.__version__}; median of {args.steps} steps after "
          f"{args.warmup}\n", flush=True)
    print("| length × batch | attention | step (ms) | speed-up vs sdpa | peak memory (GiB) |")
    print("|---|---|---:|---:|---:|", flush=True)
    for length, batch in args.shapes:
        baseline = None
        for layout in [None] + layouts:
            result = measure(length, batch, layout, args.steps, args.warmup)
            name = "sdpa" if layout is None else f"sparse_workbench {layout}"
            if isinstance(result, str):
                print(f"| {length} × {batch} | {name} | {result} | | |", flush=True)
                continue
            milliseconds, peak = result
            if layout is None:
                baseline = milliseconds
            ratio = f"{baseline / milliseconds:.2f}x" if baseline else ""
            print(f"| {length} × {batch} | {name} | {milliseconds:.1f} | {ratio} | {peak:.1f} |", flush=True)


if __name__ == "__main__":
    main()
