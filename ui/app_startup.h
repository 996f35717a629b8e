#pragma once
// The GUI's start-up, behind app/gui/main.cpp:
//   sparse-workbench [--model DIR] [--sparsity CONFIG.json] [--page NAME] [--screenshot FILE.png]
// --page: model | layout | convert | profile. --screenshot renders the window once everything given has loaded
// (the layout built), writes the PNG and exits 0. A bad flag, page name or file: one line on stderr, exit 2.
namespace spw::ui {

int runWorkbench(int argc, char** argv);

} // namespace spw::ui
