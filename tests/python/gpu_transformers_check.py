#!/usr/bin/env python3
"""Exported folders in transformers with attn_implementation="sparse_workbench" (run on the GPU machine: torch with
CUDA, transformers 5, the operator library built there).

    PYTHONPATH=python python3 tests/python/gpu_transformers_check.py --cli CLI --library LIB [--work DIR]

Makes small BERT and RoBERTa models with `sparse-workbench-cli create`, converts each twice (bigbird in every layer;
bslongformer in layers 0 and 2 of 3), and checks:
  - forward fp32 (CPU): transformers' last_hidden_state equals `sparse-workbench-cli run` on the same folder and
    inputs (odd length, one padded row) within 1e-4, and the same folder run dense differs (the sparse path ran);
  - forward bf16 (CUDA): error against the CLI's fp32 no more than twice what bf16 dense attention (SDPA) reaches
    against its own fp32;
  - gradients: float64 on the CPU against an eager masked reference (the layout spelled out as a token mask) within
    1e-8; bf16 autocast on CUDA against the fp32 reference, no worse than twice the reference's own bf16 error;
  - apply(model) switches a model loaded with SDPA; a folder without "sparse_attention" fails naming the folder and
    the key; training with attention dropout warns once;
  - python/examples/finetune_mlm.py runs 100 steps on resources/text/sample.txt, its loss falls, and the folder it
    saves keeps "sparse_attention" and runs in the CLI with transformers' outputs.
Prints one PASS/FAIL line per check; exits 1 when any fails.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import warnings

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
REFERENCE = "sparse_workbench_reference"
LENGTH = 200  # not a multiple of the block: padding to 208 happens inside the attention
PADDED_TAIL = 23  # padded tokens at the end of the second row
BIGBIRD = {"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
           "num_global_blocks": 1}
BSLONGFORMER = {"mode": "bslongformer", "block": 16, "num_sliding_window_blocks": 3, "global_block_indices": [0]}


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, name, function):
        try:
            detail = function()
            print(f"PASS {name}: {detail}", flush=True)
        except Exception as error:  # noqa: BLE001 - every check reports, one failure does not hide the others
            self.failures += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
            traceback.print_exc(limit=4, file=sys.stdout)


def require(condition, message):
    if not condition:
        raise AssertionError(message)


def cli(args, *arguments):
    done = subprocess.run([args.cli, *arguments], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{os.path.basename(args.cli)} {arguments[0]} exit {done.returncode}: "
                           f"{done.stderr.strip()}")
    return done.stdout


def make_folders(args):
    """{(family, "all"|"chosen"): folder} plus the unconverted sources."""
    folders = {}
    for name, config in (("bigbird", BIGBIRD), ("bslongformer", BSLONGFORMER)):
        with open(os.path.join(args.work, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(config, f)
    for family in ("bert", "roberta"):
        source = os.path.join(args.work, f"{family}_source")
        for stale in (source, os.path.join(args.work, f"{family}_all"), os.path.join(args.work, f"{family}_chosen")):
            shutil.rmtree(stale, ignore_errors=True)  # a previous run's (create and convert want new folders)
        cli(args, "create", "--out", source, "--type", family, "--layers", "3", "--hidden", "128", "--heads", "4",
            "--intermediate", "256", "--max-position", "128", "--vocab", "2000", "--seed", "3")
        folders[(family, "source")] = source
        for kind, sparsity, layers in (("all", "bigbird", None), ("chosen", "bslongformer", "0,2")):
            out = os.path.join(args.work, f"{family}_{kind}")
            extra = ["--layers", layers] if layers else []
            cli(args, "convert", source, "--out", out, "--max-position", "256", "--sparsity",
                os.path.join(args.work, f"{sparsity}.json"), "--seed", "5", *extra)
            folders[(family, kind)] = out
    return folders


def model_inputs(torch, family):
    generator = torch.Generator().manual_seed(11)
    input_ids = torch.randint(5, 2000, (2, LENGTH), generator=generator)  # the demo vocabularies' size
    input_ids[:, 0] = 2 if family == "bert" else 0  # [CLS] / <s>
    attention_mask = torch.ones_like(input_ids)
    attention_mask[1, LENGTH - PADDED_TAIL:] = 0
    return {"input_ids": input_ids, "attention_mask": attention_mask}


def cli_last_hidden_state(args, torch, folder, inputs, name):
    from safetensors.torch import load_file, save_file

    path_in = os.path.join(args.work, f"{name}_in.safetensors")
    path_out = os.path.join(args.work, f"{name}_out.safetensors")
    save_file({k: v.contiguous() for k, v in inputs.items()}, path_in)
    cli(args, "run", folder, "--inputs", path_in, "--output", path_out)
    return load_file(path_out)["last_hidden_state"]


def relative_rms(value, reference):
    return ((value.double() - reference.double()).norm() / reference.double().norm()).item()


def register_reference(torch):
    """An eager attention that spells the recorded layout out as a token-level mask: the independent reference."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    import sparse_workbench
    from sparse_workbench.transformers_backend import key_padding_mask_for_layers, sparse_attention_settings

    layouts = {}

    def token_layout(settings, length, device):
        key = (settings.cache_key(), length, str(device))
        if key not in layouts:
            block = settings.sparsity.get("block", 16)
            full = sparse_workbench.make_layout(settings.sparsity, settings.layout_length, settings.num_heads,
                                                settings.seed)
            blocks = -(-length // block)
            corner = full[:, :blocks, :blocks].bool()
            tokens = corner.repeat_interleave(block, 1).repeat_interleave(block, 2)[:, :length, :length]
            layouts[key] = tokens.to(device)
        return layouts[key]

    def reference(module, query, key, value, attention_mask, dropout=0.0, scaling=None, **kwargs):
        settings = sparse_attention_settings(module.config)
        scores = torch.matmul(query, key.transpose(-1, -2)) * scaling
        if settings.is_sparse(module.layer_idx):
            allowed = token_layout(settings, query.shape[2], query.device)
            scores = scores.masked_fill(~allowed, float("-inf"))
        if attention_mask is not None:
            additive = torch.zeros(attention_mask.shape, dtype=scores.dtype, device=scores.device)
            scores = scores + additive.masked_fill_(~attention_mask, torch.finfo(scores.dtype).min)
        # Softmax in float32 at least (as SDPA and the kernels do for half types), in float64 for float64.
        widened = scores if scores.element_size() >= 4 else scores.float()
        probabilities = torch.softmax(widened, dim=-1).nan_to_num(0.0).to(value.dtype)
        return torch.matmul(probabilities, value).transpose(1, 2).contiguous(), None

    AttentionInterface.register(REFERENCE, reference)
    AttentionMaskInterface.register(REFERENCE, key_padding_mask_for_layers)


def load(transformers_class, folder, implementation, torch, dtype=None, device="cpu"):
    model = transformers_class.from_pretrained(folder, attn_implementation=implementation)
    if dtype is not None:
        model = model.to(dtype)
    return model.to(device).eval()


def parameter_gradients(model, inputs, weights, autocast_dtype=None):
    import torch

    device = next(model.parameters()).device
    model.zero_grad(set_to_none=True)
    with torch.autocast(device.type, dtype=autocast_dtype or torch.bfloat16, enabled=autocast_dtype is not None):
        hidden = model(**{k: v.to(device) for k, v in inputs.items()}).last_hidden_state
    (hidden * weights.to(device, hidden.dtype)).sum().backward()
    return {name: p.grad.detach().double().cpu() for name, p in model.named_parameters() if p.grad is not None}


def gradient_errors(gradients, reference):
    """(relative error over all parameters, the worst tensor, its relative error). A tensor's error is relative to
    its own gradient's norm, floored at 1e-3 of the largest: some gradients are zero in exact arithmetic (the key
    bias shifts a whole row of scores, which softmax ignores) and hold only rounding noise."""
    require(gradients.keys() == reference.keys(), f"parameters with gradients differ: "
                                                  f"{sorted(gradients.keys() ^ reference.keys())}")
    squared = sum((gradients[n] - reference[n]).norm() ** 2 for n in reference)
    total = math.sqrt(squared / sum(reference[n].norm() ** 2 for n in reference))
    floor = 1e-3 * max(reference[n].norm() for n in reference)
    errors = {n: ((gradients[n] - reference[n]).norm() / max(reference[n].norm(), floor)).item() for n in reference}
    worst = max(errors, key=errors.get)
    return total, worst, errors[worst]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="the built sparse-workbench-cli")
    parser.add_argument("--library", help="the operator library (default: where sparse_workbench.load() looks)")
    parser.add_argument("--work", help="folder for models and logs (default: a new temporary folder)")
    args = parser.parse_args()
    args.cli = os.path.abspath(args.cli)
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="spw-hf-check."))
    os.makedirs(args.work, exist_ok=True)
    report = Report()

    import torch
    import transformers
    from transformers import AutoModel

    import sparse_workbench
    from sparse_workbench.transformers_backend import NAME

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, CUDA "
          f"{torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}; work {args.work}", flush=True)
    if args.library:
        sparse_workbench.load(args.library)
    sparse_workbench.register()
    register_reference(torch)
    folders = {}

    def create_and_convert():
        folders.update(make_folders(args))
        return f"{len(folders)} folders under {args.work}"

    report.check("create and convert folders", create_and_convert)
    if not folders:
        print("gpu_transformers_check: FAIL (no folders to check)")
        return 1
    cuda = torch.cuda.is_available()
    cli_outputs = {}

    def cli_output(folder, inputs, name):
        """The CLI's last_hidden_state for the folder, run once and kept (a failure fails each check needing it)."""
        if folder not in cli_outputs:
            cli_outputs[folder] = cli_last_hidden_state(args, torch, folder, inputs, name)
        return cli_outputs[folder]

    for family in ("bert", "roberta"):
        inputs = model_inputs(torch, family)
        for kind in ("all", "chosen"):
            folder = folders[(family, kind)]
            label = f"{family} {kind} layers"

            def forward_fp32():
                expected = cli_output(folder, inputs, f"{family}_{kind}")
                with torch.no_grad():
                    got = load(AutoModel, folder, NAME, torch)(**inputs).last_hidden_state
                    dense = load(AutoModel, folder, "sdpa", torch)(**inputs).last_hidden_state
                difference = (got - expected).abs().max().item()
                dense_difference = (dense - expected).abs().max().item()
                require(got.shape == expected.shape, f"shape {tuple(got.shape)} vs CLI {tuple(expected.shape)}")
                require(difference <= 1e-4, f"max |transformers - CLI| {difference:.3g} > 1e-4")
                require(dense_difference > 1e-3, f"the dense model matches the CLI too ({dense_difference:.3g}): "
                                                 f"the sparse layers did not make a difference")
                return f"max |difference| {difference:.2g} (dense differs by {dense_difference:.2g})"

            report.check(f"forward fp32 cpu, {label}", forward_fp32)

            def forward_bf16():
                require(cuda, "no CUDA device")
                expected = cli_output(folder, inputs, f"{family}_{kind}")
                on_gpu = {k: v.cuda() for k, v in inputs.items()}
                with torch.no_grad():
                    got = load(AutoModel, folder, NAME, torch, torch.bfloat16, "cuda")(**on_gpu).last_hidden_state
                    dense16 = load(AutoModel, folder, "sdpa", torch, torch.bfloat16, "cuda")(**on_gpu)
                    dense32 = load(AutoModel, folder, "sdpa", torch)(**inputs).last_hidden_state
                error = relative_rms(got.float().cpu(), expected)
                baseline = relative_rms(dense16.last_hidden_state.float().cpu(), dense32)
                require(error <= 2 * baseline, f"relative error {error:.3g} > 2 x dense bf16's {baseline:.3g}")
                return f"relative error {error:.3g} (dense bf16 {baseline:.3g})"

            report.check(f"forward bf16 cuda, {label}", forward_bf16)

            def gradients_float64():
                weights = torch.randn(2, LENGTH, 128, generator=torch.Generator().manual_seed(4))
                got = parameter_gradients(load(AutoModel, folder, NAME, torch, torch.float64), inputs, weights)
                ref = parameter_gradients(load(AutoModel, folder, REFERENCE, torch, torch.float64), inputs, weights)
                total, worst, worst_error = gradient_errors(got, ref)
                require(worst_error <= 1e-8, f"{worst}: relative error {worst_error:.3g} > 1e-8")
                return f"{len(ref)} parameters, relative error {total:.2g} (worst {worst} {worst_error:.2g})"

            report.check(f"gradients float64 cpu, {label}", gradients_float64)

            def gradients_bf16():
                require(cuda, "no CUDA device")
                weights = torch.randn(2, LENGTH, 128, generator=torch.Generator().manual_seed(4))
                ref = parameter_gradients(load(AutoModel, folder, REFERENCE, torch, device="cuda"), inputs, weights)
                ref16 = parameter_gradients(load(AutoModel, folder, REFERENCE, torch, device="cuda"), inputs,
                                            weights, torch.bfloat16)
                got = parameter_gradients(load(AutoModel, folder, NAME, torch, device="cuda"), inputs, weights,
                                          torch.bfloat16)
                error, worst, worst_error = gradient_errors(got, ref)
                baseline = gradient_errors(ref16, ref)[0]
                require(error <= 2 * baseline, f"relative error {error:.3g} > 2 x the reference's bf16 "
                                               f"{baseline:.3g} (worst {worst} {worst_error:.3g})")
                return f"relative error {error:.3g} (reference in bf16 {baseline:.3g}; worst {worst} {worst_error:.2g})"

            report.check(f"gradients bf16 autocast cuda, {label}", gradients_bf16)

    def apply_switches():
        folder = folders[("bert", "chosen")]
        inputs = model_inputs(torch, "bert")
        with torch.no_grad():
            loaded = load(AutoModel, folder, NAME, torch)(**inputs).last_hidden_state
            switched = sparse_workbench.apply(load(AutoModel, folder, "sdpa", torch))
            applied = switched(**inputs).last_hidden_state
        difference = (loaded - applied).abs().max().item()
        require(difference <= 1e-6, f"apply(model) differs from attn_implementation=\"{NAME}\" by {difference}")
        return f"apply(model) gives the from_pretrained outputs (max |difference| {difference:.2g})"

    report.check("apply(model)", apply_switches)

    def missing_key_error():
        folder = folders[("bert", "source")]
        model = load(AutoModel, folder, NAME, torch)
        # The unconverted source has 128 positions: an input it accepts, so that only the missing key can fail.
        inputs = {name: tensor[:, :64] for name, tensor in model_inputs(torch, "bert").items()}
        try:
            with torch.no_grad():
                model(**inputs)
        except ValueError as error:
            message = str(error)
            require(folder in message and "sparse_attention" in message, f"message lacks folder or key: {message}")
            return f"ValueError: {message}"
        raise AssertionError("a folder without sparse_attention ran")

    report.check("folder without sparse_attention", missing_key_error)

    def dropout_warning():
        from sparse_workbench import transformers_backend

        transformers_backend._warned.discard("dropout")
        model = load(AutoModel, folders[("bert", "all")], NAME, torch).train()
        require(model.config.attention_probs_dropout_prob > 0, "the model has no attention dropout to warn about")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model(**model_inputs(torch, "bert"))
            model(**model_inputs(torch, "bert"))
        ours = [w for w in caught if "dropout" in str(w.message) and NAME in str(w.message)]
        require(len(ours) == 1, f"{len(ours)} dropout warnings over two training forwards of 3 layers, expected 1")
        return str(ours[0].message)

    report.check("attention dropout warning", dropout_warning)

    finetuned = os.path.join(args.work, "bert_finetuned")

    def finetune_example():
        require(cuda, "no CUDA device")
        shutil.rmtree(finetuned, ignore_errors=True)
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.join(REPO, "python"),
                                                                  environment.get("PYTHONPATH")]))
        command = [sys.executable, os.path.join(REPO, "python", "examples", "finetune_mlm.py"),
                   folders[("bert", "all")], "--text", os.path.join(REPO, "resources", "text", "sample.txt"),
                   "--out", finetuned, "--steps", "100", "--batch-size", "8", "--seq-length", "128", "--lr", "1e-3",
                   "--log-every", "1", "--device", "cuda"]
        if args.library:
            command += ["--library", args.library]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)
        with open(os.path.join(args.work, "finetune.log"), "w", encoding="utf-8") as f:
            f.write(done.stdout + done.stderr)
        require(done.returncode == 0, f"exit {done.returncode}: {done.stderr.strip()[-800:]}")
        losses = [float(m.group(1)) for m in re.finditer(r"^step \d+ loss (\S+)", done.stdout, re.MULTILINE)]
        rates = re.findall(r"tokens/s (\d+)", done.stdout)
        require(len(losses) == 100, f"{len(losses)} loss lines, expected 100")
        first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
        require(all(math.isfinite(x) for x in losses), "non-finite loss")
        require(last < first - 0.5, f"loss did not fall: first five steps {first:.3f}, last five {last:.3f}")
        return f"loss {first:.3f} -> {last:.3f} over 100 steps, {rates[-1]} tokens/s"

    report.check("fine-tuning example, 100 steps", finetune_example)

    def finetuned_folder():
        require(os.path.isdir(finetuned), "the example saved nothing")
        with open(os.path.join(folders[("bert", "all")], "config.json"), encoding="utf-8") as f:
            recorded = json.load(f)["sparse_attention"]
        with open(os.path.join(finetuned, "config.json"), encoding="utf-8") as f:
            saved = json.load(f).get("sparse_attention")
        require(saved == recorded, f"sparse_attention {saved} != the source's {recorded}")
        inputs = model_inputs(torch, "bert")
        expected = cli_last_hidden_state(args, torch, finetuned, inputs, "bert_finetuned")
        with torch.no_grad():
            got = load(AutoModel, finetuned, NAME, torch)(**inputs).last_hidden_state
        difference = (got - expected).abs().max().item()
        require(difference <= 1e-4, f"max |transformers - CLI| {difference:.3g} > 1e-4")
        return f"sparse_attention kept; CLI run equals transformers (max |difference| {difference:.2g})"

    report.check("fine-tuned folder in the workbench", finetuned_folder)

    print(f"gpu_transformers_check: {'PASS' if report.failures == 0 else f'FAIL ({report.failures} checks)'}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
