#pragma once
// The bold heading over a group of widgets on a page.
#include <QLabel>

namespace spw::ui {

QLabel* sectionTitle(const QString& text, QWidget* parent);

} // namespace spw::ui
