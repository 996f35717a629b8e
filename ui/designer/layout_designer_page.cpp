#include "designer/layout_designer_page.h"

#include "common/error.h"
#include "designer/edit_command.h"
#include "designer/heatmap_data.h"
#include "designer/layout_heatmap.h"
#include "designer/layout_stats_widget.h"
#include "designer/parameter_form.h"
#include "job_runner.h"
#include "model/encoder_model.h"
#include "model/model_sparsity.h"
#include "model/sparse_attention_setting.h"
#include "presets.h"
#include "widgets/inline_message.h"
#include "workbench_settings.h"

#include "qcustomplot_include.h"
#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace spw::ui {

// What a layout job hands back to the GUI thread.
struct DesignedLayout {
    DesignerInput input;
    std::shared_ptr<const Layout> layout;
    LayoutStats stats;
    int head = 0;
    BlockWindow window;
    std::unique_ptr<QCPColorMapData> heatmap;
};

namespace {

const QString kLayoutChannel = QStringLiteral("layout");
constexpr int kSidePanelMinimumWidth = 200;
constexpr int kHeatmapStartingWidth = 600;

} // namespace

LayoutDesignerPage::LayoutDesignerPage(JobRunner* runner, QWidget* parent)
    : QWidget(parent)
    , m_runner(runner)
    , m_undo(new QUndoStack(this))
{
    auto* page = new QVBoxLayout(this);
    page->addWidget(buildToolbar());
    auto* modelRow = new QHBoxLayout;
    m_modelNote = new QLabel(this);
    m_modelNote->setObjectName(QStringLiteral("modelShapeNote"));
    m_modelNote->setWordWrap(true);
    m_modelNote->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    modelRow->addWidget(m_modelNote, 1);
    m_useModel = new QPushButton(tr("Use the model's"), this);
    m_useModel->setObjectName(QStringLiteral("useModelShape"));
    m_useModel->setToolTip(tr("Draw at the open model's heads and maximum length again"));
    connect(m_useModel, &QPushButton::clicked, this,
        [this] { edit(withModelShape(m_input), tr("Use the model's heads and length")); });
    modelRow->addWidget(m_useModel);
    page->addLayout(modelRow);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("designerSplitter"));
    page->addWidget(splitter, 1);
    m_splitter = splitter;

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_form = new ParameterForm(left);
    auto* scroll = new QScrollArea(left);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Side panels narrower than their contents scroll, so that a small window leaves the heatmap its room.
    left->setMinimumWidth(kSidePanelMinimumWidth);
    leftLayout->addWidget(scroll, 1);
    m_error = new InlineMessage(InlineMessage::Kind::Error, left);
    leftLayout->addWidget(m_error);

    m_heatmap = new LayoutHeatmap(splitter);
    m_statsWidget = new LayoutStatsWidget;
    auto* statsScroll = new QScrollArea(splitter);
    statsScroll->setObjectName(QStringLiteral("statsPanel"));
    statsScroll->setWidget(m_statsWidget);
    statsScroll->setWidgetResizable(true);
    statsScroll->setFrameShape(QFrame::NoFrame);
    statsScroll->setMinimumWidth(kSidePanelMinimumWidth);
    left->setObjectName(QStringLiteral("parametersPanel"));
    splitter->addWidget(left);
    splitter->addWidget(m_heatmap);
    splitter->addWidget(statsScroll);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setCollapsible(1, false);
    splitter->setSizes({ 210, 800, 210 });

    // View ▸ panels: hide either side panel to give the heatmap the whole width.
    auto panelAction = [this](QWidget* panel, const QString& text, const char* name) {
        auto* action = new QAction(text, this);
        action->setObjectName(QString::fromUtf8(name));
        action->setCheckable(true);
        action->setChecked(true);
        connect(action, &QAction::toggled, panel, &QWidget::setVisible);
        return action;
    };
    m_parametersPanel = panelAction(left, tr("Layout &parameters panel"), "showParametersPanel");
    m_statsPanel = panelAction(statsScroll, tr("Layout &statistics panel"), "showStatisticsPanel");

    connect(m_form, &ParameterForm::inputEdited, this, &LayoutDesignerPage::onFormEdited);
    connect(m_heatmap, &LayoutHeatmap::detailWanted, this,
        [this](const BlockWindow& window, int cells) { startHeatmapJob(m_shownHead, window, cells, true); });
    connect(m_form, &ParameterForm::inputRejected, this, &LayoutDesignerPage::showError);

    // The first layout is not an undoable edit: it is where the history starts.
    apply(defaultDesignerInput());
}

