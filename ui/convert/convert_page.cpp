#include "convert/convert_page.h"

#include "convert/drift_chart.h"
#include "convert/drift_panel.h"
#include "convert/drift_table_model.h"
#include "convert/export_folder_dialog.h"
#include "convert/quality_panel.h"
#include "job_runner.h"
#include "key_value_model.h"
#include "model/encoder_model.h"
#include "model/model_sparsity.h"
#include "widgets/fitted_table_view.h"
#include "widgets/inline_message.h"
#include "widgets/job_progress_row.h"
#include "widgets/section_title.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <limits>

namespace spw::ui {
namespace {

const QString kPreviewChannel = QStringLiteral("convert-preview");
const QString kJobChannel = QStringLiteral("convert");

} // namespace

ConvertPage::ConvertPage(JobRunner* runner, QWidget* parent)
    : QWidget(parent)
    , m_runner(runner)
{
    auto* page = new QVBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("convertSplitter"));
    page->addWidget(splitter, 1);
    splitter->addWidget(buildForm());
    splitter->addWidget(buildResults());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 420, 1020 });

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(120);
    connect(m_previewTimer, &QTimer::timeout, this, &ConvertPage::startPreview);
    connect(m_runner, &JobRunner::jobEnded, this, [this](const QString& channel) {
        // Cancelled from the status bar, a job reports nothing: the runner's bookkeeping does.
        if (channel == kJobChannel && m_busy && !m_runner->isCurrent(channel, m_jobGeneration))
            endCancelledJob();
    });
    updateButtons();
}

ConvertPage::~ConvertPage() = default;

