#include "profile/sweep_form.h"

#include "common/error.h"
#include "model/encoder_model.h"
#include "presets.h"
#include "quality_text.h"
#include "widgets/quality_text_picker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

const QString kDemo = QStringLiteral("demo");
const QString kLoaded = QStringLiteral("loaded");
const QString kDesigner = QStringLiteral("designer");
constexpr std::int64_t kMaxLength = 1 << 16;
constexpr std::int64_t kMaxBatch = 4096;

QLabel* makeErrorLabel(QWidget* parent, const QString& name)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    label->hide();
    return label;
}

QString describe(const ModelConfig& config)
{
    return QObject::tr("%1, %2 layers, hidden %3, %4 heads, %5 positions")
        .arg(QString::fromStdString(config.modelType))
        .arg(config.numHiddenLayers)
        .arg(config.hiddenSize)
        .arg(config.numAttentionHeads)
        .arg(config.maxPositionEmbeddings);
}

} // namespace

SweepForm::SweepForm(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildModelGroup());
    layout->addWidget(buildLayoutGroup(), 1);
    layout->addWidget(buildSweepGroup());
    layout->addWidget(buildQualityGroup());
    updateModelNote();
    // Whether a length fits depends on the model and on Extend: re-check the field when either changes.
    auto recheckLengths = [this] { checkList(m_lengths, m_lengthsError, tr("Sequence lengths"), kMaxLength, nullptr); };
    connect(m_modelBox, &QComboBox::currentIndexChanged, this, recheckLengths);
    connect(m_extend, &QCheckBox::toggled, this, recheckLengths);
}

QWidget* SweepForm::buildModelGroup()
{
    auto* group = new QGroupBox(tr("Model"), this);
    auto* layout = new QVBoxLayout(group);
    m_modelBox = new QComboBox(group);
    m_modelBox->setObjectName(QStringLiteral("model"));
    m_modelBox->addItem(tr("In-memory demo encoder"), kDemo);
    connect(m_modelBox, &QComboBox::currentIndexChanged, this, [this] { updateModelNote(); });
    connect(m_modelBox, &QComboBox::activated, this, [this] { m_keepDemo = false; });
    layout->addWidget(m_modelBox);
    m_modelNote = new QLabel(group);
    m_modelNote->setObjectName(QStringLiteral("modelNote"));
    m_modelNote->setWordWrap(true);
    m_modelNote->setStyleSheet(QStringLiteral("QLabel { color: #555; }"));
    layout->addWidget(m_modelNote);
    return group;
}

