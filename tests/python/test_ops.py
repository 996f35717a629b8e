"""The operator library from Python (Debian's torch 1.13 in CI): loading, gradcheck in float64 for every mode and
mask kind, forward and gradients against autograd through the dense reference, make_layout against the CLI's
`layout` JSON, and argument mistakes raising RuntimeError naming the argument."""

import json
import os
import subprocess
import tempfile
import unittest

import torch

import sparse_workbench
from reference import MODE_CONFIGS, dense_attention, gradients, random_qkv

BLOCK = 8
SEQ_LEN = 64


def op(*args, **kwargs):
    return torch.ops.sparse_workbench.block_sparse_attention(*args, **kwargs)


def trailing_padding(batch, seq_len, keep, exclude, dtype=torch.float64):
    """Batch b excludes its last (b * 23 + 5) % seq_len keys."""
    mask = torch.full((batch, seq_len), keep, dtype=dtype)
    for b in range(batch):
        padded = (b * 23 + 5) % seq_len
        mask[b, seq_len - padded:] = exclude
    return mask


class LoadTest(unittest.TestCase):
    def test_loads_the_library_named_by_the_environment(self):
        path = sparse_workbench.load()
        self.assertTrue(hasattr(torch.ops.sparse_workbench, "block_sparse_attention"))
        if path is not None:
            self.assertEqual(os.path.realpath(path), os.path.realpath(os.environ["SPARSE_WORKBENCH_LIBRARY"]))
        self.assertEqual(sparse_workbench.load(), path)  # a second load is a no-op

    def test_the_schemas_are_the_issues(self):
        schema = str(torch.ops.sparse_workbench.block_sparse_attention.default._schema)
        self.assertEqual(schema, "sparse_workbench::block_sparse_attention(Tensor query, Tensor key, Tensor value, "
                                 "Tensor layout, int block, Tensor? key_padding_mask=None, "
                                 "str key_padding_mode=\"add\", Tensor? attn_mask=None, str attn_mask_mode=\"mul\", "
                                 "float? scale=None) -> Tensor")
        schema = str(torch.ops.sparse_workbench.make_layout.default._schema)
        self.assertEqual(schema, "sparse_workbench::make_layout(str sparsity_config_json, int seq_len, "
                                 "int num_heads, int seed=0) -> Tensor")


class GradcheckTest(unittest.TestCase):
    """torch.autograd.gradcheck (finite differences) in float64 on the CPU."""

    @classmethod
    def setUpClass(cls):
        sparse_workbench.load()

    def check(self, layout, batch, heads, fast=True, **masks):
        q, k, v = random_qkv(batch, heads, SEQ_LEN, 4, seed=batch * 10 + heads)
        self.assertTrue(torch.autograd.gradcheck(
            lambda q, k, v: op(q, k, v, layout, BLOCK, **masks), (q, k, v), fast_mode=fast))

    def test_every_mode(self):
        for mode, config in MODE_CONFIGS.items():
            with self.subTest(mode=mode):
                self.check(sparse_workbench.make_layout(config, SEQ_LEN, 3, seed=1), batch=1, heads=3)

    def test_full_jacobian_with_odd_batch_and_heads(self):
        layout = sparse_workbench.make_layout(MODE_CONFIGS["bigbird"], 32, 3, seed=2)
        q, k, v = random_qkv(3, 3, 32, 2, seed=5)
        self.assertTrue(torch.autograd.gradcheck(lambda q, k, v: op(q, k, v, layout, BLOCK), (q, k, v)))

    def test_key_padding_masks_of_both_kinds_and_an_attention_mask(self):
        layout = sparse_workbench.make_layout(MODE_CONFIGS["bslongformer"], SEQ_LEN, 3)
        causal = torch.ones(SEQ_LEN, SEQ_LEN).tril()
        cases = {
            # -inf excludes exactly (finite differences cannot see through the dtype minimum's rounding).
            "padding_add": dict(key_padding_mask=trailing_padding(3, SEQ_LEN, 0.0, float("-inf"))),
            "padding_add_finite": dict(key_padding_mask=trailing_padding(3, SEQ_LEN, 0.5, -3.0)),
            "padding_mul": dict(key_padding_mask=trailing_padding(3, SEQ_LEN, 1, 0, torch.int64),
                                key_padding_mode="mul"),
            "attention_mul": dict(attn_mask=causal),
            "attention_add": dict(attn_mask=torch.randn(SEQ_LEN, SEQ_LEN, dtype=torch.float64), attn_mask_mode="add"),
            "both_with_scale": dict(key_padding_mask=trailing_padding(3, SEQ_LEN, True, False, torch.bool),
                                    key_padding_mode="mul", attn_mask=causal, scale=0.3),
        }
        for name, masks in cases.items():
            with self.subTest(masks=name):
                self.check(layout, batch=3, heads=3, **masks)


