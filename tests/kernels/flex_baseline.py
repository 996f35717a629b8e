"""FlexAttention's BlockMask for a block layout, built the way a user writes it: create_block_mask with a mask_mod
that indexes the layout per head at block granularity (layout[h, q // block, kv // block]). The forward benchmark
(bench_vs_flex.py) and the forward+backward one (bench_backward.py) both use it, so that they measure one baseline.
"""
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def fresh_flex_attention():
    """torch.compile(flex_attention) compiled anew for one layout. Reusing one compiled function across layouts and
    lengths makes dynamo recompile with dynamic shapes after the first change, and those kernels ran up to 4x slower
    (bslongformer-16 at 8192: 17.0 ms against 3.8 ms compiled fresh); a recompile with another captured layout shape
    also trips an inductor bounds assertion in PyTorch 2.11."""
    torch._dynamo.reset()
    return torch.compile(flex_attention)


def user_block_mask(layout, block, heads, seq_len):
    """layout: bool [1 or heads, seq_len / block, seq_len / block], on any device."""
    per_head = layout.to(device="cuda", dtype=torch.bool).expand(heads, -1, -1).contiguous()

    def mask_mod(b, h, q_idx, kv_idx):
        return per_head[h, q_idx // block, kv_idx // block]

    # _compile=True builds the mask block by block, without the L x L token mask in memory.
    return create_block_mask(mask_mod, B=None, H=heads, Q_LEN=seq_len, KV_LEN=seq_len, device="cuda", _compile=True)
