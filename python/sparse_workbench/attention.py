"""Trainable block-sparse self-attention over the operator library: the functional form and an nn.Module, the
counterpart of DeepSpeed's SparseSelfAttention."""

import torch
import torch.nn.functional as F

from ._library import load
from .layouts import make_layout

_MODES = ("add", "mul")


def block_sparse_attention(query, key, value, layout, block, key_padding_mask=None, key_padding_mode="add",
                           attn_mask=None, attn_mask_mode="mul", scale=None):
    """torch.ops.sparse_workbench.block_sparse_attention (design.md §3): query/key/value [batch, heads, seq_len,
    head_dim] with seq_len a multiple of `block`; layout [heads, seq_len/block, seq_len/block], bool or integer,
    nonzero = attended (a CPU tensor: it is read on the host); key_padding_mask [batch, seq_len]; attn_mask
    [seq_len, seq_len]. Differentiable with respect to query, key and value."""
    load()
    return torch.ops.sparse_workbench.block_sparse_attention(query, key, value, layout, block, key_padding_mask,
                                                             key_padding_mode, attn_mask, attn_mask_mode, scale)


class BlockSparseAttention(torch.nn.Module):
    """Block-sparse self-attention with DeepSpeed's SparseSelfAttention semantics, trainable.

    config: the sparsity configuration (the "sparse_attention" dict, a whole ds_config dict, or a JSON file path).
    The layout is made once at `max_seq_length` tokens (random blocks from `seed`); an input of L tokens is padded
    on the right to the block and uses the top-left corner of that layout, and the output is cut back to L. Padded
    keys are excluded from every row's softmax and padded queries are dropped, so the result (and its gradients)
    for the real tokens do not depend on the padding.

    key_padding_mask_mode / attn_mask_mode: "add" (the mask is added to the scaled scores, e.g. HuggingFace's 0 /
    dtype-minimum extended mask) or "mul" (zero entries are excluded), DeepSpeed's defaults "add" and "mul".
    """

    def __init__(self, config, num_heads, max_seq_length=2048, seed=0, key_padding_mask_mode="add",
                 attn_mask_mode="mul"):
        super().__init__()
        for name, mode in (("key_padding_mask_mode", key_padding_mask_mode), ("attn_mask_mode", attn_mask_mode)):
            if mode not in _MODES:
                raise ValueError(f"BlockSparseAttention: {name} must be 'add' or 'mul', got {mode!r}")
        self.num_heads = int(num_heads)
        self.max_seq_length = int(max_seq_length)
        self.seed = int(seed)
        self.key_padding_mask_mode = key_padding_mask_mode
        self.attn_mask_mode = attn_mask_mode
        # Not a buffer: the layout stays on the CPU (the operator reads it on the host, so a device copy would cost a
        # synchronisation per call) and is not broadcast by DDP or saved with the weights; it is a pure function of
        # (config, num_heads, max_seq_length, seed).
        self._layout = make_layout(config, self.max_seq_length, self.num_heads, self.seed)
        self.block = self.max_seq_length // self._layout.shape[-1]
        self._corners = {}

    def extra_repr(self):
        return (f"num_heads={self.num_heads}, block={self.block}, max_seq_length={self.max_seq_length}, "
                f"seed={self.seed}, key_padding_mask_mode={self.key_padding_mask_mode!r}, "
                f"attn_mask_mode={self.attn_mask_mode!r}")

    def layout_for(self, seq_len):
        """The layout an input of `seq_len` tokens uses: the top-left corner for its length padded to the block."""
        num_blocks = -(-int(seq_len) // self.block)
        if num_blocks * self.block > self.max_seq_length:
            raise ValueError(f"BlockSparseAttention: {seq_len} tokens (padded to {num_blocks * self.block}) exceed "
                             f"max_seq_length {self.max_seq_length}")
        corner = self._corners.get(num_blocks)
        if corner is None:
            corner = self._layout[:, :num_blocks, :num_blocks].contiguous()
            self._corners[num_blocks] = corner
        return corner

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None):
        """query, key, value: [batch, heads, L, head_dim] (any L up to max_seq_length). key_padding_mask: [batch, L]
        (or HuggingFace's [batch, 1, 1, L]); attn_mask: [L, L]. Returns [batch, heads, L, head_dim]."""
        if query.dim() != 4:
            raise ValueError(f"BlockSparseAttention: query must be [batch, heads, seq_len, head_dim], got shape "
                             f"{tuple(query.shape)}")
        batch, heads, seq_len, _ = query.shape
        if heads != self.num_heads:
            raise ValueError(f"BlockSparseAttention: query has {heads} heads; this module was made for "
                             f"{self.num_heads}")
        layout = self.layout_for(seq_len)
        pad = layout.shape[-1] * self.block - seq_len
        if key_padding_mask is not None and key_padding_mask.dim() > 2:
            # DeepSpeed squeezes HuggingFace's extended [batch, 1, 1, L] mask.
            key_padding_mask = key_padding_mask.reshape(key_padding_mask.shape[0], key_padding_mask.shape[-1])
        if attn_mask is not None and attn_mask.dim() > 2:
            attn_mask = attn_mask.reshape(attn_mask.shape[-2], attn_mask.shape[-1])
        if pad:
            query, key, value = (F.pad(t, (0, 0, 0, pad)) for t in (query, key, value))
            key_padding_mask = self._padded_key_padding_mask(key_padding_mask, query, batch, seq_len, pad)
            if attn_mask is not None:
                # Padded rows are dropped and padded columns excluded by the key padding mask: any value will do,
                # so the neutral one.
                neutral = 0 if self.attn_mask_mode == "add" else 1
                attn_mask = F.pad(attn_mask, (0, pad, 0, pad), value=neutral)
        output = block_sparse_attention(query, key, value, layout, self.block, key_padding_mask,
                                        self.key_padding_mask_mode, attn_mask, self.attn_mask_mode)
        return output[:, :, :seq_len] if pad else output

    def _padded_key_padding_mask(self, mask, query, batch, seq_len, pad):
        """The key padding mask for the padded length, excluding the `pad` padded keys exactly: -inf in "add" mode
        (HuggingFace's finite dtype minimum would let a row whose real keys are all masked average over the
        padding too), 0 in "mul" mode."""
        if self.key_padding_mask_mode == "add":
            if mask is None:
                mask = torch.zeros(batch, seq_len, dtype=query.dtype, device=query.device)
            elif not mask.is_floating_point():
                mask = mask.to(query.dtype)
            return F.pad(mask, (0, pad), value=float("-inf"))
        if mask is None:
            mask = torch.ones(batch, seq_len, dtype=torch.bool, device=query.device)
        return F.pad(mask, (0, pad), value=0)
