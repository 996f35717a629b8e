#include "designer/parameter_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace spw::ui {
namespace {

// A rejected field: a pale red background, and its message in dark red under it.
const QColor kInvalidBase(0xfd, 0xe2, 0xe1);
const QColor kInvalidText(0xa3, 0x1f, 0x1a);

// Which keys each mode reads (sparsity_config.h lists them, after DeepSpeed's classes).
bool applies(const QString& key, SparsityMode mode)
{
    static const QHash<QString, QList<SparsityMode>> modes = {
        { "num_local_blocks", { SparsityMode::Fixed } },
        { "num_global_blocks", { SparsityMode::Fixed, SparsityMode::BigBird } },
        { "horizontal_global_attention", { SparsityMode::Fixed, SparsityMode::Variable } },
        { "num_different_global_patterns", { SparsityMode::Fixed } },
        { "num_random_blocks", { SparsityMode::Variable, SparsityMode::BigBird } },
        { "local_window_blocks", { SparsityMode::Variable } },
        { "global_block_indices", { SparsityMode::Variable, SparsityMode::BSLongformer } },
        { "global_block_end_indices", { SparsityMode::Variable, SparsityMode::BSLongformer } },
        { "num_sliding_window_blocks", { SparsityMode::BigBird, SparsityMode::BSLongformer, SparsityMode::Local } },
        { "attention",
            { SparsityMode::Fixed, SparsityMode::Variable, SparsityMode::BigBird, SparsityMode::BSLongformer,
                SparsityMode::Local } },
    };
    const auto it = modes.constFind(key);
    return it == modes.constEnd() || it->contains(mode);
}

} // namespace

ParameterForm::ParameterForm(QWidget* parent)
    : QWidget(parent)
    , m_layout(new QFormLayout(this))
{
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_layout->setLabelAlignment(Qt::AlignRight);
    constexpr int big = std::numeric_limits<int>::max();

    m_mode = new QComboBox(this);
    for (SparsityMode mode : allModes())
        m_mode->addItem(QString::fromUtf8(modeName(mode)), int(mode));
    addRow("mode", m_mode, tr("DeepSpeed's sparsity configuration class"));
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        const auto mode = SparsityMode(m_mode->currentData().toInt());
        edit(QStringLiteral("mode"), [mode](DesignerInput& input) {
            // A new mode starts from its own defaults; the block, heads and seed are the user's, not the mode's.
            SparsityConfig config = defaultsFor(mode);
            config.block = input.config.block;
            config.numHeads = input.config.numHeads;
            config.seed = input.config.seed;
            config.differentLayoutPerHead = input.config.differentLayoutPerHead;
            input.config = config;
        });
    });

    // Sizes accept 0 and negatives so that DeepSpeed's "must be positive" rule is reported, not silently clamped.
    m_seqLen = addSpinBox("seq_len", 1, big, tr("Sequence length in tokens; a multiple of the block"),
        [](DesignerInput& input, int value) { input.seqLen = value; });
    m_heads = addSpinBox("num_heads", 1, 1024, tr("Attention heads"),
        [](DesignerInput& input, int value) { input.config.numHeads = value; });
    m_seed = addSpinBox("seed", 0, big, tr("Seed of the random blocks"),
        [](DesignerInput& input, int value) { input.config.seed = std::uint64_t(value); });
    m_block = addSpinBox("block", 0, 4096, tr("Block size in tokens"),
        [](DesignerInput& input, int value) { input.config.block = value; });
    m_differentLayoutPerHead = addCheckBox("different_layout_per_head", tr("Give each head its own layout"),
        [](DesignerInput& input, bool value) { input.config.differentLayoutPerHead = value; });

    m_attention = new QComboBox(this);
    m_attention->addItem(QStringLiteral("bidirectional"), int(AttentionDirection::Bidirectional));
    m_attention->addItem(QStringLiteral("unidirectional"), int(AttentionDirection::Unidirectional));
    addRow("attention", m_attention, tr("Unidirectional attention sees no later block"));
    connect(m_attention, &QComboBox::currentIndexChanged, this, [this] {
        const auto direction = AttentionDirection(m_attention->currentData().toInt());
        edit(QStringLiteral("attention"), [direction](DesignerInput& input) { input.config.attention = direction; });
    });

    m_numLocalBlocks = addSpinBox("num_local_blocks", -big, big, tr("Blocks in each local window"),
        [](DesignerInput& input, int value) { input.config.numLocalBlocks = value; });
    m_numGlobalBlocks = addSpinBox("num_global_blocks", -big, big, tr("Global blocks"),
        [](DesignerInput& input, int value) { input.config.numGlobalBlocks = value; });
    m_horizontalGlobalAttention
        = addCheckBox("horizontal_global_attention", tr("Global blocks also attend to every block (rows)"),
            [](DesignerInput& input, bool value) { input.config.horizontalGlobalAttention = value; });
    m_numDifferentGlobalPatterns
        = addSpinBox("num_different_global_patterns", -big, big, tr("Distinct global patterns across heads"),
            [](DesignerInput& input, int value) { input.config.numDifferentGlobalPatterns = value; });
    m_numRandomBlocks = addSpinBox("num_random_blocks", -big, big, tr("Random blocks per row"),
        [](DesignerInput& input, int value) { input.config.numRandomBlocks = value; });
    m_localWindowBlocks = addListEdit(
        "local_window_blocks", tr("Sizes of the local windows, in blocks; the last one repeats"),
        [](DesignerInput& input, const std::vector<int>& values) { input.config.localWindowBlocks = values; }, false);
    m_globalBlockIndices = addListEdit(
        "global_block_indices", tr("Global block indices (or range starts)"),
        [](DesignerInput& input, const std::vector<int>& values) { input.config.globalBlockIndices = values; }, false);
    m_globalBlockEndIndices = addListEdit(
        "global_block_end_indices", tr("Range ends (exclusive), one per start; empty for single blocks"),
        [](DesignerInput& input, const std::vector<int>& values) {
            input.config.globalBlockEndIndices
                = values.empty() ? std::nullopt : std::optional<std::vector<int>>(values);
        },
        true);
    m_numSlidingWindowBlocks = addSpinBox("num_sliding_window_blocks", -big, big, tr("Blocks in the sliding window"),
        [](DesignerInput& input, int value) { input.config.numSlidingWindowBlocks = value; });

    setInput(defaultDesignerInput());
}

