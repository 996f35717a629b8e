#pragma once
// A message shown on the page itself, next to what it is about, rather than in a dialog: an error in red or a
// success in green. Hidden while there is nothing to say; its text can be selected and copied.
#include <QLabel>

namespace spw::ui {

class InlineMessage : public QLabel {
    Q_OBJECT
public:
    // An Error is named "errorLabel" and a Success "successLabel", the names the pages' tests find them by.
    enum class Kind { Error, Success };

    InlineMessage(Kind kind, QWidget* parent = nullptr);

    void showMessage(const QString& text);
    void clearMessage();
    // The text on show; empty while hidden.
    QString message() const;
};

} // namespace spw::ui