DesignerInput LayoutDesignerPage::withModelShape(DesignerInput input) const
{
    if (!m_model.isValid() || input.config.block <= 0)
        return input;
    input.config.numHeads = int(m_model.model->config().numAttentionHeads);
    input.seqLen = sparseLayoutLength(m_model.model->config(), input.config.block);
    return input;
}

bool LayoutDesignerPage::followsModel() const
{
    return m_model.isValid() && m_input.config.block > 0 && withModelShape(m_input) == m_input;
}

void LayoutDesignerPage::followModel(const LoadedModel& model)
{
    const bool following = !m_model.isValid() || followsModel();
    m_model = model;
    if (following)
        edit(withModelShape(m_input), tr("Follow %1").arg(QFileInfo(model.directory).fileName()));
    updateModelNote();
}

void LayoutDesignerPage::openModelSparsity(const ModelSparsity& sparsity)
{
    DesignerInput input = m_input;
    input.config = sparsity.config;
    input.seqLen = sparsity.layoutLength;
    edit(input, tr("Open the model's layout"));
}

void LayoutDesignerPage::updateModelNote()
{
    m_modelNote->setVisible(m_model.isValid());
    m_useModel->setVisible(m_model.isValid() && !followsModel());
    if (!m_model.isValid())
        return;
    const QLocale locale;
    const ModelConfig& config = m_model.model->config();
    const QString name = QFileInfo(m_model.directory).fileName();
    const QString modelHeads = tr("%1 heads").arg(config.numAttentionHeads);
    if (followsModel()) {
        m_modelNote->setText(tr("Heads and length from the open model %1: %2, %3 tokens. Change either to set your "
                                "own.")
                                 .arg(name, modelHeads, locale.toString(qlonglong(m_input.seqLen))));
    } else {
        m_modelNote->setText(
            tr("Heads and length set here: %1, %2 tokens. The open model %3 has %4 and takes "
               "%5 tokens; Convert uses the model's heads.")
                .arg(tr("%1 heads").arg(m_input.config.numHeads), locale.toString(qlonglong(m_input.seqLen)), name,
                    modelHeads, locale.toString(qlonglong(config.usableMaxLength()))));
    }
}

QString LayoutDesignerPage::modelNoteText() const
{
    return m_modelNote->isVisibleTo(this) ? m_modelNote->text() : QString();
}

LayoutDesignerPage::~LayoutDesignerPage() = default;

void LayoutDesignerPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Once, when the splitter first has its real width; a width the user left last session (restored by the main
    // window, which marks the splitter) is kept.
    if (m_sidePanelsFitted)
        return;
    m_sidePanelsFitted = true;
    if (!m_splitter->property(kRestoredSplitterProperty).toBool()) // queued: after the first layout pass
        QMetaObject::invokeMethod(this, &LayoutDesignerPage::fitSidePanels, Qt::QueuedConnection);
}

void LayoutDesignerPage::fitSidePanels()
{
    const QList<int> sizes = m_splitter->sizes();
    const int total = sizes.value(0) + sizes.value(1) + sizes.value(2);
    const int scrollBar = style()->pixelMetric(QStyle::PM_ScrollBarExtent);
    auto wanted
        = [&](QWidget* contents) { return std::max(kSidePanelMinimumWidth, contents->sizeHint().width() + scrollBar); };
    int left = wanted(m_form);
    int right = std::max(wanted(m_statsWidget), m_statsWidget->widthForFigures() + scrollBar);
    // The heatmap keeps 600 px (its square stays at least 300 px in a 1024-px window) and at least half the width;
    // past what is left the panels share it in proportion to what they want, and scroll.
    const int room = std::max(2 * kSidePanelMinimumWidth, std::min(total - kHeatmapStartingWidth, total / 2));
    if (left + right > room) {
        left = std::max(kSidePanelMinimumWidth, room * left / (left + right));
        right = std::max(kSidePanelMinimumWidth, room - left);
    }
    m_splitter->setSizes({ left, total - left - right, right });
}

