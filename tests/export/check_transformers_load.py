#!/usr/bin/env python3
"""Checks that a folder written by `sparse-workbench-cli convert` loads in transformers (run on the GPU machine,
where torch + transformers are installed).

    python3 tests/export/check_transformers_load.py --converted OUT --original SRC --max-length N
        [--dense-extension] [--sparse] [--cli PATH]

Checks (each reported; any failure makes the verdict FAIL and the exit code 1):
  - config: max_position_embeddings is N (BERT) or N + 2 (RoBERTa); every other key of the original kept;
    "sparse_attention" present with --sparse, absent otherwise
  - AutoModel and AutoModelForMaskedLM load the folder with no missing, unexpected or mismatched weights
  - the position table is the original's rows repeated (copy initialisation); every other tensor unchanged
  - AutoTokenizer loads it and model_max_length is N
  - an input of N tokens runs in transformers
  - --dense-extension: on a short input the converted model's outputs equal the original's
  - --cli: `CLI run` on the converted folder (inputs written here) gives transformers' outputs (dense extension),
    or outputs of the input's length for an odd length (sparse)
Prints one JSON object: {"verdict": "PASS" | "FAIL", "checks": [{"name", "ok", "detail"}]}.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import traceback


class Checks:
    def __init__(self):
        self.results = []

    def run(self, name, function):
        # One failing check must not hide the others: each runs on its own and reports.
        try:
            detail = function()
            self.results.append({"name": name, "ok": True, "detail": detail if detail is not None else ""})
        except Exception as error:  # noqa: BLE001 - reported, not swallowed
            self.results.append({"name": name, "ok": False,
                                 "detail": f"{type(error).__name__}: {error}",
                                 "traceback": traceback.format_exc(limit=3)})

    def ok(self):
        return bool(self.results) and all(r["ok"] for r in self.results)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def require(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--converted", required=True)
    parser.add_argument("--original", required=True)
    parser.add_argument("--max-length", type=int, required=True, help="the N given to convert --max-position")
    parser.add_argument("--dense-extension", action="store_true", help="no sparse layers: compare outputs")
    parser.add_argument("--sparse", action="store_true", help="the conversion gave layers sparse attention")
    parser.add_argument("--cli", help="sparse-workbench-cli, to compare its `run` with transformers")
    args = parser.parse_args()

    checks = Checks()
    try:
        import torch
        import transformers
        from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, AutoTokenizer
    except Exception as error:  # noqa: BLE001
        print(json.dumps({"verdict": "FAIL", "checks": [
            {"name": "import", "ok": False, "detail": f"{type(error).__name__}: {error}"}]}, indent=2))
        return 1
    torch.manual_seed(0)
    state = {}

    original_config = read_json(os.path.join(args.original, "config.json"))
    converted_config = read_json(os.path.join(args.converted, "config.json"))
    roberta = original_config.get("model_type") == "roberta"
    rows = args.max_length + (2 if roberta else 0)

    def check_config():
        require(converted_config.get("max_position_embeddings") == rows,
                f"max_position_embeddings {converted_config.get('max_position_embeddings')}, expected {rows}")
        for key, value in original_config.items():
            if key != "max_position_embeddings":
                require(converted_config.get(key) == value, f"key {key!r} changed: {value!r} -> "
                                                            f"{converted_config.get(key)!r}")
        has_sparse = "sparse_attention" in converted_config
        require(has_sparse == args.sparse, f"sparse_attention present: {has_sparse}, expected {args.sparse}")
        config = AutoConfig.from_pretrained(args.converted)
        require(config.max_position_embeddings == rows, "AutoConfig max_position_embeddings")
        return f"max_position_embeddings {rows}, {len(original_config)} original keys kept"

    def load(cls, name, bare_encoder):
        def check():
            try:
                model, info = cls.from_pretrained(args.converted, output_loading_info=True,
                                                  attn_implementation="eager")
            except TypeError:
                model, info = cls.from_pretrained(args.converted, output_loading_info=True)
            info = info or {}
            problems = {}
            for key in ("missing_keys", "unexpected_keys", "mismatched_keys"):
                names = [str(n) for n in info.get(key) or []]
                if bare_encoder:
                    # The bare encoder drops the masked-LM head (unexpected) and may add a pooler that a masked-LM
                    # checkpoint never had (missing): both are transformers' normal behaviour, not export faults.
                    if key == "unexpected_keys":
                        names = []
                    elif key == "missing_keys":
                        names = [n for n in names if not n.startswith("pooler.")]
                if names:
                    problems[key] = names
            require(not problems, f"loading info: {problems}")
            state[name] = model.eval()
            return f"{type(model).__name__} loaded cleanly"
        return check

    def check_tensors():
        from safetensors.torch import load_file
        converted = load_file(os.path.join(args.converted, "model.safetensors"))
        original = {}
        for file in sorted(os.listdir(args.original)):
            if file.endswith(".safetensors"):
                original.update(load_file(os.path.join(args.original, file)))
        name = next(k for k in converted if k.endswith("embeddings.position_embeddings.weight"))
        table, source = converted[name], original[name]
        require(table.shape[0] == rows, f"{name} has {table.shape[0]} rows, expected {rows}")
        reserved = 2 if roberta else 0
        usable = source.shape[0] - reserved
        index = list(range(reserved)) + [reserved + i % usable for i in range(args.max_length)]
        require(torch.equal(table, source[index]), f"{name} is not the original rows repeated")
        compared = 0
        for key, tensor in converted.items():
            if key == name or key not in original:
                continue
            require(tensor.dtype == original[key].dtype, f"{key}: dtype {tensor.dtype} != {original[key].dtype}")
            require(torch.equal(tensor, original[key]), f"{key} changed")
            compared += 1
        return f"position table {tuple(table.shape)}, {compared} other tensors bit-identical"

    def check_tokenizer():
        tokenizer = AutoTokenizer.from_pretrained(args.converted)
        require(tokenizer.model_max_length == args.max_length,
                f"model_max_length {tokenizer.model_max_length}, expected {args.max_length}")
        state["tokenizer"] = tokenizer
        return f"{type(tokenizer).__name__}, model_max_length {tokenizer.model_max_length}"

    def ids(length):
        vocab = converted_config["vocab_size"]
        tensor = torch.randint(5, vocab, (2, length))
        tensor[:, 0] = 0 if roberta else 2
        return tensor

    def check_long_input():
        model = state.get("mlm")
        require(model is not None, "AutoModelForMaskedLM did not load")
        with torch.no_grad():
            logits = model(input_ids=ids(args.max_length)).logits
        require(logits.shape[1] == args.max_length, f"logits {tuple(logits.shape)}")
        require(torch.isfinite(logits).all().item(), "non-finite logits")
        return f"{args.max_length} tokens -> logits {tuple(logits.shape)}"

    def check_same_outputs():
        model = state.get("mlm")
        require(model is not None, "AutoModelForMaskedLM did not load")
        original = AutoModelForMaskedLM.from_pretrained(args.original, attn_implementation="eager").eval()
        short = ids(min(17, original_config["max_position_embeddings"] - 2))
        with torch.no_grad():
            a = original(input_ids=short).logits
            b = model(input_ids=short).logits
        difference = (a - b).abs().max().item()
        require(difference <= 1e-5, f"max |difference| {difference}")
        return f"max |difference| {difference:.3g} on {short.shape[1]} tokens"

    def check_cli():
        from safetensors.torch import load_file, save_file
        model = state.get("mlm")
        require(model is not None, "AutoModelForMaskedLM did not load")
        with tempfile.TemporaryDirectory() as work:
            length = 37 if args.sparse else 19
            input_ids = ids(length)
            mask = torch.ones_like(input_ids)
            mask[1, length - 5:] = 0
            inputs = {"input_ids": input_ids.contiguous(), "attention_mask": mask.contiguous()}
            save_file(inputs, os.path.join(work, "in.safetensors"))
            out = os.path.join(work, "out.safetensors")
            done = subprocess.run([args.cli, "run", args.converted, "--inputs", os.path.join(work, "in.safetensors"),
                                   "--output", out], capture_output=True, text=True, timeout=300)
            require(done.returncode == 0, f"cli run exit {done.returncode}: {done.stderr.strip()}")
            outputs = load_file(out)
            require(outputs["logits"].shape[1] == length, f"cli logits {tuple(outputs['logits'].shape)}")
            if args.sparse:
                return f"cli run: {length} tokens -> logits {tuple(outputs['logits'].shape)}"
            with torch.no_grad():
                expected = model(**inputs).logits
            keep = mask.bool()
            difference = (outputs["logits"][keep] - expected[keep]).abs().max().item()
            require(difference <= 1e-4, f"cli vs transformers max |difference| {difference}")
            return f"cli run vs transformers: max |difference| {difference:.3g}"

    checks.run("config", check_config)
    checks.run("AutoModel", load(AutoModel, "base", True))
    checks.run("AutoModelForMaskedLM", load(AutoModelForMaskedLM, "mlm", False))
    checks.run("tensors", check_tensors)
    checks.run("AutoTokenizer", check_tokenizer)
    checks.run("long input", check_long_input)
    if args.dense_extension:
        checks.run("same outputs as the original", check_same_outputs)
    if args.cli:
        checks.run("cli run", check_cli)

    verdict = "PASS" if checks.ok() else "FAIL"
    print(json.dumps({"verdict": verdict, "converted": args.converted, "transformers": transformers.__version__,
                      "torch": torch.__version__, "checks": checks.results}, indent=2))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
