#!/usr/bin/env python3
"""Trains the workbench's demo model on the GPU machine: a small RoBERTa-style masked-LM (6 layers, 256 wide, 4 heads,
512 positions, byte-level BPE of 12,000 tokens) on the Linux kernel documentation prepared by prepare_corpus.py.
Seeded and deterministic in its data order, masking and initialisation; a run takes a few minutes on one H200.

    python3 tools/demo_model/train_demo_model.py CORPUS --out resources/models/demo-roberta [--steps 6000]

CORPUS holds train.txt, validation.txt and heldout.txt. Writes into OUT (a new folder):
  config.json, model.safetensors (float16), the tokenizer files (vocab.json, merges.txt, tokenizer.json,
  tokenizer_config.json, special_tokens_map.json), training_log.txt (the command, versions, every evaluation, the
  held-out loss and accuracy at the end) and manifest.json copied from CORPUS.
The checkpoint kept is the one with the lowest validation loss; held-out text is never read before the final report.

Masking follows BERT (and transformers' DataCollatorForLanguageModeling): 15% of the non-special tokens are chosen,
80% of those become <mask>, 10% a random token, 10% stay; the loss is scored on the chosen ones.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]  # RoBERTa's ids 0..4
POSITIONS = 512  # tokens per window, <s> and </s> included (max_position_embeddings = 514: pad offset 2)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="folder with train.txt, validation.txt and heldout.txt (prepare_corpus.py)")
    parser.add_argument("--out", required=True, help="new folder for the model")
    parser.add_argument("--vocab-size", type=int, default=12000)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--intermediate", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=7000, help="optimizer steps (default 7000)")
    parser.add_argument("--batch", type=int, default=128, help="windows of 512 tokens per step (default 128)")
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (default 1e-3)")
    parser.add_argument("--warmup", type=int, default=500, help="linear warm-up steps (default 500)")
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=14.0,
                        help="stop early (and say so in the log) past this many minutes of training (default 14)")
    args = parser.parse_args()
    for name in ("train", "validation", "heldout"):
        if not os.path.isfile(os.path.join(args.corpus, f"{name}.txt")):
            parser.error(f"{args.corpus}: no {name}.txt (run prepare_corpus.py first)")
    if os.path.exists(args.out):
        parser.error(f"--out {args.out}: exists; give a new folder")
    return args


def read(corpus, name):
    with open(os.path.join(corpus, f"{name}.txt"), encoding="utf-8") as f:
        return f.read()


def train_tokenizer(text, vocab_size, folder):
    """Byte-level BPE as RoBERTa's, trained on the training text only, with RoBERTa's post-processor (<s> ... </s>)
    and its <mask> that swallows the space before it. Built with the tokenizers library alone and saved as the files
    a RoBERTa checkpoint has (tokenizer.json, vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json),
    so that it does not depend on how a transformers version wraps tokenizers."""
    from tokenizers import AddedToken, ByteLevelBPETokenizer
    from tokenizers.processors import RobertaProcessing

    special = [AddedToken(t, lstrip=(t == "<mask>"), special=True) for t in SPECIAL_TOKENS]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(text.split("\n\n"), vocab_size=vocab_size, min_frequency=2, special_tokens=special,
                            show_progress=False)
    for token_id, token in enumerate(SPECIAL_TOKENS):
        assert bpe.token_to_id(token) == token_id, f"{token} is not id {token_id}"
    bpe.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    bpe.save(os.path.join(folder, "tokenizer.json"))
    bpe.save_model(folder)  # vocab.json and merges.txt, for the slow tokenizer
    names = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", sep_token="</s>", pad_token="<pad>",
                 cls_token="<s>")
    mask = {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False, "single_word": False}
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({**names, "mask_token": mask}, f, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "RobertaTokenizer", "model_max_length": POSITIONS, "add_prefix_space": False,
                   "errors": "replace", **names, "mask_token": mask}, f, indent=2)
    return bpe


def check_transformers_tokenizer(folder, bpe, text, log):
    """Logs whether transformers' AutoTokenizer, loading the saved files, encodes a sample as the trained one does."""
    from transformers import AutoTokenizer

    sample = text[:20000]
    expected = bpe.encode(sample).ids
    try:
        got = AutoTokenizer.from_pretrained(folder)(sample)["input_ids"]
    except Exception as error:  # a report, not a reason to lose the run
        log(f"tokenizer check: transformers could not load it: {error}")
        return
    log(f"tokenizer check: transformers' AutoTokenizer {'matches' if got == expected else 'DIFFERS from'} the trained "
        f"tokenizer on the first {len(sample)} characters ({len(expected)} tokens)")