QWidget* LayoutDesignerPage::buildToolbar()
{
    auto* bar = new QWidget(this);
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);

    layout->addWidget(new QLabel(tr("Preset:"), bar));
    m_presets = new QComboBox(bar);
    m_presets->setObjectName(QStringLiteral("presets"));
    m_presets->setPlaceholderText(tr("Choose a preset…"));
    // Each entry says what the preset is; its name (the resource's) is the item's data.
    for (const QString& name : presetNames())
        m_presets->addItem(presetTitle(name), name);
    m_presets->setCurrentIndex(-1);
    m_presets->setMinimumContentsLength(14);
    connect(m_presets, &QComboBox::activated, this,
        [this](int index) { applyPreset(m_presets->itemData(index).toString()); });
    layout->addWidget(m_presets);

    auto* open = new QPushButton(tr("Open…"), bar);
    open->setToolTip(tr("Open a sparsity configuration (ds_config JSON)"));
    connect(open, &QPushButton::clicked, this, &LayoutDesignerPage::chooseFileToOpen);
    layout->addWidget(open);
    auto* save = new QPushButton(tr("Save…"), bar);
    save->setToolTip(tr("Save the configuration as JSON (ds_config spelling)"));
    connect(save, &QPushButton::clicked, this, &LayoutDesignerPage::chooseFileToSave);
    layout->addWidget(save);

    layout->addSpacing(12);
    for (QAction* action : { m_undo->createUndoAction(bar, tr("Undo")), m_undo->createRedoAction(bar, tr("Redo")) }) {
        auto* button = new QToolButton(bar);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        bar->addAction(action);
        layout->addWidget(button);
    }
    layout->addStretch(1);

    layout->addWidget(new QLabel(tr("Head:"), bar));
    m_head = new QSpinBox(bar);
    m_head->setObjectName(QStringLiteral("head"));
    m_head->setRange(0, 0);
    connect(m_head, &QSpinBox::valueChanged, this, &LayoutDesignerPage::showHead);
    layout->addWidget(m_head);
    return bar;
}

bool LayoutDesignerPage::edit(const DesignerInput& input, const QString& description, int editSession)
{
    const QString error = designerInputError(input);
    if (!error.isEmpty()) {
        showError(error);
        return false;
    }
    if (input != m_input)
        m_undo->push(new EditCommand(
            m_input, input, description, [this](const DesignerInput& next) { apply(next); }, editSession));
    return true;
}

bool LayoutDesignerPage::startFrom(const DesignerInput& input)
{
    const QString error = designerInputError(input);
    if (!error.isEmpty()) {
        showError(error);
        return false;
    }
    m_undo->clear();
    apply(input);
    return true;
}

void LayoutDesignerPage::onFormEdited(const DesignerInput& input, const QString& field, int editSession)
{
    if (edit(input, tr("Edit %1").arg(field), editSession))
        m_form->clearInvalid();
    else
        m_form->markInvalid(m_form->fieldNamedIn(errorText(), field), errorText());
}

bool LayoutDesignerPage::openConfig(const QString& path)
{
    try {
        return edit(
            withConfig(m_input, loadSparsityConfig(path.toStdString())), tr("Open %1").arg(QFileInfo(path).fileName()));
    } catch (const Error& error) {
        showError(QString::fromStdString(error.what()));
        return false;
    }
}

bool LayoutDesignerPage::applyPreset(const QString& name)
{
    try {
        return edit(withConfig(m_input, loadPreset(name)), tr("Preset %1").arg(name));
    } catch (const Error& error) {
        showError(QString::fromStdString(error.what()));
        return false;
    }
}

bool LayoutDesignerPage::saveConfig(const QString& path)
{
    // The form shows a rejected value over the last valid configuration: saving that one would write a file that
    // differs from what is on screen.
    if (!m_form->invalidField().isEmpty()) {
        showError(
            tr("Not saved: %1 holds a value the layout rejects; correct it or undo first").arg(m_form->invalidField()));
        return false;
    }
    try {
        validate(m_input.config);
        saveSparsityConfig(m_input.config, path.toStdString());
    } catch (const Error& error) {
        showError(tr("Not saved: %1").arg(QString::fromStdString(error.what())));
        return false;
    }
    Q_EMIT configSaved(path);
    return true;
}

void LayoutDesignerPage::apply(const DesignerInput& input)
{
    // Only valid inputs get here: edit() checks them before they go on the undo stack.
    m_input = input;
    m_form->setInput(input);
    showMatchingPreset();
    updateModelNote();
    clearError();
    Q_EMIT configApplied(input.config, configName());
    startLayoutJob();
}

void LayoutDesignerPage::showMatchingPreset()
{
    int match = -1;
    for (int i = 0; i < m_presets->count() && match < 0; ++i) {
        try {
            if (withConfig(m_input, loadPreset(m_presets->itemData(i).toString())) == m_input)
                match = i;
        } catch (const Error&) {
            // A broken preset matches nothing; choosing it reports why.
        }
    }
    m_presets->setCurrentIndex(match);
}

