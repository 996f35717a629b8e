"""An independent dense reference for block-sparse attention (design.md §3), in plain torch ops: the full L x L
scores, masks as DeepSpeed's softmax applies them (add: added; mul: zero entries excluded), -inf outside the layout,
softmax, rows with nothing to attend giving 0 (and zero gradients, in a form autograd differentiates cleanly)."""

import math

import torch

# The six modes with settings that leave real sparsity at 8 blocks (bigbird with a random block, per-head layouts).
MODE_CONFIGS = {
    "dense": {"mode": "dense", "block": 8},
    "fixed": {"mode": "fixed", "block": 8, "num_local_blocks": 2, "num_global_blocks": 1,
              "attention": "unidirectional"},
    "variable": {"mode": "variable", "block": 8, "num_random_blocks": 1, "local_window_blocks": [1, 2],
                 "global_block_indices": [0]},
    "bigbird": {"mode": "bigbird", "block": 8, "num_random_blocks": 1, "num_sliding_window_blocks": 1,
                "num_global_blocks": 1, "different_layout_per_head": True},
    "bslongformer": {"mode": "bslongformer", "block": 8, "num_sliding_window_blocks": 3,
                     "global_block_indices": [2]},
    "local": {"mode": "local", "block": 8, "num_sliding_window_blocks": 3},
}


def expand_layout(layout, block):
    """[heads, L, L] bool from a block layout."""
    return layout.bool().repeat_interleave(block, 1).repeat_interleave(block, 2)


def dense_attention(query, key, value, layout, block, key_padding_mask=None, key_padding_mode="add",
                    attn_mask=None, attn_mask_mode="mul", scale=None):
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-1, -2) * scale
    if key_padding_mask is not None:
        mask = key_padding_mask[:, None, None, :]
        scores = scores + mask.to(scores.dtype) if key_padding_mode == "add" else scores.masked_fill(
            mask == 0, float("-inf"))
    if attn_mask is not None:
        scores = scores + attn_mask.to(scores.dtype) if attn_mask_mode == "add" else scores.masked_fill(
            attn_mask == 0, float("-inf"))
    scores = scores.masked_fill(~expand_layout(layout, block).to(scores.device), float("-inf"))
    nothing = (scores == float("-inf")).all(-1, keepdim=True)
    probabilities = torch.softmax(scores.masked_fill(nothing, 0.0), -1).masked_fill(nothing, 0.0)
    return probabilities @ value


def random_qkv(batch, heads, seq_len, head_dim, dtype=torch.float64, seed=0, requires_grad=True):
    generator = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(batch, heads, seq_len, head_dim, dtype=dtype, generator=generator)
                 .requires_grad_(requires_grad) for _ in range(3))


def gradients(function, inputs, grad_output):
    """The output of function(*inputs) and the gradients of <output, grad_output> with respect to inputs."""
    inputs = [x.detach().clone().requires_grad_(True) for x in inputs]
    output = function(*inputs)
    output.backward(grad_output)
    return output.detach(), [x.grad for x in inputs]
