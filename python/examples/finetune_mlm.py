#!/usr/bin/env python3
"""Masked-language-model fine-tuning of a folder exported by the workbench, with its recorded block-sparse attention,
on a plain text file.

    python3 python/examples/finetune_mlm.py EXPORTED_FOLDER --text corpus.txt --out FINETUNED_FOLDER \\
        [--steps 100] [--batch-size 8] [--seq-length 1024] [--lr 5e-5] [--device cuda]

The text is tokenized once and cut into sequences of --seq-length tokens (special tokens included; a short text is
repeated to fill one batch); each step masks 15% of the tokens as BERT's pre-training did, and AdamW follows the
masked-LM loss (bf16 autocast on CUDA). Every --log-every steps it prints the loss and the tokens per second. The
result is written with save_pretrained (model and tokenizer): its config.json keeps the "sparse_attention" object, so
the folder loads here again with attn_implementation="sparse_workbench" and runs in the workbench
(`sparse-workbench-cli run FINETUNED_FOLDER ...`).

Several GPUs: torchrun --nproc-per-node N python/examples/finetune_mlm.py ... (each process trains on its share of
every batch through DistributedDataParallel; rank 0 prints and saves).
"""
import argparse
import os
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="a folder exported by `sparse-workbench-cli convert --sparsity ...`")
    parser.add_argument("--text", required=True, help="UTF-8 text file to train on")
    parser.add_argument("--out", required=True, help="folder to write the fine-tuned model to (must not exist)")
    parser.add_argument("--steps", type=int, default=100, help="optimizer steps (default 100)")
    parser.add_argument("--batch-size", type=int, default=8, help="sequences per step, over all processes (8)")
    parser.add_argument("--seq-length", type=int, help="tokens per sequence (default: the model's longest input, "
                                                       "at most 1024)")
    parser.add_argument("--lr", type=float, default=5e-5, help="AdamW learning rate (default 5e-5)")
    parser.add_argument("--mlm-probability", type=float, default=0.15, help="share of tokens masked (0.15)")
    parser.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when available")
    parser.add_argument("--log-every", type=int, default=10, help="print every N steps (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--library", help="the operator library (default: where sparse_workbench.load() looks)")
    args = parser.parse_args()
    for name in ("steps", "batch_size", "log_every"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if not 0 < args.mlm_probability < 1:
        parser.error("--mlm-probability must be between 0 and 1")
    if not os.path.isfile(os.path.join(args.folder, "config.json")):
        parser.error(f"{args.folder}: no config.json (expected a folder exported by the workbench)")
    if not os.path.isfile(args.text):
        parser.error(f"--text {args.text}: no such file")
    if os.path.exists(args.out):
        parser.error(f"--out {args.out}: already exists")
    return args


def token_sequences(tokenizer, text_path, seq_length, minimum):
    """[N, seq_length] token ids: the text's tokens in order, each sequence framed as [CLS] ... [SEP] (<s> ... </s>)."""
    import torch

    with open(text_path, encoding="utf-8") as f:
        text = f.read()
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if not ids:
        raise ValueError(f"--text {text_path}: no tokens")
    if tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
        raise ValueError("the tokenizer has no CLS/SEP tokens to frame the sequences with")
    body = seq_length - 2
    while len(ids) < body * minimum:
        ids = ids + ids
    count = len(ids) // body
    return torch.tensor([[tokenizer.cls_token_id] + ids[i * body:(i + 1) * body] + [tokenizer.sep_token_id]
                         for i in range(count)])


def mask_tokens(input_ids, tokenizer, probability, generator):
    """BERT's masking: of the chosen tokens 80% become the mask token, 10% a random token, 10% stay; labels -100
    elsewhere. The framing tokens (first and last) are never chosen."""
    import torch

    labels = input_ids.clone()
    chosen = torch.rand(input_ids.shape, generator=generator) < probability
    chosen[:, 0] = False
    chosen[:, -1] = False
    labels[~chosen] = -100
    masked = input_ids.clone()
    replace = chosen & (torch.rand(input_ids.shape, generator=generator) < 0.8)
    masked[replace] = tokenizer.mask_token_id
    randomize = chosen & ~replace & (torch.rand(input_ids.shape, generator=generator) < 0.5)
    masked[randomize] = torch.randint(len(tokenizer), input_ids.shape, generator=generator)[randomize]
    return masked, labels


def main():
    args = parse_arguments()
    import torch
    import torch.distributed as dist
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    import sparse_workbench
    from sparse_workbench.transformers_backend import NAME, sparse_attention_settings

    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    device_name = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device_name == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device is available")
    rank, world = 0, 1
    if distributed:
        dist.init_process_group("nccl" if device_name == "cuda" else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        if args.batch_size % world:
            sys.exit(f"--batch-size {args.batch_size} is not a multiple of the {world} processes")
    device = torch.device(device_name, int(os.environ.get("LOCAL_RANK", 0))) if device_name == "cuda" else \
        torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)

    try:
        if args.library:
            sparse_workbench.load(args.library)
        sparse_workbench.register()
        tokenizer = AutoTokenizer.from_pretrained(args.folder)
        if tokenizer.mask_token_id is None:
            raise ValueError(f"{args.folder}: the tokenizer has no mask token, which masked-LM training needs")
        model = AutoModelForMaskedLM.from_pretrained(args.folder, attn_implementation=NAME)
        settings = sparse_attention_settings(model.config)
        seq_length = args.seq_length or min(settings.layout_length, 1024)
        if not 2 < seq_length <= settings.layout_length:
            raise ValueError(f"--seq-length {seq_length}: the model takes 3 to {settings.layout_length} tokens")
        torch.manual_seed(args.seed)
        data = token_sequences(tokenizer, args.text, seq_length, args.batch_size)
    except (ValueError, OSError) as error:  # a wrong folder, text or library: one line, no traceback
        sys.exit(f"finetune_mlm: {error}")
    model.to(device).train()
    trained = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else
                                                        None) if distributed else model
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed)
    local_batch = args.batch_size // world
    sparse_layers = sorted(settings.layers) if settings.layers is not None else "all"
    if rank == 0:
        print(f"{args.folder}: {type(model).__name__}, sparse layers {sparse_layers} "
              f"({settings.sparsity.get('mode')}, block {settings.sparsity.get('block', 16)}); {len(data)} sequences "
              f"of {seq_length} tokens; {device}, {world} process(es)", flush=True)

    tokens, started = 0, time.perf_counter()
    for step in range(1, args.steps + 1):
        rows = torch.randint(len(data), (args.batch_size,), generator=generator)
        input_ids, labels = mask_tokens(data[rows], tokenizer, args.mlm_probability, generator)
        mine = slice(rank * local_batch, (rank + 1) * local_batch)
        input_ids, labels = input_ids[mine].to(device), labels[mine].to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            loss = trained(input_ids=input_ids, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        tokens += input_ids.numel() * world
        if rank == 0 and (step % args.log_every == 0 or step == args.steps):
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            elapsed = time.perf_counter() - started
            print(f"step {step} loss {loss.item():.4f} tokens/s {tokens / elapsed:.0f}", flush=True)

    if rank == 0:
        model.save_pretrained(args.out)
        tokenizer.save_pretrained(args.out)
        print(f"saved {args.out}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
