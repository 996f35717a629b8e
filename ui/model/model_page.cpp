#include "model/model_page.h"

#include "workbench_settings.h"

#include "common/dtype_names.h"
#include "job_runner.h"
#include "key_value_model.h"
#include "model/encoder_model.h"
#include "model/model_sparsity.h"
#include "model/parameter_tree_model.h"
#include "model/recent_folders.h"
#include "model/token_view.h"
#include "tokenizer/tokenizer.h"
#include "widgets/inline_message.h"
#include "widgets/job_progress_row.h"
#include "widgets/section_title.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

const QString kModelChannel = QStringLiteral("model");

QString sampleText()
{
    QFile file(QStringLiteral(":/text/sample.txt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).trimmed();
}

// The folder named by a drag's first URL, when it is a local folder.
QString droppedFolder(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().isEmpty())
        return {};
    const QUrl url = mime->urls().first();
    if (!url.isLocalFile() || !QFileInfo(url.toLocalFile()).isDir())
        return {};
    return url.toLocalFile();
}

} // namespace

ModelPage::ModelPage(JobRunner* runner, QWidget* parent)
    : QWidget(parent)
    , m_runner(runner)
{
    setAcceptDrops(true);
    auto* page = new QVBoxLayout(this);
    page->addWidget(buildToolbar());

    m_demoNote = new QLabel(this);
    m_demoNote->setObjectName(QStringLiteral("demoNote"));
    m_demoNote->setWordWrap(true);
    m_demoNote->setStyleSheet(QStringLiteral("QLabel { color: #0b3d66; background: #e8f1fb; border: 1px solid #b9d3ee;"
                                             " border-radius: 4px; padding: 6px; }"));
    m_demoNote->hide();
    page->addWidget(m_demoNote);

    m_loadRow = new JobProgressRow(QStringLiteral("loadProgress"), QStringLiteral("cancelLoad"), 260, this);
    connect(m_loadRow, &JobProgressRow::cancelRequested, this, &ModelPage::cancelLoading);
    page->addWidget(m_loadRow);

    m_error = new InlineMessage(InlineMessage::Kind::Error, this);
    page->addWidget(m_error);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("modelSplitter"));
    page->addWidget(splitter, 1);
    splitter->addWidget(buildSummary());

    auto* parameters = new QWidget(splitter);
    auto* parameterLayout = new QVBoxLayout(parameters);
    parameterLayout->setContentsMargins(0, 0, 0, 0);
    parameterLayout->addWidget(sectionTitle(tr("Parameters by module"), parameters));
    m_parameters = new ParameterTreeModel(this);
    m_parameterView = new QTreeView(parameters);
    m_parameterView->setObjectName(QStringLiteral("parameterTree"));
    m_parameterView->setModel(m_parameters);
    m_parameterView->setAlternatingRowColors(true);
    m_parameterView->setUniformRowHeights(true);
    m_parameterView->header()->setStretchLastSection(false);
    m_parameterView->header()->setSectionResizeMode(ParameterTreeModel::NameColumn, QHeaderView::Stretch);
    for (int column :
        { ParameterTreeModel::ShapeColumn, ParameterTreeModel::CountColumn, ParameterTreeModel::ShareColumn })
        m_parameterView->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    parameterLayout->addWidget(m_parameterView, 1);
    splitter->addWidget(parameters);

    auto* tokens = new QWidget(splitter);
    auto* tokenLayout = new QVBoxLayout(tokens);
    tokenLayout->setContentsMargins(0, 0, 0, 0);
    auto* tokenTitle = sectionTitle(tr("Tokens by attention block"), tokens);
    tokenTitle->setToolTip(tr("Block size from the Layout designer's configuration"));
    tokenLayout->addWidget(tokenTitle);
    m_tokens = new TokenView(runner, tokens);
    tokenLayout->addWidget(m_tokens, 1);
    splitter->addWidget(tokens);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 1);
    splitter->setSizes({ 340, 580, 520 });

    m_tokens->setText(sampleText());

    connect(m_runner, &JobRunner::jobEnded, this, [this](const QString& channel) {
        // A load cancelled from the status bar, or superseded, reports nothing: the runner's bookkeeping does.
        if (channel == kModelChannel && m_loading && !m_runner->isCurrent(channel, m_loadGeneration))
            setLoading(false);
    });
    rebuildRecentMenu();
}

