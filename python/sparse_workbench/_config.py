"""Sparsity configurations as the operator library takes them: JSON text of a ds_config or its sparse_attention
object."""

import json
import os


def config_json(config):
    """JSON text for `config`: a dict (a ds_config or its "sparse_attention" object), a path to such a JSON file, or
    JSON text itself (a string starting with "{")."""
    if isinstance(config, dict):
        return json.dumps(config)
    if isinstance(config, str) and config.lstrip().startswith("{"):
        return config
    if isinstance(config, (str, os.PathLike)):
        with open(config, encoding="utf-8") as file:
            return file.read()
    raise TypeError(
        f"sparse_workbench: config must be a dict, a JSON file path or JSON text, got {type(config).__name__}")
