#include "designer/edit_command.h"

namespace spw::ui {
namespace {

constexpr int kMergeableEditId = 1;

} // namespace

EditCommand::EditCommand(DesignerInput before, DesignerInput after, const QString& text, Apply apply, int editSession)
    : QUndoCommand(text)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_apply(std::move(apply))
    , m_editSession(editSession)
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

int EditCommand::id() const
{
    return m_editSession >= 0 ? kMergeableEditId : -1;
}

bool EditCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = dynamic_cast<const EditCommand*>(other);
    if (!next || next->m_editSession != m_editSession || next->text() != text())
        return false;
    m_after = next->m_after;
    // Stepping back to where the edit started leaves nothing to undo.
    setObsolete(m_after == m_before);
    return true;
}

} // namespace spw::ui