ModelPage::~ModelPage() = default;

QWidget* ModelPage::buildToolbar()
{
    auto* bar = new QWidget(this);
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* open = new QPushButton(tr("Open folder…"), bar);
    open->setToolTip(tr("Open a BERT or RoBERTa checkpoint folder (config.json, model.safetensors, tokenizer "
                        "files). You can also drop a folder onto this page."));
    connect(open, &QPushButton::clicked, this, &ModelPage::chooseFolder);
    layout->addWidget(open);
    m_recent = new QToolButton(bar);
    m_recent->setObjectName(QStringLiteral("recentFolders"));
    m_recent->setText(tr("Recent"));
    m_recent->setPopupMode(QToolButton::InstantPopup);
    m_recent->setMenu(new QMenu(m_recent));
    connect(m_recent->menu(), &QMenu::aboutToShow, this, &ModelPage::rebuildRecentMenu);
    layout->addWidget(m_recent);
    auto* demo = new QPushButton(tr("Demo model"), bar);
    demo->setToolTip(tr("The built-in demo model: a small BERT with random weights"));
    connect(demo, &QPushButton::clicked, this, [this] { openDemoModel(); });
    layout->addWidget(demo);
    layout->addSpacing(16);

    auto* titles = new QVBoxLayout;
    titles->setSpacing(0);
    m_title = new QLabel(tr("No model open"), bar);
    m_title->setObjectName(QStringLiteral("modelTitle"));
    QFont font = m_title->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.15);
    m_title->setFont(font);
    titles->addWidget(m_title);
    m_path = new QLabel(bar);
    m_path->setObjectName(QStringLiteral("modelPath"));
    m_path->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    titles->addWidget(m_path);
    layout->addLayout(titles, 1);
    return bar;
}

QWidget* ModelPage::buildSummary()
{
    auto* summary = new QWidget(this);
    auto* layout = new QVBoxLayout(summary);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(sectionTitle(tr("Overview"), summary));
    m_facts = new QLabel(summary);
    m_facts->setObjectName(QStringLiteral("modelFacts"));
    m_facts->setTextFormat(Qt::RichText);
    m_facts->setWordWrap(true);
    layout->addWidget(m_facts);
    // A converted model's own sparse attention, and one click to see its layout in the designer.
    auto* sparsityRow = new QHBoxLayout;
    m_sparsity = new QLabel(summary);
    m_sparsity->setObjectName(QStringLiteral("modelSparsity"));
    m_sparsity->setWordWrap(true);
    sparsityRow->addWidget(m_sparsity, 1);
    m_openSparsity = new QPushButton(tr("Open in designer"), summary);
    m_openSparsity->setObjectName(QStringLiteral("openModelSparsity"));
    m_openSparsity->setToolTip(tr("Show this model's sparse layout in the Layout designer"));
    connect(m_openSparsity, &QPushButton::clicked, this, [this] {
        if (const std::optional<ModelSparsity> sparsity = modelSparsity(m_model))
            Q_EMIT sparsityOpened(*sparsity);
    });
    sparsityRow->addWidget(m_openSparsity, 0, Qt::AlignTop);
    layout->addLayout(sparsityRow);
    m_sparsity->hide();
    m_openSparsity->hide();
    layout->addSpacing(6);
    layout->addWidget(sectionTitle(tr("Configuration (config.json)"), summary));
    m_config = new KeyValueModel(tr("Key"), tr("Value"), this);
    m_configView = new QTableView(summary);
    m_configView->setObjectName(QStringLiteral("configTable"));
    m_configView->setModel(m_config);
    m_configView->setAlternatingRowColors(true);
    m_configView->verticalHeader()->hide();
    m_configView->verticalHeader()->setDefaultSectionSize(m_configView->fontMetrics().height() + 6);
    m_configView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_configView->horizontalHeader()->setStretchLastSection(true);
    m_configView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_configView->setWordWrap(false);
    layout->addWidget(m_configView, 1);
    return summary;
}