QWidget* ConvertPage::buildForm()
{
    auto* form = new QWidget(this);
    auto* layout = new QVBoxLayout(form);
    layout->setContentsMargins(0, 0, 8, 0);
    layout->addWidget(sectionTitle(tr("Conversion"), form));
    m_source = new QLabel(tr("No model open: open one on the Model page."), form);
    m_source->setObjectName(QStringLiteral("sourceModel"));
    m_source->setWordWrap(true);
    m_source->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    layout->addWidget(m_source);

    auto* fields = new QFormLayout;
    fields->setLabelAlignment(Qt::AlignRight);
    m_maxLength = new QSpinBox(form);
    m_maxLength->setObjectName(QStringLiteral("maxLength"));
    m_maxLength->setRange(0, 1 << 20);
    m_maxLength->setGroupSeparatorShown(true);
    m_maxLength->setSuffix(tr(" tokens"));
    m_maxLength->setToolTip(tr("The new maximum input length: the position table is extended by copying its rows "
                               "(DeepSpeed's extend_position_embedding). At the model's own maximum: unchanged."));
    connect(m_maxLength, &QSpinBox::valueChanged, this, &ConvertPage::schedulePreview);
    fields->addRow(tr("New maximum length"), m_maxLength);
    m_sparsity = new QComboBox(form);
    m_sparsity->setObjectName(QStringLiteral("sparsityChoice"));
    m_sparsity->addItem(tr("none: extend positions only"));
    connect(m_sparsity, &QComboBox::currentIndexChanged, this, [this] {
        m_layers->setEnabled(m_sparsity->currentIndex() > 0);
        m_seed->setEnabled(m_sparsity->currentIndex() > 0);
        schedulePreview();
    });
    fields->addRow(tr("Sparse attention"), m_sparsity);
    m_seed = new QSpinBox(form);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setToolTip(tr("Seed of the layout's random blocks, recorded in the exported config.json"));
    connect(m_seed, &QSpinBox::valueChanged, this, &ConvertPage::schedulePreview);
    fields->addRow(tr("Seed"), m_seed);
    layout->addLayout(fields);

    auto* layersTitle = new QHBoxLayout;
    layersTitle->addWidget(new QLabel(tr("Layers to make sparse"), form), 1);
    // Small but framed: flat, they read as labels.
    auto* all = new QPushButton(tr("All"), form);
    all->setObjectName(QStringLiteral("checkAllLayers"));
    all->setToolTip(tr("Make every layer sparse"));
    auto* none = new QPushButton(tr("None"), form);
    none->setObjectName(QStringLiteral("checkNoLayers"));
    none->setToolTip(tr("Keep every layer dense"));
    for (QPushButton* button : { all, none }) {
        button->setAutoDefault(false);
        button->setMinimumWidth(button->fontMetrics().horizontalAdvance(button->text()) + 24);
        button->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
        layersTitle->addWidget(button);
    }
    layout->addLayout(layersTitle);
    m_layers = new QListWidget(form);
    m_layers->setObjectName(QStringLiteral("layers"));
    m_layers->setFlow(QListView::LeftToRight);
    m_layers->setWrapping(true);
    m_layers->setResizeMode(QListView::Adjust);
    m_layers->setSpacing(2);
    m_layers->setMaximumHeight(84);
    connect(m_layers, &QListWidget::itemChanged, this, &ConvertPage::schedulePreview);
    auto checkAll = [this](Qt::CheckState state) {
        const QSignalBlocker blocker(m_layers);
        for (int i = 0; i < m_layers->count(); ++i)
            m_layers->item(i)->setCheckState(state);
        schedulePreview();
    };
    connect(all, &QPushButton::clicked, this, [checkAll] { checkAll(Qt::Checked); });
    connect(none, &QPushButton::clicked, this, [checkAll] { checkAll(Qt::Unchecked); });
    layout->addWidget(m_layers);

    auto* buttons = new QHBoxLayout;
    m_compare = new QPushButton(tr("Compare on sample text"), form);
    m_compare->setObjectName(QStringLiteral("compare"));
    m_compare->setToolTip(tr("Run the Model page's sample text, filled to the converted length, through a converted "
                             "copy and through the same conversion without sparse attention, and measure how far "
                             "the outputs move"));
    connect(m_compare, &QPushButton::clicked, this, &ConvertPage::compare);
    buttons->addWidget(m_compare);
    m_export = new QPushButton(tr("Export…"), form);
    m_export->setObjectName(QStringLiteral("export"));
    m_export->setDefault(true);
    m_export->setToolTip(tr("Write the converted model as a HuggingFace folder (config.json, model.safetensors, "
                            "tokenizer files)"));
    connect(m_export, &QPushButton::clicked, this, &ConvertPage::chooseExportFolder);
    buttons->addWidget(m_export);
    layout->addLayout(buttons);

    m_jobRow = new JobProgressRow(QStringLiteral("jobProgress"), QStringLiteral("cancelJob"), 140, form);
    connect(m_jobRow, &JobProgressRow::cancelRequested, this, &ConvertPage::cancel);
    layout->addWidget(m_jobRow);

    m_error = new InlineMessage(InlineMessage::Kind::Error, form);
    layout->addWidget(m_error);
    m_success = new InlineMessage(InlineMessage::Kind::Success, form);
    layout->addWidget(m_success);
    layout->addStretch(1);
    return form;
}

QWidget* ConvertPage::buildResults()
{
    auto* results = new QWidget(this);
    auto* layout = new QVBoxLayout(results);
    layout->setContentsMargins(8, 0, 0, 0);
    layout->addWidget(sectionTitle(tr("Preview"), results));
    m_preview = new KeyValueModel(tr("What changes"), tr("Before → after"), this);
    m_previewView = fittedTableView(m_preview, QStringLiteral("previewTable"), results);
    layout->addWidget(m_previewView);
    layout->addSpacing(8);

    m_resultTabs = new QTabWidget(results);
    m_resultTabs->setObjectName(QStringLiteral("convertResults"));
    m_driftPanel = new DriftPanel(m_resultTabs);
    connect(m_driftPanel, &DriftPanel::fillChanged, this,
        [this] { m_driftPanel->markStale(tr("the way the text is filled changed")); });
    m_resultTabs->addTab(m_driftPanel, tr("Output drift"));
    m_qualityPanel = new QualityPanel(m_resultTabs);
    connect(m_qualityPanel, &QualityPanel::measureRequested, this, &ConvertPage::measureQuality);
    m_resultTabs->addTab(m_qualityPanel, tr("Masked-LM quality"));
    layout->addWidget(m_resultTabs, 1);
    return results;
}