class ReferenceTest(unittest.TestCase):
    """Forward and gradients against autograd through the dense reference."""

    @classmethod
    def setUpClass(cls):
        sparse_workbench.load()

    def compare(self, layout, dtype=torch.float64, tolerance=1e-10, heads=3, batch=3, head_dim=16, **masks):
        inputs = random_qkv(batch, heads, layout.shape[-1] * BLOCK, head_dim, dtype=torch.float64, seed=7)
        grad_output = torch.randn_like(inputs[0])
        expected, expected_grads = gradients(
            lambda q, k, v: dense_attention(q, k, v, layout, BLOCK, **masks), inputs, grad_output)
        got, got_grads = gradients(lambda q, k, v: op(q, k, v, layout, BLOCK, **masks),
                                   [x.to(dtype) for x in inputs], grad_output.to(dtype))
        self.assertEqual(got.dtype, dtype)
        scale = expected.abs().max()
        self.assertLess(((got.double() - expected).abs().max() / scale).item(), tolerance)
        for name, g, e in zip("qkv", got_grads, expected_grads):
            self.assertEqual(g.dtype, dtype)
            self.assertGreater(e.abs().max().item(), 0.0)
            self.assertLess(((g.double() - e).abs().max() / e.abs().max()).item(), tolerance, name)

    def test_every_mode_float64(self):
        for mode, config in MODE_CONFIGS.items():
            with self.subTest(mode=mode):
                self.compare(sparse_workbench.make_layout(config, SEQ_LEN, 3, seed=4))

    def test_any_layout_with_empty_rows_and_masks(self):
        layout = torch.rand(3, 8, 8, generator=torch.Generator().manual_seed(3)) < 0.3  # any bool layout
        layout[0, 2] = False  # row blocks that attend nothing
        layout[2, 7] = False
        lowest = torch.finfo(torch.float64).min
        self.compare(layout, key_padding_mask=trailing_padding(3, SEQ_LEN, 0.0, lowest),
                     attn_mask=torch.ones(SEQ_LEN, SEQ_LEN).tril())
        self.compare(layout.to(torch.uint8), key_padding_mask=trailing_padding(3, SEQ_LEN, 1, 0),
                     key_padding_mode="mul", attn_mask=torch.randn(SEQ_LEN, SEQ_LEN), attn_mask_mode="add")

    def test_float32_and_bfloat16(self):
        layout = sparse_workbench.make_layout(MODE_CONFIGS["bigbird"], SEQ_LEN, 3, seed=4)
        self.compare(layout, dtype=torch.float32, tolerance=1e-5)
        self.compare(layout, dtype=torch.bfloat16, tolerance=5e-2)

    def test_without_autograd(self):
        layout = sparse_workbench.make_layout(MODE_CONFIGS["local"], SEQ_LEN, 3)
        q, k, v = random_qkv(2, 3, SEQ_LEN, 8, requires_grad=False)
        expected = dense_attention(q, k, v, layout, BLOCK)
        with torch.inference_mode():
            self.assertLess((op(q, k, v, layout, BLOCK) - expected).abs().max().item(), 1e-12)
        with torch.no_grad():
            self.assertLess((op(q, k, v, layout, BLOCK) - expected).abs().max().item(), 1e-12)

    def test_a_layout_changed_between_calls_is_read_again(self):
        # The operator converts each layout tensor once (layout_cache.h): a change in place, another view of the same
        # storage and a new tensor must each give that layout's result, not the cached one's.
        layout = sparse_workbench.make_layout(MODE_CONFIGS["bigbird"], SEQ_LEN, 3, seed=4)
        q, k, v = random_qkv(2, 3, SEQ_LEN, 8, requires_grad=False)
        for step in ("first call", "changed in place", "a view of other blocks", "a new tensor"):
            if step == "changed in place":
                layout[:, 1:3] = 0
                layout[1, 5, 6] = 1
            elif step == "a view of other blocks":
                layout = torch.cat([layout, layout.flip(0)], dim=0)[3:]
            elif step == "a new tensor":
                layout = layout.transpose(1, 2).contiguous()
            with self.subTest(step=step):
                expected = dense_attention(q, k, v, layout, BLOCK)
                self.assertLess((op(q, k, v, layout, BLOCK) - expected).abs().max().item(), 1e-12)


class MakeLayoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sparse_workbench.load()

    def cli_layout(self, config, seq_len, heads, seed):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "config.json")
            with open(path, "w", encoding="utf-8") as file:
                json.dump(config, file)
            result = subprocess.run([os.environ["SPW_CLI_PATH"], "layout", "--config", path, "--seq-len",
                                     str(seq_len), "--heads", str(heads), "--seed", str(seed)],
                                    check=True, capture_output=True, text=True)
        return json.loads(result.stdout)["layout"]

    def test_equals_the_layout_command(self):
        configs = dict(MODE_CONFIGS)
        configs["ds_config_bigbird_random"] = {"train_batch_size": 8, "sparse_attention": {
            "mode": "bigbird", "block": 16, "num_random_blocks": 3, "different_layout_per_head": True}}
        configs["variable_ranges"] = {"mode": "variable", "block": 32, "num_random_blocks": 2,
                                      "global_block_indices": [0, 4], "global_block_end_indices": [2, 6],
                                      "horizontal_global_attention": True}
        for name, config in configs.items():
            for seq_len, heads, seed in ((256, 4, 0), (512, 3, 11)):
                with self.subTest(config=name, seq_len=seq_len, seed=seed):
                    layout = torch.ops.sparse_workbench.make_layout(json.dumps(config), seq_len, heads, seed)
                    self.assertEqual(layout.dtype, torch.int32)
                    self.assertEqual(layout.tolist(), self.cli_layout(config, seq_len, heads, seed))

    def test_heads_from_the_configuration(self):
        layout = sparse_workbench.make_layout({"mode": "fixed", "num_heads": 5}, 128)
        self.assertEqual(tuple(layout.shape), (5, 8, 8))


class ArgumentErrorTest(unittest.TestCase):
    """Every argument mistake is a RuntimeError whose message names the argument."""

    @classmethod
    def setUpClass(cls):
        sparse_workbench.load()

    def test_block_sparse_attention(self):
        q, k, v = random_qkv(2, 3, 32, 8, dtype=torch.float32, requires_grad=False)
        layout = torch.ones(3, 4, 4, dtype=torch.int32)
        good = dict(query=q, key=k, value=v, layout=layout, block=BLOCK)
        cases = [
            (dict(query=q[0]), "query must be \\[batch, heads, seq_len, head_dim\\]"),
            (dict(key=k[:, :, :16]), "key has shape"),
            (dict(value=v.double()), "value has dtype"),
            (dict(query=q.int(), key=k.int(), value=v.int()), "query has dtype"),
            (dict(key=k.to("meta")), "key is on meta but query is on cpu"),
            (dict(block=0), "block must be positive"),
            (dict(block=5), "seq_len 32 is not a multiple of block 5"),
            (dict(layout=layout[:2]), "layout must be \\[heads, seq_len/block, seq_len/block\\]"),
            (dict(layout=torch.ones(3, 2, 2)), "layout must be bool or integer"),
            (dict(layout=torch.ones(3, 4, 4)), "layout must be bool or integer"),
            (dict(key_padding_mask=torch.zeros(2, 16)), "key_padding_mask must have shape"),
            (dict(key_padding_mask=torch.zeros(32)), "key_padding_mask must have shape"),
            (dict(attn_mask=torch.ones(32, 16)), "attn_mask must have shape"),
            (dict(key_padding_mode="sum"), "key_padding_mode must be \"add\" or \"mul\""),
            (dict(attn_mask_mode="MUL"), "attn_mask_mode must be \"add\" or \"mul\""),
            (dict(scale=float("nan")), "scale must be finite"),
        ]
        for change, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(RuntimeError, message):
                    op(**{**good, **change})
        # The same through the autograd path.
        q.requires_grad_(True)
        with self.assertRaisesRegex(RuntimeError, "layout must be \\[heads"):
            op(**{**good, "query": q, "layout": layout[:2]})

    def test_make_layout(self):
        make = torch.ops.sparse_workbench.make_layout
        cases = [
            (lambda: make("{", 64, 2), "sparsity_config_json is not valid JSON"),
            (lambda: make('{"mode": "sideways"}', 64, 2), "mode"),
            (lambda: make('{"mode": "fixed", "blokc": 16}', 64, 2), "blokc"),
            (lambda: make('{"mode": "fixed"}', 40, 2), "40"),
            (lambda: make('{"mode": "fixed"}', 0, 2), "seq_len must be positive"),
            (lambda: make('{"mode": "fixed"}', 64, -1), "num_heads"),
            (lambda: make('{"mode": "fixed"}', 64, 0), "num_heads"),
            (lambda: make('{"mode": "fixed"}', 64, 2, -3), "seed must not be negative"),
        ]
        for call, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(RuntimeError, message):
                    call()


if __name__ == "__main__":
    unittest.main()
