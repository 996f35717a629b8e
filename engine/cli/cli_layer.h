#pragma once
// The command line sits above the engine: engine/ code (and the GUI) must not include cli/ headers, so that the
// engine stays usable without the CLI and the CLI's helpers do not become the engine's. spw_cli defines
// SPW_CLI_LIBRARY for itself and for what links it (app/cli, the CLI tests); everything else stops here. Helpers
// both need belong in engine/common/.
#ifndef SPW_CLI_LIBRARY
#error "cli/ headers belong to spw_cli: engine and GUI code must not include them (shared helpers go in common/)"
#endif
