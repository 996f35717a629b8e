"""The transformers attention backend "sparse_workbench": a folder exported by the workbench runs its recorded layers
block-sparse inside transformers (5.x), trainable, and the other layers with transformers' own SDPA.

    import sparse_workbench
    sparse_workbench.register()
    model = AutoModelForMaskedLM.from_pretrained(folder, attn_implementation="sparse_workbench")

or, for a model already loaded: ``sparse_workbench.apply(model)``.

What the exported config.json records (engine/convert/sparse_attention_record.h):
    "sparse_attention": {"mode": ..., "block": ..., ...,   the sparsity configuration in ds_config spelling
                         "num_heads": H, "seed": S,        the model's heads, the seed of the random blocks
                         "layers": [0, 1, ...]}            the sparse layers (absent: every layer)

Semantics (design.md §2, §8), the same as `sparse-workbench-cli run` on that folder:
  - the layout is made once at the model's longest usable input (BERT: max_position_embeddings; RoBERTa, whose
    position ids start after the padding index: max_position_embeddings - pad_token_id - 1), rounded down to the
    block; an input of padded length L uses its top-left (L / block)² corner (BlockSparseAttention pads, slices and
    unpads);
  - the padding mask transformers builds from `attention_mask` becomes the operator's additive key-padding mask;
  - attention-probability dropout is not applied by the sparse layers (as in DeepSpeed's SparseSelfAttention): a
    model in training mode that asks for it gets one warning.

BERT and RoBERTa in transformers 5 call the attention function registered under config._attn_implementation with
(module, query, key, value, attention_mask, dropout=..., scaling=..., **kwargs), query/key/value [B, H, L, D], and
expect ([B, L, H, D], weights or None) back; the module is the layer's self-attention, carrying `config` and
`layer_idx`. Without a mask function registered under the same name transformers passes attention_mask=None, so one
is registered too: it hands every layer the key-padding mask as a [B, 1, 1, L] boolean (True = attend), which
SDPA broadcasts and the sparse layers read back per key.

Nothing here assumes a process-wide device, so DistributedDataParallel, FSDP and several GPUs in one process work
unchanged: one BlockSparseAttention per recorded configuration serves every layer, model and device (it keeps its
layout on the CPU, and the operator takes its device from the tensors and keeps its lookup tables per device).
"""
import json
import threading
import warnings

NAME = "sparse_workbench"

# ds_config's default block size (design.md §2), for a recorded object that leaves "block" out.
_DEFAULT_BLOCK = 16

_modules_lock = threading.Lock()
_attention_modules = {}  # SparseAttentionSettings.cache_key() -> BlockSparseAttention
_warned = set()


class SparseAttentionSettings:
    """config.sparse_attention, validated against the model: what the sparse layers run with."""

    def __init__(self, folder, sparsity, layers, num_heads, seed, layout_length):
        self.folder = folder  # where the config came from, for error messages
        self.sparsity = sparsity  # the configuration object without "layers" (ds_config spelling)
        self.layers = layers  # frozenset of layer indices, or None for every layer
        self.num_heads = num_heads
        self.seed = seed
        self.layout_length = layout_length  # the length the layout is made at

    def is_sparse(self, layer):
        return self.layers is None or layer in self.layers

    def cache_key(self):
        return (json.dumps(self.sparsity, sort_keys=True), self.layout_length, self.num_heads, self.seed)


def _folder(config):
    return getattr(config, "_name_or_path", "") or getattr(config, "name_or_path", "") or "<model config>"


def _usable_length(config):
    """The longest input the model accepts, as the workbench counts it (engine/model/sparse_attention_setting.h)."""
    model_type = getattr(config, "model_type", None)
    if model_type == "bert":
        return int(config.max_position_embeddings)
    if model_type == "roberta":
        pad = config.pad_token_id if config.pad_token_id is not None else 1
        return int(config.max_position_embeddings) - int(pad) - 1
    raise ValueError(f'{_folder(config)}: model_type "{model_type}" is not supported by the sparse_workbench '
                     f'attention backend (bert or roberta)')


