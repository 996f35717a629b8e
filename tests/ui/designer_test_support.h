#pragma once
// Helpers for driving the layout designer in tests: edit its form through the widgets a user would touch, and
// wait for the layout built off the GUI thread.
#include "designer/layout_designer_page.h"

#include <QString>

#include <functional>

namespace spw::ui::test {

// Runs `action` and waits until the page shows a new layout. False on timeout.
bool actAndWaitForLayout(LayoutDesignerPage& page, const std::function<void()>& action);
// Runs `action` and waits until the page rejects the input (now or from the layout job). False on timeout.
bool actAndWaitForRejection(LayoutDesignerPage& page, const std::function<void()>& action);

// Applies the preset and waits for its layout; true at once when the preset changes nothing.
bool applyPresetAndWait(LayoutDesignerPage& page, const QString& preset);
// Chooses the mode in the form (which resets the mode's parameters to their defaults) and waits for its layout.
bool selectModeAndWait(LayoutDesignerPage& page, const QString& mode);

// Types into the form field named by its DeepSpeed key and presses Enter, as a user would.
void setSpinField(LayoutDesignerPage& page, const QString& key, int value);
void setTextField(LayoutDesignerPage& page, const QString& key, const QString& text);
void setComboField(LayoutDesignerPage& page, const QString& key, const QString& text);
void setCheckField(LayoutDesignerPage& page, const QString& key, bool checked);

} // namespace spw::ui::test
