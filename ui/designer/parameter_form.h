#pragma once
// The designer's form: the mode, every parameter of that mode under its DeepSpeed name, and the sequence length,
// head count and seed. It shows a DesignerInput and reports each user edit as a whole new DesignerInput; it never
// validates (the page does, so that the reason can be shown with the last valid layout still on screen). Each field
// widget's objectName is its DeepSpeed key ("num_local_blocks", ...; "seq_len", "num_heads", "seed").
// Numbers and lists are reported when the user commits them (Enter, leaving the field, an arrow step), not per
// keystroke, so that typing "48" never passes through a layout of block 4.
#include "designer/designer_input.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace spw::ui {

class ParameterForm : public QWidget {
    Q_OBJECT
public:
    explicit ParameterForm(QWidget* parent = nullptr);

    // Shows `input` without reporting it as an edit; rows that do not apply to its mode are hidden.
    void setInput(const DesignerInput& input);
    const DesignerInput& input() const { return m_input; }
    // Whether the field named by its DeepSpeed key is shown for the current mode.
    bool isFieldShown(const QString& key) const;

    // Highlights the field and shows `message` right under it; the page calls this for a rejected edit. Cleared by
    // clearInvalid and by setInput.
    void markInvalid(const QString& key, const QString& message);
    void clearInvalid();
    QString invalidField() const { return m_invalidKey; }
    QString fieldMessage(const QString& key) const;
    // The field a rejection message is about: `edited` when the message names it, else the first field it names
    // (the engine's messages name their fields by DeepSpeed key), else `edited`.
    QString fieldNamedIn(const QString& message, const QString& edited) const;

Q_SIGNALS:
    // `editSession` is the same for successive arrow steps in one number field (one undo step for all of them) and
    // changes once that edit is finished; -1 for edits that stand alone.
    void inputEdited(const spw::ui::DesignerInput& input, const QString& field, int editSession);
    // A list field that does not parse: the message names the field.
    void inputRejected(const QString& message);

private:
    QSpinBox* addSpinBox(
        const char* key, int minimum, int maximum, const QString& tip, std::function<void(DesignerInput&, int)> apply);
    QCheckBox* addCheckBox(const char* key, const QString& tip, std::function<void(DesignerInput&, bool)> apply);
    QLineEdit* addListEdit(const char* key, const QString& tip,
        std::function<void(DesignerInput&, const std::vector<int>&)> apply, bool allowEmpty);
    void addRow(const char* key, QWidget* field, const QString& tip);
    void edit(const QString& field, const std::function<void(DesignerInput&)>& change, int editSession = -1);
    void showValues();
    void showRowsFor(SparsityMode mode);

    DesignerInput m_input;
    bool m_updating = false; // set while setInput writes into the widgets, so that no edit is reported
    QFormLayout* m_layout = nullptr;
    QHash<QString, QWidget*> m_fields;
    QHash<QString, QWidget*> m_rows; // the field with its message label under it: what the form layout holds
    QHash<QString, QLabel*> m_messages;
    QString m_invalidKey;
    int m_editSession = 0;
    QComboBox* m_mode = nullptr;
    QComboBox* m_attention = nullptr;
    QSpinBox* m_block = nullptr;
    QSpinBox* m_seqLen = nullptr;
    QSpinBox* m_heads = nullptr;
    QSpinBox* m_seed = nullptr;
    QCheckBox* m_differentLayoutPerHead = nullptr;
    QSpinBox* m_numLocalBlocks = nullptr;
    QSpinBox* m_numGlobalBlocks = nullptr;
    QCheckBox* m_horizontalGlobalAttention = nullptr;
    QSpinBox* m_numDifferentGlobalPatterns = nullptr;
    QSpinBox* m_numRandomBlocks = nullptr;
    QLineEdit* m_localWindowBlocks = nullptr;
    QLineEdit* m_globalBlockIndices = nullptr;
    QLineEdit* m_globalBlockEndIndices = nullptr;
    QSpinBox* m_numSlidingWindowBlocks = nullptr;
};

} // namespace spw::ui