void ConvertPage::setModel(const LoadedModel& model)
{
    m_model = model;
    const ModelConfig& config = model.model->config();
    const std::int64_t current = config.usableMaxLength();
    m_source->setText(tr("%1 · %2 layers · %3 heads · up to %4 tokens%5")
                          .arg(QFileInfo(model.directory).fileName())
                          .arg(config.numHiddenLayers)
                          .arg(config.numAttentionHeads)
                          .arg(QLocale().toString(qlonglong(current)))
                          .arg(model.randomWeights ? tr(" (demo model, random weights)") : QString()));
    // A converted model opened again: say so, and what converting it does to the attention it already has.
    if (const std::optional<ModelSparsity> sparsity = modelSparsity(model))
        m_source->setText(m_source->text()
            + tr("\nAlready sparse: %1. Extending its positions keeps that attention; sparse attention chosen "
                 "below replaces it in the checked layers.")
                  .arg(sparsity->description()));
    {
        const QSignalBlocker blockLength(m_maxLength);
        m_maxLength->setMinimum(int(current));
        m_maxLength->setSpecialValueText(tr("unchanged (%1)").arg(QLocale().toString(qlonglong(current))));
        m_maxLength->setSingleStep(m_designerConfig ? m_designerConfig->block : 64);
        m_maxLength->setValue(int(current * 2));
        const QSignalBlocker blockLayers(m_layers);
        m_layers->clear();
        for (int layer = 0; layer < config.numHiddenLayers; ++layer) {
            auto* item = new QListWidgetItem(tr("Layer %1").arg(layer), m_layers);
            item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
            item->setCheckState(Qt::Checked);
        }
    }
    m_driftPanel->clear();
    const QString unavailable = qualityUnavailableReason(model);
    m_qualityPanel->setUnavailableReason(
        unavailable.isEmpty() ? unavailable : tr("%1 The output drift still compares it.").arg(unavailable));
    m_qualityPanel->clear();
    clearMessages();
    // At once rather than debounced: a screenshot taken when the runner falls idle then shows the preview.
    m_previewValid = false;
    startPreview();
}

void ConvertPage::setSparsity(const SparsityConfig& config, const QString& name)
{
    const bool wasUsed = m_sparsity->currentIndex() > 0 || !m_designerConfig;
    m_designerConfig = config;
    m_designerName = name;
    const QString label = tr("%1, block %2 (designer)").arg(name).arg(config.block);
    const QSignalBlocker blocker(m_sparsity);
    if (m_sparsity->count() == 1)
        m_sparsity->addItem(label);
    else
        m_sparsity->setItemText(1, label);
    m_sparsity->setCurrentIndex(wasUsed ? 1 : 0);
    m_layers->setEnabled(wasUsed);
    m_seed->setEnabled(wasUsed);
    {
        const QSignalBlocker seedBlocker(m_seed);
        m_seed->setValue(int(config.seed.value_or(0)));
    }
    m_maxLength->setSingleStep(config.block);
    schedulePreview();
}

void ConvertPage::setSampleText(const QString& text)
{
    if (text != m_sampleText)
        m_driftPanel->markStale(tr("the sample text changed"));
    m_sampleText = text;
}

DriftTableModel* ConvertPage::driftModel() const
{
    return m_driftPanel->model();
}

DriftChart* ConvertPage::driftChart() const
{
    return m_driftPanel->chart();
}

