#pragma once
// What the workbench remembers between sessions, in one QSettings (user scope, under the application's name):
// the model folders opened (model/recent_folders.h), the folder each file dialog was last used in, the window's
// geometry and splitter sizes, and the designer's last configuration (main_window.cpp saves and restores those).
// Tests point QSettings::setPath (or XDG_CONFIG_HOME) at a temporary folder and set their own application name,
// so they never read or write the user's settings.
#include <QSettings>
#include <QString>

namespace spw::ui {

QSettings workbenchSettings();

// The folder the file dialog named `dialog` ("openConfig", "saveConfig", "exportCsv", ...) showed when last used,
// or the home folder.
QString dialogFolder(const QString& dialog);
// Remembers the folder of `chosen` (a file, or a folder for folder dialogs) for the next use of `dialog`.
void rememberDialogFolder(const QString& dialog, const QString& chosen, bool chosenIsFolder = false);
// Where `dialog` should start: `fileName` inside its remembered folder.
QString dialogStart(const QString& dialog, const QString& fileName = {});

// Set (true) on a splitter whose sizes were restored from the last session, so that a page's first-show sizing
// leaves them alone.
inline constexpr char kRestoredSplitterProperty[] = "restoredFromSession";

} // namespace spw::ui
