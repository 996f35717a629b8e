#pragma once
// One designer edit on the undo stack: the input before and after. Redo and undo hand the page the input to show.
#include "designer/designer_input.h"

#include <QUndoCommand>

#include <functional>

namespace spw::ui {

class EditCommand : public QUndoCommand {
public:
    using Apply = std::function<void(const DesignerInput&)>;
    EditCommand(DesignerInput before, DesignerInput after, const QString& text, Apply apply);

    void undo() override;
    void redo() override;

private:
    DesignerInput m_before;
    DesignerInput m_after;
    Apply m_apply;
};

} // namespace spw::ui