def windows(tokenizer, text, torch):
    """The text as [n, 512] windows: documents tokenized without special tokens, joined by </s>, cut into pieces of
    510 and wrapped in <s> ... </s> (the last partial piece dropped)."""
    documents = [d for d in text.split("\n\n") if d.strip()]
    ids = []
    separator = tokenizer.token_to_id("</s>")
    for start in range(0, len(documents), 1000):
        for encoded in tokenizer.encode_batch(documents[start:start + 1000], add_special_tokens=False):
            ids.extend(encoded.ids)
            ids.append(separator)
    body = POSITIONS - 2
    count = len(ids) // body
    stream = torch.tensor(ids[:count * body], dtype=torch.long).view(count, body)
    bos = torch.full((count, 1), tokenizer.token_to_id("<s>"), dtype=torch.long)
    eos = torch.full((count, 1), separator, dtype=torch.long)
    return torch.cat([bos, stream, eos], dim=1), len(ids)


def mask_tokens(input_ids, vocab_size, generator, torch):
    """BERT's 80/10/10 rule on non-special tokens (ids >= 5); labels -100 where not chosen."""
    labels = input_ids.clone()
    special = input_ids < len(SPECIAL_TOKENS)
    chosen = (torch.rand(input_ids.shape, generator=generator, device=input_ids.device) < 0.15) & ~special
    labels[~chosen] = -100
    masked = input_ids.clone()
    draw = torch.rand(input_ids.shape, generator=generator, device=input_ids.device)
    masked[chosen & (draw < 0.8)] = SPECIAL_TOKENS.index("<mask>")
    randomised = chosen & (draw >= 0.8) & (draw < 0.9)
    replacement = torch.randint(len(SPECIAL_TOKENS), vocab_size, input_ids.shape, generator=generator,
                                device=input_ids.device)
    masked[randomised] = replacement[randomised]
    return masked, labels


def evaluate(model, data, vocab_size, seed, torch, batch=64):
    """Masked-LM loss (mean over scored tokens) and top-1 accuracy with a fixed masking seed."""
    model.eval()
    generator = torch.Generator(device=data.device).manual_seed(seed)
    loss_sum, correct, scored = 0.0, 0, 0
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        for start in range(0, data.size(0), batch):
            masked, labels = mask_tokens(data[start:start + batch], vocab_size, generator, torch)
            logits = model(input_ids=masked).logits.float()
            keep = labels != -100
            loss_sum += torch.nn.functional.cross_entropy(logits[keep], labels[keep], reduction="sum").item()
            correct += (logits[keep].argmax(-1) == labels[keep]).sum().item()
            scored += int(keep.sum().item())
    model.train()
    return loss_sum / scored, correct / scored, scored