void ModelPage::openFolder(const QString& directory)
{
    const QString path = QDir::cleanPath(QFileInfo(directory).absoluteFilePath());
    startLoad(tr("Loading %1…").arg(QDir::toNativeSeparators(path)),
        [path](const ProgressCallback& progress) { return loadModelFolder(path, progress); });
}

void ModelPage::openDemoModel()
{
    startLoad(tr("Loading the demo model…"), openBuiltInDemoModel);
}

void ModelPage::openRandomDemoModel(const DemoModelShape& shape)
{
    const QString directory = demoModelDirectory(shape);
    const QString what = QFileInfo(directory).isDir() ? tr("Loading the demo model…")
                                                      : tr("Creating the demo model (first start only)…");
    startLoad(what,
        [directory, shape](const ProgressCallback& progress) { return ensureDemoModel(directory, shape, progress); });
}

void ModelPage::startLoad(const QString& description, std::function<LoadedModel(const ProgressCallback&)> work)
{
    JobRunner::Handlers<LoadedModel> handlers;
    handlers.finished = [this](LoadedModel model) {
        setLoading(false);
        showModel(std::move(model));
    };
    handlers.failed = [this](const QString& message) {
        setLoading(false);
        showError(message);
    };
    handlers.progressed = [this](float fraction) { m_loadRow->setProgress(fraction); };
    setLoading(true, description);
    m_loadGeneration = m_runner->run<LoadedModel>(kModelChannel, this, std::move(work), std::move(handlers));
}

void ModelPage::cancelLoading()
{
    m_runner->cancel(kModelChannel);
    setLoading(false);
}

void ModelPage::setLoading(bool loading, const QString& description)
{
    m_loading = loading;
    if (loading)
        m_loadRow->start(description);
    else
        m_loadRow->finish();
}

void ModelPage::setBlockSize(int block)
{
    m_tokens->setBlockSize(block);
}

