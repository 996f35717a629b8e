#!/usr/bin/env python3
"""BlockSparseAttention under DistributedDataParallel: 2 processes on the CPU (gloo) train a tiny model built on it
for 3 optimizer steps, each on its half of the global batch; their parameters must equal a single process's, trained
on the whole batch, to 1e-6.

DDP averages the ranks' gradients, so each rank's loss is the mean over its half: the average of the two halves'
means is the mean over the whole batch, which is the single process's loss. float64 keeps summation-order
differences far below the tolerance, so a mismatch means the operator or its gradients misbehave under DDP (state
kept between processes or calls, a gradient lost in the autograd graph DDP hooks into), not rounding.

    SPARSE_WORKBENCH_LIBRARY=build/.../libsparse_workbench_ops.so PYTHONPATH=python python3 tests/python/test_ddp.py
"""
import os
import socket
import tempfile
import unittest

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

import sparse_workbench

HIDDEN = 32
HEADS = 2
MAX_LENGTH = 64
LENGTH = 40  # not a multiple of the block: the module pads to 48 and cuts back
GLOBAL_BATCH = 4
STEPS = 3
WORLD = 2
# bigbird with a random block: the layout depends on the seed, which every process must reproduce.
SPARSITY = {"mode": "bigbird", "block": 16, "num_random_blocks": 1, "num_sliding_window_blocks": 3,
            "num_global_blocks": 1}


class TinySparseEncoder(torch.nn.Module):
    """One block-sparse self-attention layer between projections: enough to put every gradient of the operator
    (query, key and value) into the parameters DDP reduces."""

    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(HIDDEN, 3 * HIDDEN)
        self.out = torch.nn.Linear(HIDDEN, HIDDEN)
        self.attention = sparse_workbench.BlockSparseAttention(SPARSITY, HEADS, max_seq_length=MAX_LENGTH, seed=7)

    def forward(self, x, key_padding_mask):
        batch, length, _ = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, HEADS, HIDDEN // HEADS).permute(2, 0, 3, 1, 4)
        context = self.attention(q, k, v, key_padding_mask=key_padding_mask)
        return self.out(context.transpose(1, 2).reshape(batch, length, HIDDEN))


def make_model():
    torch.manual_seed(0)
    return TinySparseEncoder().double()


def global_batch():
    """Inputs, targets and an additive key-padding mask (0 keep, float64's minimum exclude) for the whole batch."""
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(GLOBAL_BATCH, LENGTH, HIDDEN, generator=generator, dtype=torch.float64)
    target = torch.randn(GLOBAL_BATCH, LENGTH, HIDDEN, generator=generator, dtype=torch.float64)
    mask = torch.zeros(GLOBAL_BATCH, LENGTH, dtype=torch.float64)
    mask[1, LENGTH - 9:] = torch.finfo(torch.float64).min  # padding in one sample of each rank's half
    mask[3, LENGTH - 3:] = torch.finfo(torch.float64).min
    return x, target, mask


def train(model, parameters, x, target, mask):
    optimizer = torch.optim.AdamW(parameters, lr=1e-2)
    for _ in range(STEPS):
        optimizer.zero_grad()
        F.mse_loss(model(x, mask), target).backward()
        optimizer.step()


def worker(rank, port, out_dir):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(1)
    sparse_workbench.load()
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    try:
        model = make_model()
        ddp = torch.nn.parallel.DistributedDataParallel(model)
        x, target, mask = global_batch()
        half = slice(rank * GLOBAL_BATCH // WORLD, (rank + 1) * GLOBAL_BATCH // WORLD)
        train(ddp, ddp.parameters(), x[half], target[half], mask[half])
        torch.save(model.state_dict(), os.path.join(out_dir, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DistributedDataParallelTest(unittest.TestCase):
    def test_two_ranks_match_one_process(self):
        sparse_workbench.load()
        # gloo picks the interface of the host name, which may not reach itself in a sandbox: loopback always does.
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
        with tempfile.TemporaryDirectory() as out_dir:
            mp.spawn(worker, args=(free_port(), out_dir), nprocs=WORLD, join=True)
            ranks = [torch.load(os.path.join(out_dir, f"rank{r}.pt")) for r in range(WORLD)]

        single = make_model()
        initial = {name: tensor.clone() for name, tensor in single.state_dict().items()}
        train(single, single.parameters(), *global_batch())
        expected = single.state_dict()

        for name, tensor in expected.items():
            if not tensor.is_floating_point():
                continue
            moved = (tensor - initial[name]).abs().max().item()
            self.assertGreater(moved, 1e-4, f"{name} did not train (moved {moved}): the test would prove nothing")
            for rank, state in enumerate(ranks):
                difference = (state[name] - tensor).abs().max().item()
                self.assertLessEqual(difference, 1e-6, f"rank {rank}: {name} differs from the single process by "
                                                       f"{difference}")


if __name__ == "__main__":
    unittest.main()