def main():
    args = parse_arguments()
    import numpy
    import torch
    import transformers
    from transformers import RobertaConfig, RobertaForMaskedLM

    if not torch.cuda.is_available():
        sys.exit("no CUDA device: the demo model is trained on the GPU machine")
    random.seed(args.seed)
    numpy.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = False
    device = torch.device("cuda")
    staging = args.out.rstrip("/") + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    log_lines = []

    def log(line):
        print(line, flush=True)
        log_lines.append(line)

    log("command: " + " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:]))
    log(f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.cuda.get_device_name()}")
    started = time.time()
    train_text = read(args.corpus, "train")
    tokenizer = train_tokenizer(train_text, args.vocab_size, staging)
    vocab_size = tokenizer.get_vocab_size()
    check_transformers_tokenizer(staging, tokenizer, read(args.corpus, "validation"), log)
    train, train_tokens = windows(tokenizer, train_text, torch)
    validation, _ = windows(tokenizer, read(args.corpus, "validation"), torch)
    log(f"tokenizer: byte-level BPE, {vocab_size} tokens; training {train_tokens} tokens = {train.size(0)} windows "
        f"of {POSITIONS}; validation {validation.size(0)} windows ({time.time() - started:.0f} s)")
    train, validation = train.to(device), validation.to(device)

    config = RobertaConfig(vocab_size=vocab_size, hidden_size=args.hidden, num_hidden_layers=args.layers,
                           num_attention_heads=args.heads, intermediate_size=args.intermediate,
                           max_position_embeddings=POSITIONS + 2, type_vocab_size=1, pad_token_id=1, bos_token_id=0,
                           eos_token_id=2, layer_norm_eps=1e-5)
    model = RobertaForMaskedLM(config).to(device)
    model.config._attn_implementation = "sdpa"
    parameters = sum(p.numel() for p in model.parameters())
    log(f"model: {args.layers} layers, hidden {args.hidden}, {args.heads} heads, intermediate {args.intermediate}, "
        f"{parameters / 1e6:.2f} M parameters")

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    def learning_rate(step):  # linear warm-up, cosine decay to a tenth
        if step < args.warmup:
            return (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate)
    order = torch.Generator(device="cpu").manual_seed(args.seed)
    masking = torch.Generator(device=device).manual_seed(args.seed + 1)
    permutation, cursor = torch.randperm(train.size(0), generator=order), 0
    best = (math.inf, None, 0)  # validation loss, weights, step
    training_started = time.time()
    model.train()
    for step in range(1, args.steps + 1):
        if cursor + args.batch > permutation.numel():
            permutation, cursor = torch.randperm(train.size(0), generator=order), 0
        rows = permutation[cursor:cursor + args.batch].to(device)
        cursor += args.batch
        masked, labels = mask_tokens(train[rows], vocab_size, masking, torch)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=masked, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        minutes = (time.time() - training_started) / 60
        if step % args.eval_every == 0 or step == args.steps or minutes > args.minutes:
            val_loss, val_accuracy, _ = evaluate(model, validation, vocab_size, args.seed + 2, torch)
            epochs = step * args.batch / train.size(0)
            log(f"step {step}: train loss {loss.item():.4f}, validation loss {val_loss:.4f} "
                f"(accuracy {val_accuracy:.4f}), {epochs:.1f} epochs, {minutes:.1f} min")
            if val_loss < best[0]:
                best = (val_loss, {k: v.detach().clone() for k, v in model.state_dict().items()}, step)
        if minutes > args.minutes:
            log(f"stopped at step {step} of {args.steps}: past the {args.minutes}-minute limit")
            break

    model.load_state_dict(best[1])
    log(f"kept the checkpoint of step {best[2]} (validation loss {best[0]:.4f})")
    heldout, _ = windows(tokenizer, read(args.corpus, "heldout"), torch)
    loss, accuracy, scored = evaluate(model, heldout.to(device), vocab_size, args.seed + 3, torch)
    log(f"held-out at {POSITIONS} tokens: {scored} masked tokens, loss {loss:.4f}, perplexity {math.exp(loss):.2f}, "
        f"accuracy {accuracy:.4f}")

    model.half().save_pretrained(staging)  # safetensors (the only format transformers 5 writes)
    shutil.copy(os.path.join(args.corpus, "manifest.json"), os.path.join(staging, "manifest.json"))
    log(f"total {(time.time() - started) / 60:.1f} min")
    with open(os.path.join(staging, "training_log.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(log_lines) + "\n")
    os.rename(staging, args.out)


if __name__ == "__main__":
    main()