def sparse_attention_settings(config):
    """Reads and checks config.sparse_attention; raises ValueError naming the folder and the key at fault."""
    folder = _folder(config)
    recorded = getattr(config, "sparse_attention", None)
    if recorded is None:
        raise ValueError(f'{folder}: config.json has no "sparse_attention" object, which attn_implementation='
                         f'"{NAME}" needs (export the model with `sparse-workbench-cli convert --sparsity ...`)')
    if not isinstance(recorded, dict):
        raise ValueError(f'{folder}: config.json "sparse_attention" must be an object, got {type(recorded).__name__}')
    if getattr(config, "is_decoder", False):
        raise ValueError(f'{folder}: attn_implementation="{NAME}" runs encoders (bidirectional attention); the config '
                         f'has is_decoder=true')
    sparsity = {key: value for key, value in recorded.items() if key != "layers"}
    layers = None
    if "layers" in recorded:
        listed = recorded["layers"]
        if not isinstance(listed, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in listed):
            raise ValueError(f'{folder}: config.json "sparse_attention.layers" must be a list of layer indices, '
                             f'got {listed!r}')
        count = config.num_hidden_layers
        outside = [i for i in listed if not 0 <= i < count]
        if outside:
            raise ValueError(f'{folder}: config.json "sparse_attention.layers" names layers {outside}, but the model '
                             f'has {count} (0..{count - 1})')
        layers = frozenset(listed)
    num_heads = int(config.num_attention_heads)
    if "num_heads" in sparsity and sparsity["num_heads"] != num_heads:
        raise ValueError(f'{folder}: config.json "sparse_attention.num_heads" {sparsity["num_heads"]} differs from '
                         f'num_attention_heads {num_heads}')
    seed = sparsity.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f'{folder}: config.json "sparse_attention.seed" must be a non-negative integer, got {seed!r}')
    block = sparsity.get("block", _DEFAULT_BLOCK)
    if not isinstance(block, int) or isinstance(block, bool) or block <= 0:
        raise ValueError(f'{folder}: config.json "sparse_attention.block" must be a positive integer, got {block!r}')
    usable = _usable_length(config)
    layout_length = usable // block * block
    if layout_length <= 0:
        raise ValueError(f'{folder}: config.json "sparse_attention.block" {block} is longer than the model\'s '
                         f'{usable} usable positions')
    return SparseAttentionSettings(folder, sparsity, layers, num_heads, seed, layout_length)


def _attention_module(settings):
    """The BlockSparseAttention for these settings, made once (the layout at full length is the costly part) and
    shared by every layer, model and device that records the same configuration."""
    from . import BlockSparseAttention

    key = settings.cache_key()
    with _modules_lock:
        module = _attention_modules.get(key)
        if module is None:
            try:
                module = BlockSparseAttention(settings.sparsity, settings.num_heads,
                                              max_seq_length=settings.layout_length, seed=settings.seed)
            except RuntimeError as error:  # the engine's verdict on the configuration, naming the field
                raise ValueError(f'{settings.folder}: config.json "sparse_attention": {error}') from error
            _attention_modules[key] = module
    return module


def _warn_once(key, message):
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, stacklevel=3)


def _layer_index(module):
    layer = getattr(module, "layer_idx", None)
    if not isinstance(layer, int):
        raise ValueError(f'attn_implementation="{NAME}": the attention module {type(module).__name__} has no '
                         f'layer_idx, so the recorded sparse layers cannot be told apart')
    return layer


def _additive_key_padding(attention_mask, batch, length, layer):
    """The mask transformers hands the layer, as the operator's additive [batch, length] key-padding mask (0 keep,
    float32's minimum exclude, as the workbench builds it), or None when every key is kept."""
    if attention_mask is None:
        return None
    mask = attention_mask
    if mask.dim() == 4:
        # Ours is [B, 1, 1, L]; a prepared [B, 1, Q, L] mask passed by the caller is accepted when it is one key
        # mask repeated over the queries (anything else cannot be a key-padding mask).
        if mask.size(1) != 1 or (mask.size(2) != 1 and not bool((mask == mask[:, :, :1]).all())):
            raise ValueError(f'attn_implementation="{NAME}", layer {layer}: the attention mask of shape '
                             f'{tuple(mask.shape)} differs between queries; the sparse layers take a key-padding '
                             f'mask only ([batch, length] or [batch, 1, 1, length])')
        mask = mask[:, 0, 0, :]
    if mask.dim() != 2 or mask.size(0) != batch or mask.size(1) != length:
        raise ValueError(f'attn_implementation="{NAME}", layer {layer}: attention mask of shape '
                         f'{tuple(attention_mask.shape)} does not match batch {batch} and length {length}')
    import torch

    if mask.dtype == torch.bool:
        keep = mask
    elif mask.is_floating_point():
        # An additive mask already (0 keep, large negative exclude); a float64 minimum stays finite in float32.
        return mask.to(torch.float32).clamp_min(torch.finfo(torch.float32).min)
    else:
        keep = mask != 0
    excluded = torch.zeros(keep.shape, dtype=torch.float32, device=keep.device)
    return excluded.masked_fill_(~keep, torch.finfo(torch.float32).min)


