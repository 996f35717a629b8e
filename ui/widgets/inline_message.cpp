#include "widgets/inline_message.h"

namespace spw::ui {

InlineMessage::InlineMessage(Kind kind, QWidget* parent)
    : QLabel(parent)
{
    switch (kind) {
    case Kind::Error:
        setObjectName(QStringLiteral("errorLabel"));
        setStyleSheet(QStringLiteral("QLabel { color: #b00020; background: #fdecee; border: 1px solid #f5c2c7;"
                                     " border-radius: 4px; padding: 6px; }"));
        break;
    case Kind::Success:
        setObjectName(QStringLiteral("successLabel"));
        setStyleSheet(QStringLiteral("QLabel { color: #0f5132; background: #e8f5ee; border: 1px solid #badbcc;"
                                     " border-radius: 4px; padding: 6px; }"));
        break;
    }
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    hide();
}

void InlineMessage::showMessage(const QString& text)
{
    setText(text);
    show();
}

void InlineMessage::clearMessage()
{
    clear();
    hide();
}

QString InlineMessage::message() const
{
    return isHidden() ? QString() : text();
}

} // namespace spw::ui
