"""sparse_workbench: trainable block-sparse attention for PyTorch, over the workbench's operator library.

    import sparse_workbench
    sparse_workbench.load()                      # finds and loads libsparse_workbench_ops.so
    attention = sparse_workbench.BlockSparseAttention({"mode": "bigbird", "block": 16}, num_heads=12)
    output = attention(query, key, value)        # [batch, heads, L, head_dim], any L up to max_seq_length

The operators themselves are torch.ops.sparse_workbench.block_sparse_attention and .make_layout.
"""

from ._library import load
from .attention import BlockSparseAttention, block_sparse_attention
from .layouts import make_layout
from .transformers_backend import apply, register

__all__ = ["load", "BlockSparseAttention", "block_sparse_attention", "make_layout", "register", "apply"]
