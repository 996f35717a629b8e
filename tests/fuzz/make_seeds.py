#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (tests/fuzz/seeds/NAME/) from the test fixtures and resources, small enough to
commit: vocabularies are cut to their first tokens, JSON is written compactly. Run from anywhere; plain Python 3.

    python3 tests/fuzz/make_seeds.py
"""
import json
import shutil
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = ROOT / "tests" / "fuzz" / "seeds"

# Tokens kept from each vocabulary: the special tokens and enough words (BPE: the byte alphabet) to encode text.
WORDPIECE_TOKENS = 150
BPE_TOKENS = 330


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(corpus, name, content):
    path = SEEDS / corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def safetensors_bytes(tensors, metadata=None):
    """tensors: [(name, dtype, shape, data bytes)] in data order."""
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = compact(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def safetensors_seeds():
    for model in ("bert_mlm", "roberta_cls"):
        write("safetensors", f"{model}_inputs.safetensors", (FIXTURES / "models" / model / "inputs.safetensors").read_bytes())
    sizes = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2, "F16": 2,
             "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8, "C64": 8}
    every_dtype = [(f"t_{dtype.lower()}", dtype, [2], bytes(range(1, 2 * size + 1))) for dtype, size in sizes.items()]
    write("safetensors", "every_dtype.safetensors", safetensors_bytes(every_dtype, {"format": "pt"}))
    supported = [t for t in every_dtype if t[1] in ("BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "I64", "F64")]
    write("safetensors", "supported_dtypes.safetensors", safetensors_bytes([(n, d, s, bytes(len(b))) for n, d, s, b in supported]))
    write("safetensors", "scalar_and_empty.safetensors", safetensors_bytes(
        [("empty", "F32", [0, 3], b""), ("scalar", "F32", [], struct.pack("<f", 1.5)),
         ("matrix", "I64", [2, 2], struct.pack("<4q", 1, -2, 3, -4))], {"format": "pt", "note": "seed"}))


def model_config_seeds():
    for config in sorted((FIXTURES / "models").glob("*/config.json")):
        write("model_config", f"{config.parent.name}.json", compact(json.loads(config.read_text())))


def sparsity_seeds():
    for preset in sorted((ROOT / "resources" / "presets").glob("*.json")):
        write("sparsity", preset.name, compact(json.loads(preset.read_text())))
    write("sparsity", "ds_config_bigbird.json", compact({"train_batch_size": 8, "sparse_attention": {
        "mode": "bigbird", "block": 4, "num_random_blocks": 2, "num_sliding_window_blocks": 3, "num_global_blocks": 1,
        "attention": "unidirectional", "num_heads": 2, "seed": 5}}))
    write("sparsity", "variable_ranges.json", compact({
        "mode": "variable", "block": 2, "different_layout_per_head": True, "num_random_blocks": 1,
        "local_window_blocks": [1, 2], "global_block_indices": [0, 3], "global_block_end_indices": [1, 5],
        "horizontal_global_attention": True, "num_heads": 3}))
    write("sparsity", "fixed_unidirectional.json", compact({
        "mode": "fixed", "block": 1, "num_local_blocks": 4, "num_global_blocks": 2, "attention": "unidirectional",
        "different_layout_per_head": True, "num_different_global_patterns": 2}))
    write("sparsity", "bslongformer_ranges.json", compact({
        "mode": "bslongformer", "block": 8, "num_sliding_window_blocks": 2, "global_block_indices": [0, 2],
        "global_block_end_indices": [1, 4], "attention": "unidirectional"}))


def folder_seed(name, files, text="Hello, World! Naïve café 東京 don't", pair=None):
    parts = [f"#file {file}\n{content}" + ("" if content.endswith("\n") else "\n") for file, content in files.items()]
    parts.append(f"#text\n{text}\n")
    if pair is not None:
        parts.append(f"#pair\n{pair}\n")
    write("tokenizer", name, "".join(parts))


def cut_tokenizer_json(path):
    document = json.loads(path.read_text())
    model = document["model"]
    if model["type"] == "BPE":
        model["vocab"] = {t: i for t, i in model["vocab"].items() if i < BPE_TOKENS}
        merges = [m if isinstance(m, list) else m.split(" ") for m in model["merges"]]
        model["merges"] = [m for m in merges if m[0] in model["vocab"] and m[1] in model["vocab"]
                           and m[0] + m[1] in model["vocab"]]
    else:
        model["vocab"] = {t: i for t, i in model["vocab"].items() if i < WORDPIECE_TOKENS}
    return compact(document)


def tokenizer_seeds():
    tokenizers = FIXTURES / "tokenizers"
    for name in ("bert_vocab", "bert_cased"):
        folder = tokenizers / name
        vocab = (folder / "vocab.txt").read_text().splitlines()[:WORDPIECE_TOKENS]
        folder_seed(name, {"tokenizer_config.json": compact(json.loads((folder / "tokenizer_config.json").read_text())),
                           "special_tokens_map.json": (folder / "special_tokens_map.json").read_text(),
                           "vocab.txt": "\n".join(vocab) + "\n"}, pair="a [SEP] pair")
    for name in ("roberta_vocab", "roberta_prefix"):
        folder = tokenizers / name
        vocab = {t: i for t, i in json.loads((folder / "vocab.json").read_text()).items() if i < BPE_TOKENS}
        lines = (folder / "merges.txt").read_text().splitlines()
        merges = [lines[0]] + [m for m in lines[1:] if len(m.split(" ")) == 2 and all(p in vocab for p in m.split(" "))
                               and m.replace(" ", "") in vocab]
        folder_seed(name, {"tokenizer_config.json": compact(json.loads((folder / "tokenizer_config.json").read_text())),
                           "special_tokens_map.json": (folder / "special_tokens_map.json").read_text(),
                           "vocab.json": compact(vocab), "merges.txt": "\n".join(merges) + "\n"},
                    text="Hello <mask> world!  Spaces\tand\nlines", pair="second")
    for name in ("bert_json", "roberta_json", "bert_tokenizers_json"):
        folder = tokenizers / name
        folder_seed(name, {"tokenizer.json": cut_tokenizer_json(folder / "tokenizer.json"),
                           "tokenizer_config.json": compact(json.loads((folder / "tokenizer_config.json").read_text()))},
                    pair="pair text")


def run_inputs_seeds():
    for model in ("bert_mlm", "roberta_cls"):
        write("run_inputs", f"{model}.safetensors", (FIXTURES / "models" / model / "inputs.safetensors").read_bytes())
    ids = struct.pack("<6q", 0, 5, 6, 7, 2, 1)
    write("run_inputs", "masked_bool.safetensors", safetensors_bytes(
        [("attention_mask", "BOOL", [2, 3], bytes([1, 1, 0, 1, 0, 0])), ("input_ids", "I64", [2, 3], ids)]))
    write("run_inputs", "types_f32_mask.safetensors", safetensors_bytes(
        [("attention_mask", "F32", [1, 6], struct.pack("<6f", 1, 1, 1, 1, 1, 0)),
         ("input_ids", "I64", [1, 6], ids), ("token_type_ids", "I64", [1, 6], bytes(48))]))


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    safetensors_seeds()
    model_config_seeds()
    sparsity_seeds()
    tokenizer_seeds()
    run_inputs_seeds()
    for corpus in sorted(SEEDS.iterdir()):
        files = list(corpus.iterdir())
        print(f"{corpus.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
