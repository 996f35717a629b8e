"""sparse_workbench.BlockSparseAttention: configurations in every accepted form, the corner layout of the layout made
at max_seq_length, padding to the block and unpadding (outputs and gradients against the dense reference on the
padded length with the padded keys excluded), masks in both modes, and its argument errors."""

import json
import os
import tempfile
import unittest

import torch

import sparse_workbench
from reference import dense_attention, gradients, random_qkv

CONFIG = {"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
          "num_global_blocks": 1, "different_layout_per_head": True}


class BlockSparseAttentionTest(unittest.TestCase):
    def test_configuration_forms_give_the_same_layout(self):
        expected = sparse_workbench.make_layout(CONFIG, 256, 3, seed=5)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "ds_config.json")
            with open(path, "w", encoding="utf-8") as file:
                json.dump({"sparse_attention": CONFIG}, file)
            for config in (CONFIG, {"train_batch_size": 4, "sparse_attention": CONFIG}, path, json.dumps(CONFIG)):
                module = sparse_workbench.BlockSparseAttention(config, 3, max_seq_length=256, seed=5)
                self.assertTrue(torch.equal(module.layout_for(256), expected))
                self.assertEqual(module.block, 16)

    def test_shorter_inputs_use_the_top_left_corner(self):
        module = sparse_workbench.BlockSparseAttention(CONFIG, 3, max_seq_length=256, seed=5)
        full = sparse_workbench.make_layout(CONFIG, 256, 3, seed=5)
        self.assertTrue(torch.equal(module.layout_for(50), full[:, :4, :4]))  # 50 tokens pad to 4 blocks
        self.assertTrue(torch.equal(module.layout_for(64), full[:, :4, :4]))
        self.assertTrue(torch.equal(module.layout_for(65), full[:, :5, :5]))

    def check_padded(self, seq_len, key_padding_mask=None, attn_mask=None, **modes):
        """Against the dense reference at the padded length, with the corner layout and the padded keys excluded
        (outputs and gradients of the real tokens)."""
        module = sparse_workbench.BlockSparseAttention(CONFIG, 3, max_seq_length=256, seed=5, **modes)
        padded = -(-seq_len // 16) * 16
        layout = module.layout_for(seq_len)
        inputs = random_qkv(3, 3, seq_len, 8, seed=seq_len)
        grad_output = torch.randn_like(inputs[0])

        def reference(q, k, v):
            # Its own handling of the padding: at the padded length, one additive mask holds the attention mask
            # and -inf on the padded keys; padded rows are dropped.
            pad = padded - seq_len
            q, k, v = (torch.nn.functional.pad(t, (0, 0, 0, pad)) for t in (q, k, v))
            combined = torch.zeros(seq_len, seq_len, dtype=torch.float64)
            if attn_mask is not None:
                combined = (attn_mask.double() if modes.get("attn_mask_mode") == "add"
                            else combined.masked_fill(attn_mask == 0, float("-inf")))
            combined = torch.nn.functional.pad(combined, (0, pad, 0, pad))
            combined[:, seq_len:] = float("-inf")
            key_padding_mode = modes.get("key_padding_mask_mode", "add")
            padding = None
            if key_padding_mask is not None:
                neutral = 0.0 if key_padding_mode == "add" else 1.0
                padding = torch.nn.functional.pad(key_padding_mask.reshape(3, seq_len).double(), (0, pad),
                                                  value=neutral)
            return dense_attention(q, k, v, layout, 16, padding, key_padding_mode, combined, "add")[:, :, :seq_len]

        expected, expected_grads = gradients(reference, inputs, grad_output)
        got, got_grads = gradients(lambda q, k, v: module(q, k, v, key_padding_mask, attn_mask), inputs,
                                   grad_output)
        self.assertEqual(got.shape, (3, 3, seq_len, 8))
        self.assertLess((got - expected).abs().max().item(), 1e-10)
        self.assertGreater(expected_grads[2].abs().max().item(), 0.0)  # (one key alone gives dq = dk = 0)
        for name, g, e in zip("qkv", got_grads, expected_grads):
            self.assertLess((g - e).abs().max().item(), 1e-10, name)

    def test_pads_and_unpads(self):
        for seq_len in (50, 64, 17, 1):
            with self.subTest(seq_len=seq_len):
                self.check_padded(seq_len)

    def test_huggingface_extended_padding_mask(self):
        seq_len = 70
        mask = torch.zeros(3, 1, 1, seq_len, dtype=torch.float64)
        mask[1, ..., 40:] = torch.finfo(torch.float64).min
        mask[2, ..., 5:] = torch.finfo(torch.float64).min
        self.check_padded(seq_len, key_padding_mask=mask)
        # A sequence with every key masked: its rows average over its real keys, not over the padding too.
        mask[2] = torch.finfo(torch.float64).min
        self.check_padded(seq_len, key_padding_mask=mask)

    def test_multiplicative_padding_and_attention_masks(self):
        seq_len = 45
        mask = torch.ones(3, seq_len, dtype=torch.bool)
        mask[0, 30:] = False
        mask[2, :] = False  # attends nothing: zero output and gradients
        causal = torch.ones(seq_len, seq_len).tril()
        self.check_padded(seq_len, key_padding_mask=mask, attn_mask=causal, key_padding_mask_mode="mul")
        self.check_padded(seq_len, attn_mask=torch.randn(seq_len, seq_len, dtype=torch.float64),
                          attn_mask_mode="add")

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "key_padding_mask_mode"):
            sparse_workbench.BlockSparseAttention(CONFIG, 3, key_padding_mask_mode="or")
        with self.assertRaisesRegex(RuntimeError, "seq_len"):
            sparse_workbench.BlockSparseAttention(CONFIG, 3, max_seq_length=100)  # not a multiple of the block
        module = sparse_workbench.BlockSparseAttention(CONFIG, 3, max_seq_length=64)
        q, k, v = random_qkv(1, 3, 65, 8)
        with self.assertRaisesRegex(ValueError, "exceed max_seq_length 64"):
            module(q, k, v)
        q, k, v = random_qkv(1, 2, 32, 8)
        with self.assertRaisesRegex(ValueError, "2 heads"):
            module(q, k, v)


if __name__ == "__main__":
    unittest.main()