void ParameterForm::addRow(const char* key, QWidget* field, const QString& tip)
{
    const QString name = QString::fromUtf8(key);
    field->setObjectName(name);
    field->setToolTip(tip);
    auto* label = new QLabel(name, this);
    label->setToolTip(tip);
    label->setBuddy(field);
    // The row holds the field with a message under it, shown only while the field's value is rejected.
    auto* row = new QWidget(this);
    auto* rowLayout = new QVBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    rowLayout->setSpacing(2);
    field->setParent(row);
    rowLayout->addWidget(field);
    auto* message = new QLabel(row);
    message->setObjectName(name + QStringLiteral("_message"));
    message->setWordWrap(true);
    QPalette palette = message->palette();
    palette.setColor(QPalette::WindowText, kInvalidText);
    message->setPalette(palette);
    message->hide();
    rowLayout->addWidget(message);
    m_layout->addRow(label, row);
    m_fields.insert(name, field);
    m_rows.insert(name, row);
    m_messages.insert(name, message);
}

QSpinBox* ParameterForm::addSpinBox(
    const char* key, int minimum, int maximum, const QString& tip, std::function<void(DesignerInput&, int)> apply)
{
    auto* box = new QSpinBox(this);
    box->setRange(minimum, maximum);
    // Typed numbers count once committed: typing "48" must not pass through block 4.
    box->setKeyboardTracking(false);
    addRow(key, box, tip);
    const QString name = QString::fromUtf8(key);
    connect(box, &QSpinBox::valueChanged, this, [this, name, apply](int value) {
        edit(
            name, [&](DesignerInput& input) { apply(input, value); }, m_editSession);
    });
    // Enter or leaving the field ends the edit: arrow steps after it are a new undo step.
    connect(box, &QSpinBox::editingFinished, this, [this] { ++m_editSession; });
    return box;
}

QCheckBox* ParameterForm::addCheckBox(
    const char* key, const QString& tip, std::function<void(DesignerInput&, bool)> apply)
{
    auto* box = new QCheckBox(this);
    addRow(key, box, tip);
    const QString name = QString::fromUtf8(key);
    connect(box, &QCheckBox::toggled, this,
        [this, name, apply](bool value) { edit(name, [&](DesignerInput& input) { apply(input, value); }); });
    return box;
}

QLineEdit* ParameterForm::addListEdit(const char* key, const QString& tip,
    std::function<void(DesignerInput&, const std::vector<int>&)> apply, bool allowEmpty)
{
    auto* line = new QLineEdit(this);
    line->setPlaceholderText(allowEmpty ? tr("none (null)") : tr("e.g. 0, 4"));
    addRow(key, line, tip);
    const QString name = QString::fromUtf8(key);
    auto parse = [name, allowEmpty](const QString& text, QString* error) {
        auto values = parseIntList(text, name, error);
        if (values && values->empty() && !allowEmpty) {
            *error = QStringLiteral("%1: give at least one block index").arg(name);
            values.reset();
        }
        return values;
    };
    // A list that does not parse is flagged as it is typed; a list that does is committed on Enter or on leaving
    // the field, so that "0, 2" does not pass through "0, ".
    connect(line, &QLineEdit::textEdited, this, [this, name, parse](const QString& text) {
        QString error;
        if (parse(text, &error)) {
            if (m_invalidKey == name)
                clearInvalid();
            return;
        }
        markInvalid(name, error);
        Q_EMIT inputRejected(error);
    });
    connect(line, &QLineEdit::editingFinished, this, [this, name, apply, parse, line] {
        QString error;
        if (auto values = parse(line->text(), &error))
            edit(name, [&](DesignerInput& input) { apply(input, *values); });
    });
    return line;
}