void ModelPage::showModel(LoadedModel model)
{
    m_model = std::move(model);
    m_error->clearMessage();
    const EncoderModel& encoder = *m_model.model;
    const ModelConfig& config = encoder.config();
    const QLocale locale;

    m_title->setText(tr("%1 · %2 layers · hidden %3 · %4 heads")
                         .arg(QString::fromUtf8(architectureName(encoder.architecture())))
                         .arg(config.numHiddenLayers)
                         .arg(config.hiddenSize)
                         .arg(config.numAttentionHeads));
    m_path->setText(QDir::toNativeSeparators(m_model.directory));
    m_demoNote->setText(m_model.randomWeights
            ? tr("<b>Built-in demo model.</b> A small BERT created by the workbench with random weights (seed 0) and a "
                 "demo vocabulary: good for trying layouts, conversion and profiling, but its outputs mean nothing. "
                 "Open a checkpoint folder for real work.")
            : tr("<b>Built-in demo model.</b> A small RoBERTa masked-LM (6 layers, 256 wide, 512 positions) trained on "
                 "the Linux kernel's documentation, shipped with the workbench: its quality on text it never saw is "
                 "real, so conversions and layouts can be judged on it. Its training log and card are in its folder. "
                 "Open a checkpoint folder for your own work."));
    m_demoNote->setVisible(m_model.demo);

    QString tokenizer = tr("none (no tokenizer files)");
    if (m_model.tokenizer)
        tokenizer
            = tr("%1, %2 entries")
                  .arg(m_model.tokenizer->kind() == Tokenizer::Kind::WordPiece ? tr("WordPiece") : tr("byte-level BPE"),
                      locale.toString(qlonglong(m_model.tokenizer->vocabSize())));
    const QString row = QStringLiteral("<tr><td style=\"color:#5f6670; padding-right:12px;\">%1</td><td>%2</td></tr>");
    QString facts = QStringLiteral("<table>");
    facts += row.arg(tr("Parameters"), locale.toString(qlonglong(encoder.parameterCount())));
    facts += row.arg(tr("Longest input"), tr("%1 tokens").arg(locale.toString(qlonglong(config.usableMaxLength()))));
    facts += row.arg(tr("Head dimension"), QString::number(config.headDim()));
    facts += row.arg(tr("Stored dtype"), QString::fromStdString(dtypeName(encoder.sourceDtype())));
    facts += row.arg(tr("Tokenizer"), tokenizer);
    facts += QStringLiteral("</table>");
    m_facts->setText(facts);
    const std::optional<ModelSparsity> sparsity = modelSparsity(m_model);
    m_sparsity->setText(sparsity
            ? tr("<b>Block-sparse attention</b> (recorded in config.json): %1, layout of %2 "
                 "tokens")
                  .arg(sparsity->description().toHtmlEscaped(), locale.toString(qlonglong(sparsity->layoutLength)))
            : QString());
    m_sparsity->setVisible(bool(sparsity));
    m_openSparsity->setVisible(bool(sparsity));

    QVector<KeyValueRow> rows;
    const nlohmann::json json = config.toJson();
    for (auto it = json.begin(); it != json.end(); ++it)
        rows.push_back({ QString::fromStdString(it.key()),
            QString::fromStdString(it->is_string() ? it->get<std::string>() : it->dump()), QString() });
    m_config->setRows(std::move(rows));

    m_parameters->setTree(groupParameters(encoder));
    m_parameterView->expandToDepth(0);

    m_tokens->setTokenizer(m_model.tokenizer, config.usableMaxLength());
    if (!m_model.demo)
        RecentFolders().add(m_model.directory);
    rebuildRecentMenu();
    Q_EMIT modelLoaded(m_model);
}

void ModelPage::showError(const QString& message)
{
    m_error->showMessage(m_model.isValid() ? tr("%1 (the model already open stays)").arg(message) : message);
    Q_EMIT loadFailed(message);
}

QString ModelPage::errorText() const
{
    return m_error->message();
}

QStringList ModelPage::recentFolders() const
{
    return RecentFolders().folders();
}

void ModelPage::rebuildRecentMenu()
{
    QMenu* menu = m_recent->menu();
    menu->clear();
    const QStringList folders = RecentFolders().folders();
    for (const QString& folder : folders) {
        QAction* action = menu->addAction(QDir::toNativeSeparators(folder));
        connect(action, &QAction::triggered, this, [this, folder] { openFolder(folder); });
    }
    if (!folders.isEmpty()) {
        menu->addSeparator();
        connect(menu->addAction(tr("Clear list")), &QAction::triggered, this, [this] {
            RecentFolders().clear();
            rebuildRecentMenu();
        });
    }
    m_recent->setEnabled(!folders.isEmpty());
}

void ModelPage::chooseFolder()
{
    const QString directory
        = QFileDialog::getExistingDirectory(this, tr("Open model folder"), dialogFolder(QStringLiteral("openModel")));
    if (directory.isEmpty())
        return;
    rememberDialogFolder(QStringLiteral("openModel"), directory, true);
    openFolder(directory);
}

void ModelPage::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedFolder(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void ModelPage::dropEvent(QDropEvent* event)
{
    const QString folder = droppedFolder(event->mimeData());
    if (folder.isEmpty())
        return;
    event->acceptProposedAction();
    openFolder(folder);
}

} // namespace spw::ui