void LayoutDesignerPage::startLayoutJob()
{
    const DesignerInput input = m_input;
    const int head = std::clamp(m_head->value(), 0, input.config.numHeads - 1);
    const int cells = m_heatmap->cellsAcross();
    std::function<DesignedLayout(const ProgressCallback&)> work
        = [input, head, cells](const ProgressCallback& progress) {
              DesignedLayout result;
              result.input = input;
              auto layout = std::make_shared<Layout>(
                  makeLayout(input.config, input.seqLen, input.config.numHeads, input.seed()));
              reportProgress(progress, 0.4f);
              result.stats = computeStats(*layout);
              reportProgress(progress, 0.6f);
              result.head = head;
              result.window = wholeLayout(*layout);
              result.heatmap = buildHeatmapData(*layout, head, result.window, cells,
                  [&](float fraction) { return !progress || progress(0.6f + 0.4f * fraction); });
              result.layout = std::move(layout);
              return result;
          };
    JobRunner::Handlers<DesignedLayout> handlers;
    handlers.finished = [this](DesignedLayout result) { showLayout(std::move(result)); };
    handlers.failed = [this](const QString& message) { showError(message); };
    m_runner->run<DesignedLayout>(kLayoutChannel, this, std::move(work), std::move(handlers));
}

void LayoutDesignerPage::startHeatmapJob(int head, const BlockWindow& window, int cells, bool detail)
{
    std::shared_ptr<const Layout> layout = m_layout;
    if (!layout)
        return;
    std::function<std::unique_ptr<QCPColorMapData>(const ProgressCallback&)> work
        = [layout, head, window, cells](
              const ProgressCallback& progress) { return buildHeatmapData(*layout, head, window, cells, progress); };
    JobRunner::Handlers<std::unique_ptr<QCPColorMapData>> handlers;
    handlers.finished = [this, layout, head, window, detail](std::unique_ptr<QCPColorMapData> data) {
        if (layout != m_layout)
            return; // a newer layout replaced the one this head belongs to
        if (detail) {
            m_heatmap->showDetail(std::move(data), layout, head, window);
            return;
        }
        m_shownHead = head;
        m_heatmap->showHeatmap(std::move(data), layout, head, window, title());
        Q_EMIT headShown(head);
    };
    handlers.failed = [this](const QString& message) { showError(message); };
    // A zoom's cells have their own channel: a newer zoom supersedes them, but a head switch must not.
    m_runner->run<std::unique_ptr<QCPColorMapData>>(
        detail ? QStringLiteral("heatmap-detail") : QStringLiteral("heatmap"), this, std::move(work),
        std::move(handlers));
}

void LayoutDesignerPage::showHead(int head)
{
    if (!m_layout || head < 0 || head >= m_layout->numHeads)
        return;
    startHeatmapJob(head, wholeLayout(*m_layout), m_heatmap->cellsAcross(), false);
}

void LayoutDesignerPage::showLayout(DesignedLayout result)
{
    // An edit made while this layout was being built has already started a newer job, whose generation makes
    // the runner drop this one; so the result here always matches the latest valid input.
    m_layout = result.layout;
    m_stats = result.stats;
    m_shownInput = result.input;
    m_shownHead = result.head;
    {
        const QSignalBlocker blocker(m_head);
        m_head->setRange(0, m_layout->numHeads - 1);
        m_head->setValue(result.head);
    }
    m_heatmap->showHeatmap(std::move(result.heatmap), m_layout, result.head, result.window, title());
    m_statsWidget->showStats(*m_layout, m_stats);
    Q_EMIT layoutShown();
}

QString LayoutDesignerPage::title() const
{
    const QLocale locale;
    return tr("%1 · %2 tokens · %3 × %3 blocks of %4 · head %5 of %6")
        .arg(QString::fromUtf8(modeName(m_shownInput.config.mode)), locale.toString(qlonglong(m_shownInput.seqLen)))
        .arg(m_layout->numBlocks)
        .arg(m_layout->block)
        .arg(m_shownHead)
        .arg(m_layout->numHeads);
}

void LayoutDesignerPage::showError(const QString& message)
{
    m_error->showMessage(message);
    Q_EMIT inputRejected(message);
}

void LayoutDesignerPage::clearError()
{
    m_error->clearMessage();
}

QString LayoutDesignerPage::configName() const
{
    if (m_presets->currentIndex() >= 0)
        return m_presets->currentData().toString();
    return tr("custom %1").arg(QString::fromUtf8(modeName(m_input.config.mode)));
}

QString LayoutDesignerPage::errorText() const
{
    return m_error->message();
}

void LayoutDesignerPage::chooseFileToOpen()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open sparsity configuration"),
        dialogFolder(QStringLiteral("openConfig")), tr("JSON (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberDialogFolder(QStringLiteral("openConfig"), path);
    openConfig(path);
}

void LayoutDesignerPage::chooseFileToSave()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save sparsity configuration"),
        dialogStart(QStringLiteral("saveConfig"), QStringLiteral("sparsity.json")), tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    rememberDialogFolder(QStringLiteral("saveConfig"), path);
    saveConfig(path);
}

} // namespace spw::ui
