#include "main_window.h"

#include "convert/convert_page.h"
#include "designer/layout_designer_page.h"
#include "job_runner.h"
#include "model/model_page.h"
#include "model/model_sparsity.h"
#include "model/token_view.h"
#include "profile/profile_page.h"
#include "workbench_settings.h"

#include <nlohmann/json.hpp>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QUndoStack>

namespace spw::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_runner(new JobRunner(this))
{
    setWindowTitle(tr("Sparse Attention Workbench"));
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);

    m_modelPage = new ModelPage(m_runner, m_tabs);
    m_layoutPage = new LayoutDesignerPage(m_runner, m_tabs);
    m_convertPage = new ConvertPage(m_runner, m_tabs);
    m_profilePage = new ProfilePage(m_runner, m_tabs);
    m_tabs->addTab(m_modelPage, tr("Model"));
    m_tabs->addTab(m_layoutPage, tr("Layout designer"));
    m_tabs->addTab(m_convertPage, tr("Convert && export"));
    m_tabs->addTab(m_profilePage, tr("Profile"));

    m_status = new QLabel(tr("Ready"), this);
    statusBar()->addWidget(m_status, 1);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(180);
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, m_runner, &JobRunner::cancelAll);

    connect(m_runner, &JobRunner::jobStarted, this, &MainWindow::onJobStarted);
    connect(m_runner, &JobRunner::jobProgressed, this,
        [this](const QString&, float fraction) { onJobProgressed(fraction); });
    connect(m_runner, &JobRunner::becameIdle, this, &MainWindow::onIdle);
    connect(m_layoutPage, &LayoutDesignerPage::configSaved, this,
        [this](const QString& path) { m_status->setText(tr("Saved %1").arg(path)); });

    // The Model page shows tokens in the designer's blocks, and Convert & export offers the designer's
    // configuration; the designer applied its first one before these connections existed.
    connect(m_layoutPage, &LayoutDesignerPage::configApplied, this,
        [this](const SparsityConfig& config, const QString& name) {
            m_modelPage->setBlockSize(config.block);
            m_convertPage->setSparsity(config, name);
        });
    m_modelPage->setBlockSize(m_layoutPage->input().config.block);
    m_convertPage->setSparsity(m_layoutPage->input().config, m_layoutPage->configName());
    // The designer draws at the open model's heads and length, and opens a converted model's own layout.
    connect(m_modelPage, &ModelPage::modelLoaded, m_layoutPage, &LayoutDesignerPage::followModel);
    connect(m_modelPage, &ModelPage::sparsityOpened, this, [this](const ModelSparsity& sparsity) {
        m_layoutPage->openModelSparsity(sparsity);
        m_tabs->setCurrentWidget(m_layoutPage);
    });
    // Convert & export works on the model the Model page has open, and compares on its text.
    connect(m_modelPage, &ModelPage::modelLoaded, m_convertPage, &ConvertPage::setModel);
    connect(m_modelPage->tokenView(), &TokenView::tokensShown, this,
        [this] { m_convertPage->setSampleText(m_modelPage->tokenView()->text()); });
    m_convertPage->setSampleText(m_modelPage->tokenView()->text());

    // The Profile page sweeps the open model and offers the designer's configuration among its layouts.
    connect(m_modelPage, &ModelPage::modelLoaded, m_profilePage,
        [this](const LoadedModel& model) { m_profilePage->setModel(model); });
    connect(m_layoutPage, &LayoutDesignerPage::configApplied, m_profilePage,
        [this](const SparsityConfig& config, const QString& name) { m_profilePage->setDesignerConfig(config, name); });
    m_profilePage->setDesignerConfig(m_layoutPage->input().config, m_layoutPage->configName());

    buildMenus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    auto add = [this](QMenu* menu, const char* name, const QString& text, const QList<QKeySequence>& keys,
                   std::function<void()> slot) {
        QAction* action = menu->addAction(text);
        action->setObjectName(QString::fromUtf8(name));
        action->setShortcuts(keys);
        connect(action, &QAction::triggered, this, std::move(slot));
        return action;
    };
    auto showPage = [this](QWidget* page) { m_tabs->setCurrentWidget(page); };

    QMenu* file = menuBar()->addMenu(tr("&File"));
    add(file, "openModel", tr("&Open model folder…"), QKeySequence::keyBindings(QKeySequence::Open), [=] {
        showPage(m_modelPage);
        m_modelPage->chooseFolder();
    });
    add(file, "openConfig", tr("Open sparsity &configuration…"), { QKeySequence(tr("Ctrl+Shift+O")) }, [=] {
        showPage(m_layoutPage);
        m_layoutPage->chooseFileToOpen();
    });
    add(file, "saveConfig", tr("&Save sparsity configuration…"), QKeySequence::keyBindings(QKeySequence::Save), [=] {
        showPage(m_layoutPage);
        m_layoutPage->chooseFileToSave();
    });
    file->addSeparator();
    add(file, "quit", tr("&Quit"), { QKeySequence(tr("Ctrl+Q")) }, [this] { close(); });

    // Undo and redo are the designer's: the one place where edits are made step by step.
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QUndoStack* undo = m_layoutPage->undoStack();
    QAction* undoAction = undo->createUndoAction(edit, tr("&Undo"));
    undoAction->setObjectName(QStringLiteral("undo"));
    undoAction->setShortcuts(QKeySequence::Undo);
    edit->addAction(undoAction);
    QAction* redoAction = undo->createRedoAction(edit, tr("&Redo"));
    redoAction->setObjectName(QStringLiteral("redo"));
    redoAction->setShortcuts({ QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y")) });
    edit->addAction(redoAction);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList titles = { tr("&Model"), tr("&Layout designer"), tr("&Convert && export"), tr("&Profile") };
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction* page = view->addAction(titles.value(i));
        page->setObjectName(QStringLiteral("page_") + pageNames().value(i));
        page->setShortcut(QKeySequence(tr("Ctrl+%1").arg(i + 1)));
        connect(page, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addSeparator();
    view->addAction(m_layoutPage->parametersPanelAction());
    view->addAction(m_layoutPage->statsPanelAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    add(help, "help", tr("Workbench &help"), { QKeySequence(Qt::Key_F1) }, [this] { showHelp(); });
    add(help, "about", tr("&About Sparse Attention Workbench"), {}, [this] { showAbout(); });
}

QAction* MainWindow::action(const QString& name) const
{
    return menuBar()->findChild<QAction*>(name);
}

namespace {

const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kDesignerConfigKey = QStringLiteral("designer/config");
const QString kDesignerLengthKey = QStringLiteral("designer/seqLen");

QString splitterKey(const QSplitter* splitter)
{
    return QStringLiteral("splitters/") + splitter->objectName();
}

} // namespace

void MainWindow::restoreSession()
{
    QSettings settings = workbenchSettings();
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    for (QSplitter* splitter : findChildren<QSplitter*>())
        if (!splitter->objectName().isEmpty() && settings.contains(splitterKey(splitter))
            && splitter->restoreState(settings.value(splitterKey(splitter)).toByteArray()))
            splitter->setProperty(kRestoredSplitterProperty, true);
    const QString config = settings.value(kDesignerConfigKey).toString();
    if (config.isEmpty())
        return;
    try {
        DesignerInput input
            = withConfig(m_layoutPage->input(), sparsityConfigFromJson(nlohmann::json::parse(config.toStdString())));
        input.seqLen = settings.value(kDesignerLengthKey, qlonglong(input.seqLen)).toLongLong();
        m_layoutPage->startFrom(input);
    } catch (const std::exception&) {
        // A configuration this version cannot read: the designer keeps its default.
    }
}

void MainWindow::saveSession() const
{
    QSettings settings = workbenchSettings();
    settings.setValue(kGeometryKey, saveGeometry());
    for (const QSplitter* splitter : findChildren<QSplitter*>())
        if (!splitter->objectName().isEmpty())
            settings.setValue(splitterKey(splitter), splitter->saveState());
    const DesignerInput& input = m_layoutPage->input();
    settings.setValue(kDesignerConfigKey, QString::fromStdString(sparsityConfigToJson(input.config).dump()));
    settings.setValue(kDesignerLengthKey, qlonglong(input.seqLen));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSession();
    QMainWindow::closeEvent(event);
}

void MainWindow::showHelp()
{
    // Not modal: the help stays open beside the page it explains.
    auto* box = new QMessageBox(QMessageBox::Information, tr("Workbench help"),
        tr("<p><b>Model</b>: open a BERT/RoBERTa checkpoint folder (Ctrl+O) or use the demo model.</p>"
           "<p><b>Layout designer</b>: pick a preset or mode and edit its parameters. A number counts once you "
           "press Enter, leave the field or step with the arrows; a rejected value is marked under its field while "
           "the last valid layout stays drawn. Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo whole edits. "
           "Scroll to zoom the heatmap, double-click or press Home to reset, right-click to save it.</p>"
           "<p><b>Convert &amp; export</b>: apply the designer's layout to the open model and export it.</p>"
           "<p><b>Profile</b>: sweep sequence lengths and layouts; hover a point for its values.</p>"
           "<p>Ctrl+1…Ctrl+4 switch pages; Ctrl+S saves the configuration; Ctrl+Q quits.</p>"),
        QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("helpDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Sparse Attention Workbench"),
        tr("<p><b>Sparse Attention Workbench</b> %1</p>"
           "<p>Design block-sparse attention layouts (DeepSpeed's configurations), convert BERT and RoBERTa "
           "checkpoints to use them, and profile the result.</p>"
           "<p>Built with Qt %2 and LibTorch.</p>")
            .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

QStringList MainWindow::pageNames()
{
    return { QStringLiteral("model"), QStringLiteral("layout"), QStringLiteral("convert"), QStringLiteral("profile") };
}

bool MainWindow::selectPage(const QString& name)
{
    const int index = int(pageNames().indexOf(name));
    if (index < 0)
        return false;
    m_tabs->setCurrentIndex(index);
    return true;
}

QString MainWindow::currentPageName() const
{
    return pageNames().value(m_tabs->currentIndex());
}

void MainWindow::onJobStarted()
{
    m_status->setText(tr("Working…"));
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
}

void MainWindow::onJobProgressed(float fraction)
{
    m_progress->setValue(int(fraction * 100.f));
}

void MainWindow::onIdle()
{
    m_progress->hide();
    m_cancel->hide();
    m_status->setText(tr("Ready"));
}

} // namespace spw::ui