def sparse_workbench_attention(module, query, key, value, attention_mask, dropout=0.0, scaling=None, **kwargs):
    """The attention function registered as "sparse_workbench" (transformers' AttentionInterface signature)."""
    settings = sparse_attention_settings(module.config)
    layer = _layer_index(module)
    if not settings.is_sparse(layer):
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                                      **kwargs)
    batch, heads, length, head_dim = query.shape
    if key.shape != query.shape or value.shape != query.shape:
        raise ValueError(f'attn_implementation="{NAME}", layer {layer}: sparse layers run self-attention over one '
                         f'sequence (query {tuple(query.shape)}, key {tuple(key.shape)}, value {tuple(value.shape)}); '
                         f'key/value caches and cross-attention are not supported')
    if heads != settings.num_heads:
        raise ValueError(f'attn_implementation="{NAME}", layer {layer}: {heads} heads, but the layout was recorded '
                         f'for {settings.num_heads} (pruned heads are not supported)')
    if scaling is not None and abs(scaling * head_dim**0.5 - 1.0) > 1e-6:
        raise ValueError(f'attn_implementation="{NAME}", layer {layer}: scaling {scaling} is not 1/sqrt(head_dim) '
                         f'(the only scale the sparse layers take)')
    if dropout and module.training:
        _warn_once("dropout", f'attn_implementation="{NAME}": the sparse layers do not apply attention-probability '
                              f'dropout ({dropout} requested in training mode), as DeepSpeed\'s sparse self-attention '
                              f'did not; the dense layers and the rest of the model keep theirs')
    padding = _additive_key_padding(attention_mask, batch, length, layer)
    output = _attention_module(settings)(query, key, value, key_padding_mask=padding)
    return output.transpose(1, 2).contiguous(), None


def key_padding_mask_for_layers(batch_size, q_length, kv_length, q_offset=0, kv_offset=0, mask_function=None,
                                attention_mask=None, **kwargs):
    """The mask function registered as "sparse_workbench" (transformers' AttentionMaskInterface signature).

    transformers hands it the 2D padding mask as booleans (True = real token). It returns that mask as
    [batch, 1, 1, kv_length] for every layer (SDPA broadcasts it over heads and queries), or None when no key is
    padded, so that SDPA may pick its fastest kernel.
    """
    from transformers.masking_utils import bidirectional_mask_function

    if mask_function is not None and mask_function is not bidirectional_mask_function:
        raise ValueError(f'attn_implementation="{NAME}" runs encoders with bidirectional attention; this model asked '
                         f'for another mask pattern (a decoder, or custom and/or masks)')
    if attention_mask is None:
        return None
    padding = attention_mask[:, kv_offset:kv_offset + kv_length]
    if padding.size(-1) != kv_length:
        raise ValueError(f'attn_implementation="{NAME}": attention_mask has {attention_mask.size(-1)} columns for '
                         f'{kv_length} keys')
    if bool(padding.all()):
        return None
    return padding[:, None, None, :].bool()


def register():
    """Registers the "sparse_workbench" attention (and its mask function) with transformers, loading the operator
    library first (a no-op when load(path) loaded it already). Safe to call more than once."""
    from . import load

    try:
        from transformers import AttentionInterface
        from transformers.masking_utils import AttentionMaskInterface
    except ImportError as error:
        raise ImportError(f'sparse_workbench.register() needs transformers 5 (AttentionInterface and '
                          f'AttentionMaskInterface): {error}') from error
    load()
    AttentionInterface.register(NAME, sparse_workbench_attention)
    AttentionMaskInterface.register(NAME, key_padding_mask_for_layers)


def apply(model):
    """Switches a loaded transformers BERT/RoBERTa model to the "sparse_workbench" attention (registering it first)
    after checking its config.sparse_attention; returns the model."""
    register()
    sparse_attention_settings(model.config)
    model.set_attn_implementation(NAME)
    if model.config._attn_implementation != NAME:
        # set_attn_implementation judges a model by a pattern in its source file and declines (with a logged
        # warning) when the pattern differs, although BERT's and RoBERTa's layers look the function up in their
        # shared config at every call: setting it there switches them all.
        model.config._attn_implementation = NAME
    return model
