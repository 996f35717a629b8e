#pragma once
// The Layout designer page: choose a mode, edit its parameters (validated as you type, the reason shown inline
// while the last valid layout stays on screen), and see each head's layout as a heatmap with its statistics.
// Presets, Open… / Save… of configuration JSON, and undo/redo of every edit. Layouts are built through the job
// runner, off the GUI thread. The head count and sequence length follow the open model until the user sets them.
#include "designer/designer_input.h"
#include "model/loaded_model.h"
#include "sparsity/layout.h"
#include "sparsity/layout_downsample.h"

#include <QWidget>

#include <memory>

class QAction;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QSplitter;
class QUndoStack;

namespace spw::ui {

class InlineMessage;
class JobRunner;
class LayoutHeatmap;
class LayoutStatsWidget;
class ParameterForm;
struct DesignedLayout;
struct ModelSparsity;

class LayoutDesignerPage : public QWidget {
    Q_OBJECT
public:
    LayoutDesignerPage(JobRunner* runner, QWidget* parent = nullptr);
    ~LayoutDesignerPage() override;

    // Each of these is one undoable edit, made only when the input is valid; false, with the reason shown inline,
    // otherwise (the last valid layout stays drawn). Edits in one `editSession` (>= 0) merge into one undo step.
    bool edit(const DesignerInput& input, const QString& description, int editSession = -1);
    // Shows `input` as where the history starts (no undo step; the last session's configuration); false, with the
    // reason inline, when it is invalid.
    bool startFrom(const DesignerInput& input);
    bool openConfig(const QString& path);
    bool applyPreset(const QString& name);
    // Writes the configuration being edited; false (reason shown inline) when it is invalid or cannot be written.
    bool saveConfig(const QString& path);
    // The file dialogs behind Open… and Save… (also the window's File menu).
    void chooseFileToOpen();
    void chooseFileToSave();
    void showHead(int head);
    // The open model: its heads and the length its layout is built at (engine/model/sparse_attention_setting.h)
    // become the designer's, as one undoable edit, unless the user had set either away from the previous model's.
    // A note above the form says which the designer shows.
    void followModel(const LoadedModel& model);
    // A converted model's own configuration, at its heads and layout length (one undoable edit).
    void openModelSparsity(const ModelSparsity& sparsity);
    bool followsModel() const;
    QString modelNoteText() const;

    const DesignerInput& input() const { return m_input; }
    // The last valid layout, the one on screen (null before the first one is built).
    std::shared_ptr<const Layout> layout() const { return m_layout; }
    const LayoutStats& stats() const { return m_stats; }
    int shownHead() const { return m_shownHead; }
    QString errorText() const;
    // The matching preset's name, else "custom <mode>".
    QString configName() const;

    ParameterForm* form() const { return m_form; }
    LayoutHeatmap* heatmap() const { return m_heatmap; }
    LayoutStatsWidget* statsWidget() const { return m_statsWidget; }
    QComboBox* presetBox() const { return m_presets; }
    QUndoStack* undoStack() const { return m_undo; }
    // Checkable: show or hide the side panels (the window's View menu).
    QAction* parametersPanelAction() const { return m_parametersPanel; }
    QAction* statsPanelAction() const { return m_statsPanel; }

Q_SIGNALS:
    void layoutShown();
    void headShown(int head);
    // The input (or file) was rejected; the message is also shown inline.
    void inputRejected(const QString& message);
    void configSaved(const QString& path);
    // A valid configuration is being edited (emitted before its layout is built): other pages follow its block
    // size and offer it for conversion.
    void configApplied(const spw::SparsityConfig& config, const QString& name);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildToolbar();
    // The side panels' starting widths: their contents' own, as long as the heatmap keeps its room.
    void fitSidePanels();
    void apply(const DesignerInput& input);
    void showMatchingPreset();
    void startLayoutJob();
    // Cells of `head` over `window`: a new head to show (zoomed out), or the detail a zoom asked for.
    void startHeatmapJob(int head, const BlockWindow& window, int cells, bool detail);
    void showLayout(DesignedLayout result);
    void showError(const QString& message);
    void clearError();
    void onFormEdited(const DesignerInput& input, const QString& field, int editSession);
    QString title() const;
    DesignerInput withModelShape(DesignerInput input) const;
    void updateModelNote();

    JobRunner* m_runner = nullptr;
    QUndoStack* m_undo = nullptr;
    ParameterForm* m_form = nullptr;
    LayoutHeatmap* m_heatmap = nullptr;
    LayoutStatsWidget* m_statsWidget = nullptr;
    QComboBox* m_presets = nullptr;
    QSpinBox* m_head = nullptr;
    InlineMessage* m_error = nullptr;
    QLabel* m_modelNote = nullptr;
    QPushButton* m_useModel = nullptr;
    LoadedModel m_model;
    QAction* m_parametersPanel = nullptr;
    QAction* m_statsPanel = nullptr;
    QSplitter* m_splitter = nullptr;
    bool m_sidePanelsFitted = false;

    DesignerInput m_input; // what the form shows, valid or not
    DesignerInput m_shownInput; // what the layout on screen was built from
    std::shared_ptr<const Layout> m_layout;
    LayoutStats m_stats;
    int m_shownHead = 0;
};

} // namespace spw::ui
