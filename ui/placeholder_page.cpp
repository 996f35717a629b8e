#include "placeholder_page.h"

#include <QLabel>
#include <QVBoxLayout>

namespace spw::ui {

PlaceholderPage::PlaceholderPage(const QString& title, const QString& description, QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    auto* heading = new QLabel(title, this);
    QFont font = heading->font();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    font.setBold(true);
    heading->setFont(font);
    heading->setAlignment(Qt::AlignCenter);
    layout->addWidget(heading);
    auto* text = new QLabel(description, this);
    text->setObjectName(QStringLiteral("placeholderDescription"));
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    text->setMaximumWidth(640);
    layout->addWidget(text, 0, Qt::AlignHCenter);
    m_note = new QLabel(this);
    m_note->setAlignment(Qt::AlignCenter);
    m_note->setWordWrap(true);
    m_note->hide();
    layout->addWidget(m_note, 0, Qt::AlignHCenter);
    layout->addStretch(2);
}

void PlaceholderPage::setNote(const QString& note)
{
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
}

} // namespace spw::ui
