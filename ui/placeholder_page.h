#pragma once
// A page that is not built yet: says what it will hold.
#include <QWidget>

class QLabel;

namespace spw::ui {

class PlaceholderPage : public QWidget {
    Q_OBJECT
public:
    PlaceholderPage(const QString& title, const QString& description, QWidget* parent = nullptr);
    // An extra line under the description (e.g. the model folder given on the command line).
    void setNote(const QString& note);

private:
    QLabel* m_note = nullptr;
};

} // namespace spw::ui