ConversionSettings ConvertPage::settings() const
{
    ConversionSettings settings;
    if (m_maxLength->value() > m_maxLength->minimum())
        settings.maxLength = m_maxLength->value();
    if (m_sparsity->currentIndex() > 0 && m_designerConfig) {
        settings.sparsity = m_designerConfig;
        for (int i = 0; i < m_layers->count(); ++i)
            if (m_layers->item(i)->checkState() == Qt::Checked)
                settings.layers.push_back(i);
        settings.seed = std::uint64_t(m_seed->value());
    }
    return settings;
}

void ConvertPage::setMaxLength(std::int64_t length)
{
    m_maxLength->setValue(int(length));
}

void ConvertPage::setUseSparsity(bool use)
{
    m_sparsity->setCurrentIndex(use && m_sparsity->count() > 1 ? 1 : 0);
}

void ConvertPage::setLayerChecked(int layer, bool checked)
{
    if (QListWidgetItem* item = m_layers->item(layer))
        item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void ConvertPage::setSeed(std::uint64_t seed)
{
    m_seed->setValue(int(seed));
}

void ConvertPage::schedulePreview()
{
    m_driftPanel->markStale(tr("the conversion settings changed"));
    m_qualityPanel->markStale(tr("the conversion settings changed"));
    m_previewValid = false;
    updateButtons();
    m_previewTimer->start();
}

void ConvertPage::startPreview()
{
    m_previewTimer->stop();
    if (!m_model.isValid())
        return;
    const LoadedModel model = m_model;
    const ConversionSettings settings = this->settings();
    std::function<ConversionPreviewResult(const ProgressCallback&)> work
        = [model, settings](const ProgressCallback&) { return previewConversion(model, settings); };
    JobRunner::Handlers<ConversionPreviewResult> handlers;
    handlers.finished = [this](ConversionPreviewResult result) {
        m_previewResult = std::move(result);
        QVector<KeyValueRow> rows;
        for (const PreviewRow& row : m_previewResult.rows)
            rows.push_back({ row.key, row.value, {} });
        m_preview->setRows(std::move(rows));
        m_previewValid = true;
        m_error->clearMessage();
        updateButtons();
        Q_EMIT previewShown();
    };
    handlers.failed = [this](const QString& message) {
        m_preview->setRows({});
        m_previewValid = false;
        updateButtons();
        showError(message);
    };
    m_runner->run<ConversionPreviewResult>(kPreviewChannel, this, std::move(work), std::move(handlers));
}

void ConvertPage::compare()
{
    if (!m_model.isValid() || m_busy)
        return;
    const LoadedModel model = m_model;
    const ConversionSettings settings = this->settings();
    const QString text = m_sampleText;
    const DriftFill fill = m_driftPanel->fill();
    std::function<DriftReport(const ProgressCallback&)> work
        = [model, settings, text, fill](
              const ProgressCallback& p) { return compareOnText(model, settings, text, fill, p); };
    JobRunner::Handlers<DriftReport> handlers;
    handlers.finished = [this](DriftReport report) {
        endJob();
        m_driftPanel->showReport(report);
        Q_EMIT compareFinished();
    };
    handlers.failed = [this](const QString& message) {
        endJob();
        showError(message);
    };
    handlers.progressed = [this](float fraction) { m_jobRow->setProgress(fraction); };
    startJob(tr("Comparing on the sample text…"));
    m_jobGeneration = m_runner->run<DriftReport>(kJobChannel, this, std::move(work), std::move(handlers));
}

void ConvertPage::measureQuality()
{
    if (!m_model.isValid() || m_busy)
        return;
    const LoadedModel model = m_model;
    const ConversionSettings settings = this->settings();
    const QualityTextChoice text = m_qualityPanel->choice();
    std::function<QualityReport(const ProgressCallback&)> work = [model, settings, text](const ProgressCallback& p) {
        return spw::ui::measureQuality(model, settings, text, p);
    };
    JobRunner::Handlers<QualityReport> handlers;
    handlers.finished = [this](QualityReport report) {
        endJob();
        m_qualityPanel->showReport(report);
        Q_EMIT qualityFinished();
    };
    handlers.failed = [this](const QString& message) {
        endJob();
        m_qualityPanel->showError(message); // beside the text it is most often about
        Q_EMIT jobFailed(message);
    };
    handlers.progressed = [this](float fraction) { m_jobRow->setProgress(fraction); };
    m_resultTabs->setCurrentWidget(m_qualityPanel);
    m_qualityPanel->clearError();
    startJob(tr("Measuring masked-LM quality…"));
    m_measuringQuality = true;
    m_jobGeneration = m_runner->run<QualityReport>(kJobChannel, this, std::move(work), std::move(handlers));
}

void ConvertPage::exportTo(const QString& directory, bool replace)
{
    if (!m_model.isValid() || m_busy)
        return;
    const LoadedModel model = m_model;
    const ConversionSettings settings = this->settings();
    std::function<ExportSummary(const ProgressCallback&)> work
        = [model, settings, directory, replace](const ProgressCallback& progress) {
              return exportConversion(model, settings, directory, replace, progress);
          };
    JobRunner::Handlers<ExportSummary> handlers;
    handlers.finished = [this](ExportSummary summary) {
        endJob();
        showSuccess(tr("Exported to %1 (%2)")
                        .arg(QDir::toNativeSeparators(summary.directory), summary.files.join(QStringLiteral(", "))));
        Q_EMIT exportFinished(summary.directory);
    };
    handlers.failed = [this](const QString& message) {
        endJob();
        showError(tr("Not exported: %1").arg(message));
    };
    handlers.progressed = [this](float fraction) { m_jobRow->setProgress(fraction); };
    startJob(tr("Exporting to %1…").arg(QDir::toNativeSeparators(directory)));
    m_jobGeneration = m_runner->run<ExportSummary>(kJobChannel, this, std::move(work), std::move(handlers));
}

void ConvertPage::cancel()
{
    m_runner->cancel(kJobChannel);
    endCancelledJob();
}

void ConvertPage::endCancelledJob()
{
    if (m_busy && m_measuringQuality)
        m_qualityPanel->showCancelled();
    endJob();
}

void ConvertPage::startJob(const QString& description)
{
    clearMessages();
    m_busy = true;
    m_jobRow->start(description);
    updateButtons();
}

void ConvertPage::endJob()
{
    m_busy = false;
    m_measuringQuality = false;
    m_jobRow->finish();
    updateButtons();
}

void ConvertPage::updateButtons()
{
    const bool ready = m_model.isValid() && !m_busy && m_previewValid;
    m_compare->setEnabled(ready && m_model.tokenizer);
    m_export->setEnabled(ready);
    m_qualityPanel->setMeasureEnabled(ready);
}

void ConvertPage::showError(const QString& message)
{
    m_success->clearMessage();
    m_error->showMessage(message);
    Q_EMIT jobFailed(message);
}

void ConvertPage::showSuccess(const QString& message)
{
    m_error->clearMessage();
    m_success->showMessage(message);
}

void ConvertPage::clearMessages()
{
    m_error->clearMessage();
    m_success->clearMessage();
}

QString ConvertPage::errorText() const
{
    return m_error->message();
}

QString ConvertPage::successText() const
{
    return m_success->message();
}

void ConvertPage::chooseExportFolder()
{
    const QString suggested = QStringLiteral("%1-%2").arg(QFileInfo(m_model.directory).fileName(),
        m_sparsity->currentIndex() > 0 ? QStringLiteral("sparse") : QStringLiteral("long"));
    ExportFolderDialog dialog(m_model.directory, QFileInfo(m_model.directory).absolutePath(), suggested, this);
    if (dialog.exec() == QDialog::Accepted)
        exportTo(dialog.destination(), dialog.replaces());
}

} // namespace spw::ui
