#include "designer/edit_command.h"

namespace spw::ui {

EditCommand::EditCommand(DesignerInput before, DesignerInput after, const QString& text, Apply apply)
    : QUndoCommand(text)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_apply(std::move(apply))
{
}

void EditCommand::undo()
{
    m_apply(m_before);
}

void EditCommand::redo()
{
    m_apply(m_after);
}

} // namespace spw::ui
