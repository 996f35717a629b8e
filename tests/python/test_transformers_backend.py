#!/usr/bin/env python3
"""The "sparse_workbench" transformers backend without transformers (CI has none): how it reads config.sparse_attention
(usable length per family, errors naming the folder and key), and its attention function on a sparse layer, called
as BERT calls it, against a dense masked reference built independently from the layout (forward and gradients,
float64). The transformers side itself is checked on the GPU machine by gpu_transformers_check.py.

    SPARSE_WORKBENCH_LIBRARY=.../libsparse_workbench_ops.so PYTHONPATH=python python3 -m unittest test_transformers_backend
"""
import types
import unittest
import warnings

import torch

import sparse_workbench
from sparse_workbench import transformers_backend as backend

BIGBIRD = {"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
           "num_global_blocks": 1}


def model_config(**changes):
    """What a BERT folder exported with two sparse layers of three looks like to transformers (attributes)."""
    values = dict(model_type="bert", max_position_embeddings=300, pad_token_id=0, num_attention_heads=2,
                  num_hidden_layers=3, is_decoder=False, _name_or_path="/models/long-bert",
                  sparse_attention=dict(BIGBIRD, num_heads=2, seed=5, layers=[0, 2]))
    values.update(changes)
    return types.SimpleNamespace(**values)


def attention_module(config, layer, training=False):
    return types.SimpleNamespace(config=config, layer_idx=layer, training=training)


