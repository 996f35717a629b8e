#!/usr/bin/env bash
# Starts the workbench on its built-in demo model. Without a display ($DISPLAY / $WAYLAND_DISPLAY unset) or without
# the GUI build, runs the same demo headless through the CLI: the shipped demo model's summary, a tokenized sentence,
# the layout summary of the bslongformer preset, and the model's masked-LM quality with and without that layout.
set -euo pipefail
cd "$(dirname "$0")/.."
gui=build/app/gui/sparse-workbench
cli=build/app/cli/sparse-workbench-cli
if [ -x "$gui" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$gui" "$@"
fi
echo "No display (or no GUI build): running the demo headless through the CLI." >&2
demo=resources/models/demo-roberta
echo "Demo model (a small RoBERTa trained on the Linux kernel documentation): $demo" >&2
"$cli" inspect "$demo"
"$cli" tokenize "$demo" "Block-sparse attention lets encoders read long documents."
"$cli" layout --config resources/presets/bslongformer.json --seq-len 1024 --heads 4 --summary
# Its masked-LM quality on a held-out document, as it is (512 tokens) and converted to 1024 tokens with and without
# the bslongformer layout.
"$cli" evaluate "$demo" --text resources/text/heldout-cgroup-v2.txt --seq-len 1024 \
  --sparsity resources/presets/bslongformer.json --max-tokens 8192