void ParameterForm::edit(const QString& field, const std::function<void(DesignerInput&)>& change, int editSession)
{
    if (m_updating)
        return;
    DesignerInput next = m_input;
    change(next);
    if (next == m_input)
        return;
    // The form keeps showing what the user entered, accepted or not, so that an edit of another field builds on
    // it (block 48 becomes valid once seq_len is a multiple of 48).
    m_input = next;
    Q_EMIT inputEdited(next, field, editSession);
}

void ParameterForm::markInvalid(const QString& key, const QString& message)
{
    clearInvalid();
    QWidget* field = m_fields.value(key);
    QLabel* label = m_messages.value(key);
    if (!field || !label)
        return;
    m_invalidKey = key;
    field->setProperty("invalid", true);
    QPalette palette = field->palette();
    palette.setColor(QPalette::Base, kInvalidBase);
    field->setPalette(palette);
    label->setText(message);
    label->show();
}

void ParameterForm::clearInvalid()
{
    if (m_invalidKey.isEmpty())
        return;
    QWidget* field = m_fields.value(m_invalidKey);
    field->setProperty("invalid", false);
    field->setPalette(QPalette());
    m_messages.value(m_invalidKey)->hide();
    m_invalidKey.clear();
}

QString ParameterForm::fieldNamedIn(const QString& message, const QString& edited) const
{
    auto position = [&message](const QString& key) {
        const QRegularExpression word(QStringLiteral("\\b%1\\b").arg(QRegularExpression::escape(key)));
        const QRegularExpressionMatch match = word.match(message);
        return match.hasMatch() ? match.capturedStart() : -1;
    };
    if (position(edited) >= 0)
        return edited;
    QString first = edited;
    qsizetype firstAt = -1;
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        const qsizetype at = isFieldShown(it.key()) ? position(it.key()) : -1;
        if (at >= 0 && (firstAt < 0 || at < firstAt)) {
            first = it.key();
            firstAt = at;
        }
    }
    return first;
}

QString ParameterForm::fieldMessage(const QString& key) const
{
    const QLabel* label = m_messages.value(key);
    return label && !label->isHidden() ? label->text() : QString();
}

void ParameterForm::setInput(const DesignerInput& input)
{
    m_input = input;
    clearInvalid();
    m_updating = true;
    showValues();
    showRowsFor(input.config.mode);
    m_updating = false;
}

void ParameterForm::showValues()
{
    const SparsityConfig& config = m_input.config;
    auto setSpin = [](QSpinBox* box, std::int64_t value) {
        if (box->value() != value)
            box->setValue(int(value));
    };
    // A list is rewritten only when it means something else, so that typing "0, " is not reformatted under the
    // cursor.
    auto setList = [](QLineEdit* line, const std::vector<int>& values) {
        const auto shown = parseIntList(line->text(), QString(), nullptr);
        if (!shown || *shown != values)
            line->setText(formatIntList(values));
    };
    m_mode->setCurrentIndex(m_mode->findData(int(config.mode)));
    m_attention->setCurrentIndex(m_attention->findData(int(config.attention)));
    setSpin(m_seqLen, m_input.seqLen);
    setSpin(m_heads, config.numHeads);
    setSpin(m_seed, std::int64_t(m_input.seed()));
    setSpin(m_block, config.block);
    m_differentLayoutPerHead->setChecked(config.differentLayoutPerHead);
    setSpin(m_numLocalBlocks, config.numLocalBlocks);
    setSpin(m_numGlobalBlocks, config.numGlobalBlocks);
    m_horizontalGlobalAttention->setChecked(config.horizontalGlobalAttention);
    setSpin(m_numDifferentGlobalPatterns, config.numDifferentGlobalPatterns);
    setSpin(m_numRandomBlocks, config.numRandomBlocks);
    setList(m_localWindowBlocks, config.localWindowBlocks);
    setList(m_globalBlockIndices, config.globalBlockIndices);
    setList(m_globalBlockEndIndices, config.globalBlockEndIndices.value_or(std::vector<int> {}));
    setSpin(m_numSlidingWindowBlocks, config.numSlidingWindowBlocks);
}

void ParameterForm::showRowsFor(SparsityMode mode)
{
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it)
        m_layout->setRowVisible(m_rows.value(it.key()), applies(it.key(), mode));
}

bool ParameterForm::isFieldShown(const QString& key) const
{
    return m_fields.contains(key) && applies(key, m_input.config.mode);
}

} // namespace spw::ui
