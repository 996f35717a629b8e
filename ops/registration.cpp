// The operator library's registration with PyTorch's dispatcher (loaded with torch.ops.load_library):
//   sparse_workbench::block_sparse_attention: design.md §3's block-sparse attention, with autograd for query, key
//     and value, on CPU and CUDA tensors (attention_op.h);
//   sparse_workbench::make_layout: the engine's layout for a sparsity configuration (layout_op.h).
#include "attention_op.h"
#include "layout_op.h"

#include <torch/library.h>

TORCH_LIBRARY(sparse_workbench, m)
{
    m.def("block_sparse_attention(Tensor query, Tensor key, Tensor value, Tensor layout, int block, "
          "Tensor? key_padding_mask=None, str key_padding_mode=\"add\", Tensor? attn_mask=None, "
          "str attn_mask_mode=\"mul\", float? scale=None) -> Tensor");
    // No tensor arguments: one kernel for every dispatch key.
    m.def("make_layout(str sparsity_config_json, int seq_len, int num_heads, int seed=0) -> Tensor",
        &spw::ops::makeLayoutOp);
}

TORCH_LIBRARY_IMPL(sparse_workbench, CPU, m)
{
    m.impl("block_sparse_attention", &spw::ops::blockSparseAttentionKernel);
}

TORCH_LIBRARY_IMPL(sparse_workbench, CUDA, m)
{
    m.impl("block_sparse_attention", &spw::ops::blockSparseAttentionKernel);
}

TORCH_LIBRARY_IMPL(sparse_workbench, Autograd, m)
{
    m.impl("block_sparse_attention", &spw::ops::blockSparseAttentionAutograd);
}
