"""The engine's block layouts, through the operator library."""

import torch

from ._config import config_json
from ._library import load


def make_layout(config, seq_len, num_heads=0, seed=0):
    """The layout of `config` (a ds_config or its "sparse_attention" object: dict, JSON path or JSON text) at
    `seq_len` tokens: an int32 tensor [num_heads, seq_len/block, seq_len/block] on the CPU, 1 where attended.

    num_heads 0 takes the configuration's "num_heads". The random blocks come from `seed` (a "seed" key in the
    configuration is not used)."""
    load()
    return torch.ops.sparse_workbench.make_layout(config_json(config), int(seq_len), int(num_heads), int(seed))