def reference_attention(query, key, value, layout, block, keep):
    """softmax over the layout's blocks and the kept keys, spelled out token by token; [B, L, H, D]."""
    length = query.shape[2]
    blocks = -(-length // block)
    allowed = layout[:, :blocks, :blocks].bool().repeat_interleave(block, 1).repeat_interleave(block, 2)
    allowed = allowed[None, :, :length, :length] & keep[:, None, None, :]
    scores = (query @ key.transpose(-1, -2)) * query.shape[-1] ** -0.5
    probabilities = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
    return (probabilities @ value).transpose(1, 2)


class SettingsTest(unittest.TestCase):
    def test_bert_layout_length_is_the_position_table_rounded_to_the_block(self):
        settings = backend.sparse_attention_settings(model_config())
        self.assertEqual(settings.layout_length, 288)
        self.assertEqual(settings.layers, frozenset({0, 2}))
        self.assertTrue(settings.is_sparse(2))
        self.assertFalse(settings.is_sparse(1))
        self.assertEqual(settings.seed, 5)
        self.assertNotIn("layers", settings.sparsity)

    def test_roberta_positions_start_after_the_padding_index(self):
        settings = backend.sparse_attention_settings(model_config(model_type="roberta", max_position_embeddings=258,
                                                                  pad_token_id=1))
        self.assertEqual(settings.layout_length, 256)

    def test_without_layers_every_layer_is_sparse(self):
        config = model_config(sparse_attention=dict(BIGBIRD))
        settings = backend.sparse_attention_settings(config)
        self.assertTrue(all(settings.is_sparse(layer) for layer in range(3)))
        self.assertEqual(settings.seed, 0)

    def test_errors_name_the_folder_and_the_key(self):
        cases = [
            (dict(sparse_attention=None), '"sparse_attention"'),
            (dict(sparse_attention=[1]), '"sparse_attention" must be an object'),
            (dict(sparse_attention=dict(BIGBIRD, layers=[0, 3])), '"sparse_attention.layers" names layers [3]'),
            (dict(sparse_attention=dict(BIGBIRD, layers="all")), '"sparse_attention.layers" must be a list'),
            (dict(sparse_attention=dict(BIGBIRD, num_heads=4)), '"sparse_attention.num_heads" 4'),
            (dict(sparse_attention=dict(BIGBIRD, seed=-1)), '"sparse_attention.seed"'),
            (dict(sparse_attention=dict(BIGBIRD, block=512)), '"sparse_attention.block" 512'),
            (dict(model_type="gpt2"), 'model_type "gpt2"'),
            (dict(is_decoder=True), "is_decoder"),
        ]
        for changes, expected in cases:
            with self.subTest(changes=changes):
                with self.assertRaises(ValueError) as caught:
                    backend.sparse_attention_settings(model_config(**changes))
                self.assertIn("/models/long-bert", str(caught.exception))
                self.assertIn(expected, str(caught.exception))


class AttentionFunctionTest(unittest.TestCase):
    def setUp(self):
        sparse_workbench.load()
        generator = torch.Generator().manual_seed(3)
        shape = (2, 2, 45, 8)  # 45 tokens: padded to 48 inside, a corner of the layout made at 288
        self.qkv = [torch.randn(shape, dtype=torch.float64, generator=generator, requires_grad=True)
                    for _ in range(3)]
        self.keep = torch.ones(2, 45, dtype=torch.bool)
        self.keep[1, 38:] = False
        self.config = model_config()
        self.layout = sparse_workbench.make_layout(dict(BIGBIRD), 288, 2, 5)

    def test_sparse_layer_matches_the_masked_reference_and_its_gradients(self):
        output, weights = backend.sparse_workbench_attention(
            attention_module(self.config, 2), *self.qkv, self.keep[:, None, None, :], dropout=0.0,
            scaling=8**-0.5)
        self.assertIsNone(weights)
        expected = reference_attention(*self.qkv, self.layout, 16, self.keep)
        self.assertEqual(output.shape, (2, 45, 2, 8))
        torch.testing.assert_close(output, expected, rtol=1e-10, atol=1e-10)

        upstream = torch.randn(output.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
        got = torch.autograd.grad(output, self.qkv, upstream)
        want = torch.autograd.grad(expected, self.qkv, upstream)
        for name, g, w in zip(("query", "key", "value"), got, want):
            torch.testing.assert_close(g, w, rtol=1e-9, atol=1e-10, msg=f"gradient of the {name}")

    def test_the_layout_is_the_recorded_one_not_another_seed(self):
        # The whole layout (288 tokens): short inputs use corners that the random blocks may leave alike.
        qkv = [torch.randn(1, 2, 288, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(i))
               for i in range(3)]
        everyone = torch.ones(1, 288, dtype=torch.bool)
        output, _ = backend.sparse_workbench_attention(attention_module(self.config, 0), *qkv, None, scaling=8**-0.5)
        torch.testing.assert_close(output, reference_attention(*qkv, self.layout, 16, everyone))
        for seed in (0, 6):  # the default seed, and another
            other = sparse_workbench.make_layout(dict(BIGBIRD), 288, 2, seed)
            self.assertFalse(torch.equal(other, self.layout), f"seeds 5 and {seed} give one layout")
            self.assertFalse(torch.allclose(output, reference_attention(*qkv, other, 16, everyone)),
                             f"the output does not tell seed 5 from seed {seed}")

    def test_key_padding_masks_of_each_form_give_the_same_output(self):
        module = attention_module(self.config, 0)
        additive = torch.zeros(2, 45, dtype=torch.float64).masked_fill(~self.keep, torch.finfo(torch.float64).min)
        forms = {
            "bool [B, 1, 1, L]": self.keep[:, None, None, :],
            "int [B, L]": self.keep.long(),
            "additive [B, L]": additive,
            "bool [B, 1, Q, L] repeated": self.keep[:, None, None, :].expand(2, 1, 45, 45),
        }
        outputs = {name: backend.sparse_workbench_attention(module, *self.qkv, mask, scaling=8**-0.5)[0]
                   for name, mask in forms.items()}
        for name, output in outputs.items():
            torch.testing.assert_close(output, outputs["bool [B, 1, 1, L]"], msg=f"key padding mask {name}")

    def test_masks_that_are_not_key_padding_are_refused(self):
        causal = torch.ones(45, 45, dtype=torch.bool).tril()[None, None].expand(2, 1, 45, 45)
        with self.assertRaisesRegex(ValueError, "differs between queries"):
            backend.sparse_workbench_attention(attention_module(self.config, 0), *self.qkv, causal, scaling=8**-0.5)
        with self.assertRaisesRegex(ValueError, "does not match batch 2 and length 45"):
            backend.sparse_workbench_attention(attention_module(self.config, 0), *self.qkv,
                                               torch.ones(2, 44, dtype=torch.bool), scaling=8**-0.5)

    def test_other_scales_and_head_counts_are_refused(self):
        with self.assertRaisesRegex(ValueError, "scaling"):
            backend.sparse_workbench_attention(attention_module(self.config, 0), *self.qkv, None, scaling=0.5)
        pruned = model_config(num_attention_heads=2, sparse_attention=dict(BIGBIRD))
        three_heads = [torch.randn(2, 3, 45, 8, dtype=torch.float64) for _ in range(3)]
        with self.assertRaisesRegex(ValueError, "3 heads"):
            backend.sparse_workbench_attention(attention_module(pruned, 0), *three_heads, None)

    def test_dropout_in_training_warns_once(self):
        backend._warned.discard("dropout")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for training in (False, True, True):
                backend.sparse_workbench_attention(attention_module(self.config, 0, training), *self.qkv, None,
                                                   dropout=0.1 if training else 0.0, scaling=8**-0.5)
        messages = [str(w.message) for w in caught if "dropout" in str(w.message)]
        self.assertEqual(len(messages), 1, messages)

    def test_a_configuration_the_engine_rejects_names_the_folder(self):
        config = model_config(sparse_attention=dict(BIGBIRD, mode="diagonal"))
        with self.assertRaises(ValueError) as caught:
            backend.sparse_workbench_attention(attention_module(config, 0), *self.qkv, None, scaling=8**-0.5)
        self.assertIn('/models/long-bert: config.json "sparse_attention"', str(caught.exception))
        self.assertIn("diagonal", str(caught.exception))

    def test_one_module_per_configuration(self):
        first = backend._attention_module(backend.sparse_attention_settings(model_config()))
        same = backend._attention_module(backend.sparse_attention_settings(model_config(_name_or_path="/other")))
        other = backend._attention_module(backend.sparse_attention_settings(
            model_config(sparse_attention=dict(BIGBIRD, seed=6))))
        self.assertIs(first, same)
        self.assertIsNot(first, other)


if __name__ == "__main__":
    unittest.main()
