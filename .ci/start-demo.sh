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
"$cli" layout --config resources/presets/bslongformer.json --seq-len 1024 --heads 12 --summary
