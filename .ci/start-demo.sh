#!/usr/bin/env bash
# Starts the workbench on its built-in demo model. Without a display ($DISPLAY / $WAYLAND_DISPLAY unset) or without
# the GUI build, runs the same demo headless through the CLI: a small demo model with random weights, its summary,
# and the layout summary of the bslongformer preset at its maximum length.
set -euo pipefail
cd "$(dirname "$0")/.."
gui=build/app/gui/sparse-workbench
cli=build/app/cli/sparse-workbench-cli
if [ -x "$gui" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$gui" "$@"
fi
echo "No display (or no GUI build): running the demo headless through the CLI." >&2
demo="${XDG_CACHE_HOME:-$HOME/.cache}/sparse-workbench/demo-cli-bert"
if [ ! -f "$demo/config.json" ]; then
  rm -rf "$demo"; mkdir -p "$(dirname "$demo")"
  "$cli" create --out "$demo" --type bert --layers 4 --hidden 256 --heads 4 --intermediate 1024 --max-position 1024
fi
echo "Demo model (random weights): $demo" >&2
"$cli" inspect "$demo"
"$cli" tokenize "$demo" "Block-sparse attention lets encoders read long documents."
"$cli" layout --config resources/presets/bslongformer.json --seq-len 1024 --heads 4 --summary
