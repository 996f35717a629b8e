#pragma once
// One designer edit on the undo stack: the input before and after. Redo and undo hand the page the input to show.
// Edits that share a non-negative edit session (arrow steps in one field, before Enter or leaving it) merge into
// one undo step.
#include "designer/designer_input.h"

#include <QUndoCommand>

#include <functional>

namespace spw::ui {

class EditCommand : public QUndoCommand {
public:
    using Apply = std::function<void(const DesignerInput&)>;
    EditCommand(DesignerInput before, DesignerInput after, const QString& text, Apply apply, int editSession = -1);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    DesignerInput m_before;
    DesignerInput m_after;
    Apply m_apply;
    int m_editSession = -1;
};

} // namespace spw::ui
