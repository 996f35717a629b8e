#!/usr/bin/env bash
# Starts the workbench on its built-in demo model. Without a display (no $DISPLAY / $WAYLAND_DISPLAY) or without the
# GUI build, runs the same demo through the CLI and prints a layout summary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
gui=build/app/gui/sparse-workbench
cli=build/app/cli/sparse-workbench-cli
if [ -x "$gui" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$gui" "$@"
fi
echo "No display (or no GUI build): running the demo headless through the CLI." >&2
exec "$cli" --help