QWidget* SweepForm::buildLayoutGroup()
{
    auto* group = new QGroupBox(tr("Layouts"), this);
    auto* layout = new QVBoxLayout(group);
    m_layouts = new QListWidget(group);
    m_layouts->setObjectName(QStringLiteral("layouts"));
    m_layouts->setMinimumHeight(60);
    m_layouts->setToolTip(tr("Each checked layout is timed against dense attention at every length"));
    for (const QString& name : presetNames()) {
        auto* item = new QListWidgetItem(name, m_layouts);
        item->setData(Qt::UserRole, name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    connect(m_layouts, &QListWidget::itemChanged, this, [this] { m_layoutsError->hide(); });
    layout->addWidget(m_layouts, 1);
    m_layoutsError = makeErrorLabel(group, QStringLiteral("layoutsError"));
    layout->addWidget(m_layoutsError);
    return group;
}

QWidget* SweepForm::buildSweepGroup()
{
    auto* group = new QGroupBox(tr("Sweep"), this);
    auto* form = new QFormLayout(group);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_lengths = new QLineEdit(QStringLiteral("128, 256, 512"), group);
    m_lengths->setObjectName(QStringLiteral("lengths"));
    m_lengths->setPlaceholderText(tr("e.g. 128, 256, 512"));
    m_lengths->setToolTip(tr("Sequence lengths in tokens, separated by commas or spaces"));
    m_lengthsError = makeErrorLabel(group, QStringLiteral("lengthsError"));
    m_batches = new QLineEdit(QStringLiteral("1"), group);
    m_batches->setObjectName(QStringLiteral("batches"));
    m_batches->setPlaceholderText(tr("e.g. 1, 4"));
    m_batchesError = makeErrorLabel(group, QStringLiteral("batchesError"));
    form->addRow(tr("Lengths:"), m_lengths);
    form->addRow(QString(), m_lengthsError);
    form->addRow(tr("Batch sizes:"), m_batches);
    form->addRow(QString(), m_batchesError);
    connect(m_lengths, &QLineEdit::textChanged, this,
        [this] { checkList(m_lengths, m_lengthsError, tr("Sequence lengths"), kMaxLength, nullptr); });
    connect(m_batches, &QLineEdit::textChanged, this,
        [this] { checkList(m_batches, m_batchesError, tr("Batch sizes"), kMaxBatch, nullptr); });

    m_device = new QComboBox(group);
    m_device->setObjectName(QStringLiteral("device"));
    m_device->addItem(QStringLiteral("cpu"));
    m_device->addItem(QStringLiteral("cuda"));
    if (!cudaAvailable()) {
        // Offered but greyed, so that the reason is one hover away.
        m_device->setItemData(1, false, Qt::UserRole - 1);
        m_device->setItemData(1, tr("No CUDA device: this LibTorch has no CUDA or no GPU is present"), Qt::ToolTipRole);
    }
    m_dtype = new QComboBox(group);
    m_dtype->setObjectName(QStringLiteral("dtype"));
    m_dtype->addItems({ QStringLiteral("float32"), QStringLiteral("float16"), QStringLiteral("bfloat16") });
    m_dtype->setToolTip(tr("Compute dtype on CUDA; the CPU computes in float32"));
    m_dtype->setEnabled(false);
    connect(m_device, &QComboBox::currentIndexChanged, this, [this] {
        const bool cuda = m_device->currentText() == QLatin1String("cuda");
        m_dtype->setEnabled(cuda);
        if (!cuda)
            m_dtype->setCurrentIndex(0);
    });
    form->addRow(tr("Device:"), m_device);
    form->addRow(tr("Dtype:"), m_dtype);

    m_repeats = new QSpinBox(group);
    m_repeats->setObjectName(QStringLiteral("repeats"));
    m_repeats->setRange(1, 1000);
    m_repeats->setValue(3);
    m_repeats->setToolTip(tr("Timed forward passes per run; the median is reported"));
    m_warmup = new QSpinBox(group);
    m_warmup->setObjectName(QStringLiteral("warmup"));
    m_warmup->setRange(0, 100);
    m_warmup->setValue(1);
    m_warmup->setToolTip(tr("Untimed forward passes before the timed ones"));
    m_padding = new QDoubleSpinBox(group);
    m_padding->setObjectName(QStringLiteral("padding"));
    m_padding->setRange(0.0, 0.95);
    m_padding->setSingleStep(0.05);
    m_padding->setDecimals(2);
    m_padding->setToolTip(tr("Share of every row that is padding (attention mask 0)"));
    m_extend = new QCheckBox(tr("Extend positions when needed"), group);
    m_extend->setObjectName(QStringLiteral("extend"));
    m_extend->setToolTip(tr("Lengthen the position table as conversion does, instead of refusing longer lengths"));
    form->addRow(tr("Repeats:"), m_repeats);
    form->addRow(tr("Warm-up:"), m_warmup);
    form->addRow(tr("Padding:"), m_padding);
    form->addRow(QString(), m_extend);
    return group;
}

QWidget* SweepForm::buildQualityGroup()
{
    auto* group = new QGroupBox(tr("Quality"), this);
    auto* layout = new QVBoxLayout(group);
    m_quality = new QCheckBox(tr("Quality on text"), group);
    m_quality->setObjectName(QStringLiteral("qualityOnText"));
    layout->addWidget(m_quality);
    m_qualityPicker = new QualityTextPicker(group);
    m_qualityPicker->setEnabled(false);
    layout->addWidget(m_qualityPicker);
    connect(m_quality, &QCheckBox::toggled, m_qualityPicker, &QWidget::setEnabled);
    connect(m_modelBox, &QComboBox::currentIndexChanged, this, &SweepForm::updateQualityBox);
    updateQualityBox();
    return group;
}

void SweepForm::updateQualityBox()
{
    QString reason;
    if (m_modelBox->currentData().toString() != kLoaded)
        reason = tr("The in-memory demo encoder has no masked-LM head: quality needs a model folder with one "
                    "(BertForMaskedLM or RobertaForMaskedLM), opened on the Model page.");
    else
        reason = qualityUnavailableReason(m_model);
    m_quality->setEnabled(reason.isEmpty());
    m_quality->setToolTip(reason.isEmpty() ? tr("Also score masked-LM loss and accuracy of dense attention and each "
                                                "layout at each length (once per length, not per batch size)")
                                           : reason);
    if (!reason.isEmpty()) {
        m_quality->setChecked(false);
    } else if (m_restoredQuality) {
        m_quality->setChecked(true);
        m_restoredQuality = false;
    }
}

void SweepForm::setLoadedModel(const LoadedModel& model)
{
    m_model = model;
    const int index = m_modelBox->findData(kLoaded);
    if (!model.isValid()) {
        if (index >= 0)
            m_modelBox->removeItem(index);
        updateQualityBox();
        return;
    }
    const QString name
        = model.demo ? tr("Model page: demo model") : tr("Model page: %1").arg(QDir(model.directory).dirName());
    if (index >= 0)
        m_modelBox->setItemText(index, name);
    else
        m_modelBox->insertItem(0, name, kLoaded);
    if (!m_keepDemo)
        m_modelBox->setCurrentIndex(m_modelBox->findData(kLoaded));
    updateModelNote();
    updateQualityBox();
}

void SweepForm::setDemoShape(const DemoEncoderShape& shape)
{
    m_demo = shape;
    updateModelNote();
}

void SweepForm::updateModelNote()
{
    if (m_modelBox->currentData().toString() == kLoaded && m_model.isValid()) {
        m_modelNote->setText(describe(m_model.model->config()));
        return;
    }
    m_modelNote->setText(tr("Random BERT, %1 layers, hidden %2, %3 heads, feed-forward %4; positions grow with the "
                            "sweep")
                             .arg(m_demo.layers)
                             .arg(m_demo.hidden)
                             .arg(m_demo.heads)
                             .arg(m_demo.intermediate));
}

void SweepForm::setDesignerConfig(const SparsityConfig& config, const QString& name)
{
    m_designerConfig = config;
    m_designerName = name;
    QListWidgetItem* item = nullptr;
    for (int i = 0; i < m_layouts->count() && !item; ++i)
        if (m_layouts->item(i)->data(Qt::UserRole).toString() == kDesigner)
            item = m_layouts->item(i);
    if (!item) {
        item = new QListWidgetItem;
        item->setData(Qt::UserRole, kDesigner);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        // The designer's layout is what the user is working on: checked unless restored settings chose others.
        bool anyChecked = false;
        for (int i = 0; i < m_layouts->count(); ++i)
            anyChecked = anyChecked || m_layouts->item(i)->checkState() == Qt::Checked;
        item->setCheckState(anyChecked ? Qt::Unchecked : Qt::Checked);
        m_layouts->insertItem(0, item);
    }
    item->setText(tr("designer: %1").arg(name));
    item->setToolTip(tr("The Layout designer's current configuration"));
}

void SweepForm::checkLayouts(const QStringList& names)
{
    for (int i = 0; i < m_layouts->count(); ++i) {
        QListWidgetItem* item = m_layouts->item(i);
        item->setCheckState(names.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    }
}

void SweepForm::applySettings(const nlohmann::json& settings)
{
    if (!settings.is_object())
        return;
    auto sizes = [&](const char* key) {
        std::vector<std::int64_t> values;
        if (settings.contains(key) && settings[key].is_array())
            for (const nlohmann::json& value : settings[key])
                if (value.is_number_integer())
                    values.push_back(value.get<std::int64_t>());
        return values;
    };
    if (settings.contains("model") && settings["model"].is_object()
        && settings["model"].value("source", std::string()) == "demo") {
        m_keepDemo = true;
        m_modelBox->setCurrentIndex(m_modelBox->findData(kDemo));
    }
    if (const auto lengths = sizes("seq_lens"); !lengths.empty())
        m_lengths->setText(formatSizeList(lengths));
    if (const auto batches = sizes("batches"); !batches.empty())
        m_batches->setText(formatSizeList(batches));
    if (settings.contains("repeats") && settings["repeats"].is_number_integer())
        m_repeats->setValue(settings["repeats"].get<int>());
    if (settings.contains("warmup") && settings["warmup"].is_number_integer())
        m_warmup->setValue(settings["warmup"].get<int>());
    if (settings.contains("padding_fraction") && settings["padding_fraction"].is_number())
        m_padding->setValue(settings["padding_fraction"].get<double>());
    if (settings.contains("extend") && settings["extend"].is_boolean())
        m_extend->setChecked(settings["extend"].get<bool>());
    if (settings.contains("quality") && settings["quality"].is_object()) {
        const nlohmann::json& quality = settings["quality"];
        const QString text = QString::fromStdString(quality.value("text", std::string()));
        m_qualityPicker->setPath(text.startsWith(QLatin1String(":/")) ? QString() : text);
        if (quality.contains("max_tokens") && quality["max_tokens"].is_number_integer())
            m_qualityPicker->setMaxTokens(quality["max_tokens"].get<std::int64_t>());
        // On start the page restores before the Model page has opened its folder: the box is checked once a model
        // that can score is chosen, so that Run sweep measures the quality again.
        m_restoredQuality = true;
        updateQualityBox();
    }
    if (settings.contains("layouts") && settings["layouts"].is_array()) {
        QStringList names;
        for (const nlohmann::json& layout : settings["layouts"])
            if (layout.is_object() && layout.contains("name") && layout["name"].is_string())
                names << QString::fromStdString(layout["name"].get<std::string>());
        bool allKnown = !names.isEmpty();
        for (const QString& name : names)
            allKnown = allKnown && !m_layouts->findItems(name, Qt::MatchExactly).isEmpty();
        if (allKnown)
            checkLayouts(names);
    }
}

void SweepForm::showFieldError(QLineEdit* edit, QLabel* label, const QString& message)
{
    label->setText(message);
    label->setVisible(!message.isEmpty());
    edit->setStyleSheet(message.isEmpty() ? QString() : QStringLiteral("QLineEdit { border: 1px solid #b00020; }"));
}

std::optional<std::vector<std::int64_t>> SweepForm::checkList(
    QLineEdit* edit, QLabel* error, const QString& field, std::int64_t maximum, QString* reason)
{
    QString message;
    auto values = parseSizeList(edit->text(), field, 1, maximum, &message);
    if (values && edit == m_lengths && m_modelBox->currentData().toString() == kLoaded && !m_extend->isChecked()) {
        const std::int64_t usable = usableModelLength(m_model);
        for (std::int64_t length : *values)
            if (length > usable) {
                message = tr("%1: %2 is longer than the model's %3 positions (tick Extend positions)")
                              .arg(field)
                              .arg(length)
                              .arg(usable);
                values.reset();
                break;
            }
    }
    showFieldError(edit, error, values ? QString() : message);
    if (!values && reason && reason->isEmpty())
        *reason = message;
    return values;
}

std::optional<std::vector<ProfileLayout>> SweepForm::checkedLayouts(QString* reason)
{
    std::vector<ProfileLayout> layouts;
    QString message;
    for (int i = 0; i < m_layouts->count() && message.isEmpty(); ++i) {
        const QListWidgetItem* item = m_layouts->item(i);
        if (item->checkState() != Qt::Checked)
            continue;
        const QString key = item->data(Qt::UserRole).toString();
        try {
            SparsityConfig config = key == kDesigner && m_designerConfig ? *m_designerConfig : loadPreset(key);
            // The designer draws with its own head count; the sweep uses the model's.
            config.numHeads = 0;
            validate(config);
            layouts.push_back({ item->text().toStdString(), config });
        } catch (const Error& error) {
            message = tr("Layout %1: %2").arg(item->text(), QString::fromStdString(error.what()));
        }
    }
    if (message.isEmpty() && layouts.empty())
        message = tr("Layouts: check at least one");
    m_layoutsError->setText(message);
    m_layoutsError->setVisible(!message.isEmpty());
    if (!message.isEmpty()) {
        if (reason && reason->isEmpty())
            *reason = message;
        return std::nullopt;
    }
    return layouts;
}

std::optional<SweepRequest> SweepForm::request(QString* error)
{
    QString reason;
    const auto lengths = checkList(m_lengths, m_lengthsError, tr("Sequence lengths"), kMaxLength, &reason);
    const auto batches = checkList(m_batches, m_batchesError, tr("Batch sizes"), kMaxBatch, &reason);
    const auto layouts = checkedLayouts(&reason);
    if (!lengths || !batches || !layouts) {
        if (error)
            *error = reason;
        return std::nullopt;
    }
    SweepRequest request;
    request.settings.seqLens = *lengths;
    request.settings.batches = *batches;
    request.settings.layouts = *layouts;
    request.settings.repeats = m_repeats->value();
    request.settings.warmup = m_warmup->value();
    request.settings.paddingFraction = m_padding->value();
    request.settings.extend = m_extend->isChecked();
    if (m_modelBox->currentData().toString() == kLoaded)
        request.model = m_model;
    request.demo = m_demo;
    request.device = m_device->currentText();
    request.dtype = m_dtype->currentText();
    if (m_quality->isEnabled() && m_quality->isChecked())
        request.quality = m_qualityPicker->choice();
    return request;
}

} // namespace spw::ui
